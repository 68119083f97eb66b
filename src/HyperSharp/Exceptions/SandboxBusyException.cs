namespace HyperSharp;

/// <summary>
/// The sandbox is already busy: another thread is using it, or a host function called back into the sandbox
/// that is calling it. A sandbox serves one call at a time; nothing was changed.
/// </summary>
public sealed class SandboxBusyException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public SandboxBusyException()
        : base("The sandbox is already in use, by another thread or by the call that is running the current host function; a sandbox serves one call at a time.")
    {
    }
}
