using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>A KVM VM fd with its memory slots and its single vCPU.</summary>
internal sealed unsafe class KvmVirtualMachine : IVirtualMachine
{
    private readonly SafeFileDescriptor _fd;
    private readonly KvmVcpu _vcpu;

    public KvmVirtualMachine(KvmDevice device)
    {
        _fd = device.CreateVmFd();
        try
        {
            _vcpu = new KvmVcpu(CreateVcpu(0), device.VcpuMmapSize);
            _vcpu.SetCpuid2(device.GuestCpuid);
        }
        catch
        {
            _vcpu?.Dispose();
            _fd.Dispose();
            throw;
        }
    }

    /// <summary>Wraps <c>KVM_SET_USER_MEMORY_REGION</c>.</summary>
    public void MapMemory(uint slot, ulong guestAddress, nint hostAddress, ulong size)
    {
        var region = new KvmUserspaceMemoryRegion
        {
            Slot = slot,
            GuestPhysAddr = guestAddress,
            MemorySize = size,
            UserspaceAddr = (ulong)hostAddress,
        };
        // SAFETY: `region` is a local (never moves) of kvm_userspace_memory_region size.
        if (Libc.Ioctl(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, &region) < 0)
        {
            throw new HypervisorException("KVM_SET_USER_MEMORY_REGION", Marshal.GetLastPInvokeError());
        }
    }

    public VcpuExit Run() => _vcpu.RunOnce();

    public StandardRegisters GetRegisters() => _vcpu.GetRegs();

    public void SetRegisters(in StandardRegisters registers) => _vcpu.SetRegs(registers);

    public SpecialRegisters GetSpecialRegisters() => _vcpu.GetSregs();

    public void SetSpecialRegisters(in SpecialRegisters registers) => _vcpu.SetSregs(registers);

    public void Dispose()
    {
        _vcpu.Dispose();
        _fd.Dispose();
    }

    /// <summary>Wraps <c>KVM_CREATE_VCPU</c>.</summary>
    private SafeFileDescriptor CreateVcpu(int id)
    {
        var vcpu = new SafeFileDescriptor(Libc.Ioctl(_fd, KvmIoctls.KVM_CREATE_VCPU, id));
        if (vcpu.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            vcpu.Dispose();
            throw new HypervisorException("KVM_CREATE_VCPU", errno);
        }

        return vcpu;
    }
}
