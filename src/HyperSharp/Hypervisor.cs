using HyperSharp.Hypervisors.Kvm;

namespace HyperSharp;

/// <summary>Whether this machine can run sandboxes, and why not.</summary>
public static class Hypervisor
{
    /// <summary>True when KVM is present, accessible and has every capability HyperSharp needs.</summary>
    public static bool IsAvailable => KvmDevice.UnavailableReason is null;

    /// <summary>Why no sandbox can be created here, or null when <see cref="IsAvailable"/>.</summary>
    public static string? UnavailableReason => KvmDevice.UnavailableReason;

    /// <summary>The backend in use: <c>"kvm"</c>.</summary>
    public static string Name => "kvm";
}
