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

    /// <summary>Wraps <c>KVM_ENABLE_CAP</c> on the VM: enables <paramref name="capability"/> with its first argument.</summary>
    public void EnableCap(KvmCapability capability, ulong argument)
    {
        var enable = new KvmEnableCap { Cap = (uint)capability };
        enable.Args[0] = argument;
        // SAFETY: `enable` is a local of kvm_enable_cap's size (an ABI test checks it), alive for the call.
        if (Libc.Ioctl(_fd, KvmIoctls.KVM_ENABLE_CAP, &enable) < 0)
        {
            throw new HypervisorException("KVM_ENABLE_CAP", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// Wraps <c>KVM_CLEAR_DIRTY_LOG</c>: clears the bits set in <paramref name="bitmap"/>, one per page of
    /// <paramref name="slot"/> from <paramref name="firstPage"/> (a multiple of 64) for <paramref name="pages"/> pages,
    /// and write-protects those pages again.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="bitmap"/> has fewer bits than <paramref name="pages"/>.</exception>
    public void ClearDirtyLog(uint slot, uint firstPage, uint pages, ReadOnlySpan<ulong> bitmap)
    {
        if ((ulong)bitmap.Length * 64 < pages)
        {
            throw new ArgumentException($"A bitmap of {bitmap.Length} words cannot cover {pages} pages.", nameof(bitmap));
        }

        // SAFETY: fixed pins the bitmap for the call; the kernel reads one bit per page of the range, which the check
        // above keeps within the bitmap.
        fixed (ulong* pointer = bitmap)
        {
            var clear = new KvmClearDirtyLog { Slot = slot, NumPages = pages, FirstPage = firstPage, DirtyBitmap = (ulong)pointer };
            if (Libc.Ioctl(_fd, KvmIoctls.KVM_CLEAR_DIRTY_LOG, &clear) < 0)
            {
                throw new HypervisorException("KVM_CLEAR_DIRTY_LOG", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>
    /// Wraps <c>KVM_GET_DIRTY_LOG</c>. Without manual protection it also clears the log, write-protecting the pages
    /// again; with <c>KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2</c> enabled it only reads it (<see cref="ClearDirtyLog"/> clears).
    /// </summary>
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
