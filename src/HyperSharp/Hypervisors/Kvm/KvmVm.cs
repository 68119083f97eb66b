using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// A KVM VM fd (the counterpart of kvm-ioctls' <c>VmFd</c>): each method wraps the ioctl it is named after and reports
/// failures as errno. What HyperSharp does with a VM — one vCPU, staged registers, kicks — is
/// <see cref="KvmVirtualMachine"/>'s business.
/// </summary>
internal sealed unsafe class KvmVm : IDisposable
{
    private readonly SafeFileDescriptor _fd;

    /// <summary>Takes ownership of <paramref name="fd"/>, a descriptor <c>KVM_CREATE_VM</c> returned.</summary>
    public KvmVm(SafeFileDescriptor fd) => _fd = fd;

    /// <summary>Wraps <c>KVM_SET_USER_MEMORY_REGION</c>.</summary>
    public void SetUserMemoryRegion(in KvmUserspaceMemoryRegion region)
    {
        // SAFETY: fixed pins the caller's struct, which has kvm_userspace_memory_region's size (an ABI test checks it).
        fixed (KvmUserspaceMemoryRegion* pointer = &region)
        {
            if (Libc.Ioctl(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, pointer) < 0)
            {
                throw new HypervisorException("KVM_SET_USER_MEMORY_REGION", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Wraps <c>KVM_GET_DIRTY_LOG</c>, which also clears the log (write-protecting the pages again).</summary>
    public void GetDirtyLog(uint slot, Span<ulong> bitmap)
    {
        // SAFETY: fixed pins the bitmap for the call; `log` is a local of kvm_dirty_log size; the kernel writes one
        // bit per page of the slot into the bitmap, whose length the caller sized from the slot (GuestMemory.DirtyBitmapLength).
        fixed (ulong* pointer = bitmap)
        {
            var log = new KvmDirtyLog { Slot = slot, DirtyBitmap = (ulong)pointer };
            if (Libc.Ioctl(_fd, KvmIoctls.KVM_GET_DIRTY_LOG, &log) < 0)
            {
                throw new HypervisorException("KVM_GET_DIRTY_LOG", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Wraps <c>KVM_CREATE_VCPU</c>: the new vCPU's descriptor, owned by the caller.</summary>
    public SafeFileDescriptor CreateVcpu(int id)
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

    public void Dispose() => _fd.Dispose();
}
