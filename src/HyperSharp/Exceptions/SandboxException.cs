namespace HyperSharp;

/// <summary>The base type of every error HyperSharp raises about a sandbox, a guest or the hypervisor.</summary>
public class SandboxException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public SandboxException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public SandboxException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
