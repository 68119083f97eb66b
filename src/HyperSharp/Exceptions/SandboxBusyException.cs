namespace HyperSharp;

/// <summary>Another thread is using the sandbox. A sandbox serves one call at a time; nothing was changed.</summary>
public sealed class SandboxBusyException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxBusyException()
        : base("The sandbox is already in use by another thread; a sandbox serves one call at a time.")
    {
    }
}
