using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// An idle VM with one vCPU that the shared device keeps for the process's lifetime. Creating the first VM or vCPU on
/// a host, and destroying the last, flips static keys in KVM: the kernel rewrites its own code and interrupts every
/// CPU to do it. While this pair exists, a sandbox created and disposed when no other VM is alive crosses neither
/// edge (docs/performance.md: about 0.3 ms per sandbox on the development host). It never runs and has no memory;
/// if it cannot be created, sandboxes work as before, only slower in that case.
/// </summary>
internal sealed class StaticKeyPin : IDisposable
{
    private readonly KvmVm _vm;
    private readonly SafeFileDescriptor _vcpu;

    private StaticKeyPin(KvmVm vm, SafeFileDescriptor vcpu)
    {
        _vm = vm;
        _vcpu = vcpu;
    }

    /// <summary>Creates the pair, or returns null when KVM refuses (for instance at a VM or vCPU limit).</summary>
    public static StaticKeyPin? TryCreate(KvmDevice device)
    {
        KvmVm? vm = null;
        try
        {
            vm = device.CreateVm();
            return new StaticKeyPin(vm, vm.CreateVcpu(0));
        }
        catch (HypervisorException)
        {
            vm?.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _vm.Dispose();
    }
}
