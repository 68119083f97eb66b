namespace HyperSharp;

/// <summary>
/// A snapshot directory cannot be loaded: it breaks a rule of the snapshot file format, or it was
/// saved by an incompatible library, guest ABI, architecture, hypervisor or CPU vendor.
/// <see cref="Reason"/> says which rule; nothing was mapped or changed.
/// </summary>
public sealed class SnapshotFormatException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SnapshotFormatException(SnapshotFormatError reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>The rule the snapshot breaks.</summary>
    public SnapshotFormatError Reason { get; }
}
