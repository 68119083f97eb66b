using HyperSharp.Hypervisors.Kvm;

namespace HyperSharp.Hypervisors;

/// <summary>The one place that chooses the hypervisor backend: KVM on Linux; elsewhere none yet, which says so.</summary>
internal static class HypervisorBackend
{
    public static IHypervisorBackend Current { get; } = OperatingSystem.IsLinux()
        ? new KvmBackend()
        : new MissingBackend($"HyperSharp has no hypervisor backend for {System.Runtime.InteropServices.RuntimeInformation.OSDescription} yet; it runs guests on Linux with KVM.");
}
