namespace HyperSharp;

/// <summary>The guest binary is not an ELF file HyperSharp can load; the message says precisely why.</summary>
public sealed class GuestBinaryException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestBinaryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public GuestBinaryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
