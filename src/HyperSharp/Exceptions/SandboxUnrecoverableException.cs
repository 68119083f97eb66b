namespace HyperSharp;

/// <summary>
/// A restore failed after it had started replacing memory or CPU state, so the sandbox is neither its
/// old self nor the snapshot. It refuses every later call and restore; dispose it.
/// </summary>
public sealed class SandboxUnrecoverableException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxUnrecoverableException(string message, Exception? cause)
        : base(message, cause)
    {
    }
}
