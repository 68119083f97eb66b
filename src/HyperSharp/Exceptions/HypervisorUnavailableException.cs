namespace HyperSharp;

/// <summary>No usable hypervisor: the device is missing, not accessible, of the wrong API version, or lacks a required capability.</summary>
public sealed class HypervisorUnavailableException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public HypervisorUnavailableException(string message)
        : base(message)
    {
    }
}
