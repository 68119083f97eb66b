namespace HyperSharp;

/// <summary>
/// A file or directory HyperSharp had to read or write could not be: it is missing, permission is denied, the disk is
/// full, an I/O error occurred. <see cref="Path"/> names it; the message gives the operating system's reason.
/// </summary>
public sealed class SandboxIOException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxIOException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file or directory, as the caller named it or as HyperSharp derived it from what the caller named.</summary>
    public string Path { get; }
}
