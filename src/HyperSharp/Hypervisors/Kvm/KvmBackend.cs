using HyperSharp.Memory;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>KVM as HyperSharp's backend: the process-wide <c>/dev/kvm</c> (<see cref="KvmDevice.Shared"/>) and its VMs.</summary>
internal sealed class KvmBackend : IHypervisorBackend
{
    public string Name => "kvm";

    public string? UnavailableReason => KvmDevice.UnavailableReason;

    public int MaxMsrs => KvmVcpu.MaxMsrsPerIoctl;

    public IVirtualMachine CreateVirtualMachine(GuestMemory memory) => GuestMemorySlot.MapInto(new KvmVirtualMachine(KvmDevice.Shared), memory);

    public List<string> StateMismatches(VcpuState state) => KvmStateCompatibility.Mismatches(state, KvmDevice.Shared);
}
