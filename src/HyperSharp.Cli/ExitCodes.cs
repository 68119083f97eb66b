using HyperSharp.Scripting;

namespace HyperSharp.Cli;

/// <summary>
/// The process exit codes, one per kind of failure, so scripts can tell a typo from a crashed guest
/// without parsing messages.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A bug in the CLI or the library: an exception nobody expected.</summary>
    public const int InternalError = 1;

    /// <summary>The command line is wrong: unknown option, missing or unreadable file, unknown function, an argument that does not parse or fit.</summary>
    public const int Usage = 2;

    /// <summary>The guest failed: it aborted, faulted, returned an error, broke the protocol, or a host function it called failed; or a script raised an error.</summary>
    public const int GuestFailure = 3;

    /// <summary>KVM is missing, inaccessible, or an operation on it failed.</summary>
    public const int HypervisorUnavailable = 4;

    /// <summary>The guest file is not an ELF the loader accepts.</summary>
    public const int BadGuestBinary = 5;

    /// <summary>
    /// A snapshot directory breaks the file format, fails a digest, or was saved for another ABI, architecture, hypervisor,
    /// CPU vendor or XSAVE layout, or records host functions the CLI does not offer.
    /// </summary>
    public const int BadSnapshot = 6;

    /// <summary>A file could not be read or written for a reason outside the format: permissions, a full disk, I/O errors.</summary>
    public const int FileError = 7;

    /// <summary>The guest call or script ran longer than <c>--timeout</c> and was stopped.</summary>
    public const int TimedOut = 8;

    /// <summary>The exit code for a library error; every <see cref="SandboxException"/> not listed is the guest's fault.</summary>
    public static int For(SandboxException exception) => exception switch
    {
        GuestBinaryException => BadGuestBinary,
        SnapshotFormatException { Reason: SnapshotFormatError.TagNotFound } => Usage,
        SnapshotFormatException or SnapshotMismatchException => BadSnapshot,
        SandboxIOException => FileError,
        HypervisorUnavailableException or HypervisorException => HypervisorUnavailable,
        GuestArgumentException or GuestFunctionNotFoundException => Usage,
        ScriptTimeoutException => TimedOut,
        _ => GuestFailure,
    };
}
