using HyperSharp.Hypervisors.Kvm;
using HyperSharp.Hypervisors.Whp;

namespace HyperSharp.Hypervisors;

/// <summary>
/// The one place that chooses the hypervisor backend: KVM on Linux, the Windows Hypervisor Platform on Windows (which
/// says why it is unavailable where WHP is off); elsewhere none, which says so.
/// </summary>
internal static class HypervisorBackend
{
    public static IHypervisorBackend Current { get; } =
        OperatingSystem.IsLinux() ? new KvmBackend()
        : OperatingSystem.IsWindows() ? new WhpBackend()
        : new MissingBackend($"HyperSharp has no hypervisor backend for {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; it runs guests on Linux with KVM and on Windows with the Windows Hypervisor Platform.");
}
