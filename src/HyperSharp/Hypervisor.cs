using HyperSharp.Hypervisors;

namespace HyperSharp;

/// <summary>Whether this machine can run sandboxes, and why not.</summary>
public static class Hypervisor
{
    /// <summary>
    /// True when the hypervisor (KVM on Linux, the Windows Hypervisor Platform on Windows) is present, accessible and has
    /// every capability HyperSharp needs.
    /// </summary>
    public static bool IsAvailable => HypervisorBackend.Current.UnavailableReason is null;

    /// <summary>Why no sandbox can be created here, or null when <see cref="IsAvailable"/>.</summary>
    public static string? UnavailableReason => HypervisorBackend.Current.UnavailableReason;

    /// <summary>
    /// The backend in use, as snapshot files record it: <c>"kvm"</c> on Linux, <c>"whp"</c> on Windows (also where WHP is
    /// unavailable), <c>"none"</c> elsewhere.
    /// </summary>
    public static string Name => HypervisorBackend.Current.Name;
}
