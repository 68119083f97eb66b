using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// The <c>/dev/kvm</c> system fd: API version, capabilities, CPUID, and VM creation
/// (the counterpart of kvm-ioctls' <c>Kvm</c>). One instance is shared by every sandbox.
/// </summary>
internal sealed class KvmDevice : IDisposable
{
    public const string DevicePath = "/dev/kvm";

    private static readonly KvmCapability[] s_requiredCapabilities =
    [
        KvmCapability.KVM_CAP_USER_MEMORY, KvmCapability.KVM_CAP_EXT_CPUID, KvmCapability.KVM_CAP_IMMEDIATE_EXIT,
        KvmCapability.KVM_CAP_XSAVE, KvmCapability.KVM_CAP_XCRS, KvmCapability.KVM_CAP_DEBUGREGS, KvmCapability.KVM_CAP_VCPU_EVENTS,
    ];

    private const int E2BIG = 7;

    private static readonly Lazy<(KvmDevice? Device, string? Problem)> s_shared = new(OpenShared);

    private readonly SafeFileDescriptor _fd;

    /// <summary>Held by the shared device only; see <see cref="StaticKeyPin"/>.</summary>
    private StaticKeyPin? _staticKeyPin;

    /// <summary>The register sets HyperSharp loads through <c>kvm_run</c> when KVM offers all of them.</summary>
    private const int SyncRegsNeeded = KvmRun.KVM_SYNC_X86_REGS | KvmRun.KVM_SYNC_X86_SREGS | KvmRun.KVM_SYNC_X86_EVENTS;

    private KvmDevice(SafeFileDescriptor fd, int vcpuMmapSize, KvmCpuidEntry2[] guestCpuid, int xsaveSize, uint[] vcpuStateMsrs, bool syncRegs,
        bool manualDirtyLogProtect)
    {
        _fd = fd;
        SyncRegs = syncRegs;
        ManualDirtyLogProtect = manualDirtyLogProtect;
        VcpuMmapSize = vcpuMmapSize;
        GuestCpuid = guestCpuid;
        XsaveSize = xsaveSize;
        VcpuStateMsrs = vcpuStateMsrs;
    }

    /// <summary>Bytes of the per-vCPU <c>kvm_run</c> mapping (<c>KVM_GET_VCPU_MMAP_SIZE</c>).</summary>
    public int VcpuMmapSize { get; }

    /// <summary>The CPUID every guest sees: the supported set with VMX, SVM and x2APIC removed.</summary>
    public KvmCpuidEntry2[] GuestCpuid { get; }

    /// <summary>Bytes of a vCPU's XSAVE area: <c>struct kvm_xsave</c>, or the larger size <c>KVM_CAP_XSAVE2</c> reports.</summary>
    public int XsaveSize { get; }

    /// <summary>
    /// Whether <c>KVM_CAP_SYNC_REGS</c> covers regs, sregs and events: then a restore hands them to the next
    /// <c>KVM_RUN</c> in <c>kvm_run</c> instead of making three ioctls.
    /// </summary>
    public bool SyncRegs { get; }

    /// <summary>
    /// Whether <c>KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2</c> is offered: then reading the dirty log leaves pages writable
    /// until <c>KVM_CLEAR_DIRTY_LOG</c> protects them, so a restore may leave the pages every run writes unprotected.
    /// </summary>
    public bool ManualDirtyLogProtect { get; }

    /// <summary>The <see cref="KvmMsrs.VcpuState"/> MSRs that <c>KVM_GET_MSR_INDEX_LIST</c> lists here, in that order.</summary>
    public uint[] VcpuStateMsrs { get; }

    /// <summary>The process-wide device, opened on first use.</summary>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used here; the message says why.</exception>
    public static KvmDevice Shared
    {
        get
        {
            var (device, problem) = s_shared.Value;
            return device ?? throw new HypervisorUnavailableException(problem!);
        }
    }

    /// <summary>Why KVM cannot be used, or null when it can.</summary>
    public static string? UnavailableReason => s_shared.Value.Problem;

    /// <summary>Opens and checks a KVM device; the error says which requirement failed.</summary>
    public static KvmDevice Open(string path = DevicePath)
    {
        var fd = new SafeFileDescriptor(Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC));
        if (fd.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            fd.Dispose();
            throw new HypervisorUnavailableException(errno switch
            {
                Libc.ENOENT => $"{path} does not exist: KVM is not enabled on this machine (no virtualization support, or the kvm module is not loaded).",
                Libc.EACCES or Libc.EPERM => $"Permission denied opening {path}: add the user to the 'kvm' group or grant access to the device.",
                _ => $"Cannot open {path}: {Libc.DescribeErrno(errno)} (errno {errno}).",
            });
        }

        try
        {
            var version = Libc.Ioctl(fd, KvmIoctls.KVM_GET_API_VERSION, 0);
            if (version != KvmIoctls.KVM_API_VERSION)
            {
                throw new HypervisorUnavailableException($"{path} speaks KVM API version {version}; HyperSharp needs {KvmIoctls.KVM_API_VERSION}.");
            }

            foreach (var capability in s_requiredCapabilities)
            {
                if (Libc.Ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (nint)capability) <= 0)
                {
                    throw new HypervisorUnavailableException($"KVM lacks the required capability {capability}.");
                }
            }

            var mmapSize = Libc.Ioctl(fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0);
            if (mmapSize < Unsafe.SizeOf<KvmRun>())
            {
                throw new HypervisorUnavailableException($"KVM_GET_VCPU_MMAP_SIZE returned {mmapSize}.");
            }

            var xsaveSize = Math.Max(Unsafe.SizeOf<KvmXsave>(), Libc.Ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (nint)KvmCapability.KVM_CAP_XSAVE2));
            var listed = GetMsrIndexList(fd);
            uint[] stateMsrs = [.. KvmMsrs.VcpuState.ToArray().Where(listed.Contains)];
            var syncRegs = (Libc.Ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (nint)KvmCapability.KVM_CAP_SYNC_REGS) & SyncRegsNeeded) == SyncRegsNeeded;
            // The answer is the set of flags the capability accepts; 0 (or an error) where it is unknown.
            var protectFlags = Libc.Ioctl(fd, KvmIoctls.KVM_CHECK_EXTENSION, (nint)KvmCapability.KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
            var manualProtect = protectFlags > 0 && ((ulong)protectFlags & KvmEnableCap.KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) != 0;
            return new KvmDevice(fd, mmapSize, GuestCpuidFrom(GetSupportedCpuid(fd)), xsaveSize, stateMsrs, syncRegs, manualProtect);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Wraps <c>KVM_CREATE_VM</c>.</summary>
    public KvmVm CreateVm()
    {
        var vm = new SafeFileDescriptor(Libc.Ioctl(_fd, KvmIoctls.KVM_CREATE_VM, 0));
        if (vm.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            vm.Dispose();
            throw new HypervisorException("KVM_CREATE_VM", errno);
        }

        return new KvmVm(vm);
    }

    /// <summary>Whether this device holds an idle VM that keeps KVM's static keys enabled (the shared device does).</summary>
    public bool PinsStaticKeys => _staticKeyPin is not null;

    public void Dispose()
    {
        _staticKeyPin?.Dispose();
        _fd.Dispose();
    }

    /// <summary>Wraps <c>KVM_GET_SUPPORTED_CPUID</c>, growing the buffer while the kernel says E2BIG.</summary>
    private static unsafe KvmCpuidEntry2[] GetSupportedCpuid(SafeFileDescriptor fd)
    {
        for (var capacity = 64; capacity <= 4096; capacity *= 2)
        {
            var bytes = sizeof(KvmCpuid2Header) + (capacity * sizeof(KvmCpuidEntry2));
            var buffer = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
            try
            {
                // SAFETY: buffer holds a header plus `capacity` entries, the size announced in nent.
                ((KvmCpuid2Header*)buffer)->Nent = (uint)capacity;
                if (Libc.Ioctl(fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, buffer) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == E2BIG)
                    {
                        continue;
                    }

                    throw new HypervisorUnavailableException($"KVM_GET_SUPPORTED_CPUID failed: {Libc.DescribeErrno(errno)}.");
                }

                // SAFETY: the kernel wrote nent <= capacity entries after the header.
                var count = (int)Math.Min(((KvmCpuid2Header*)buffer)->Nent, (uint)capacity);
                return new ReadOnlySpan<KvmCpuidEntry2>(buffer + sizeof(KvmCpuid2Header), count).ToArray();
            }
            finally
            {
                // SAFETY: allocated above with NativeMemory.AllocZeroed and not freed elsewhere.
                NativeMemory.Free(buffer);
            }
        }

        throw new HypervisorUnavailableException("KVM_GET_SUPPORTED_CPUID reports more than 4096 entries.");
    }

    /// <summary>Wraps <c>KVM_GET_MSR_INDEX_LIST</c>: asked with room for none, the kernel fails with E2BIG and says how many there are.</summary>
    private static unsafe HashSet<uint> GetMsrIndexList(SafeFileDescriptor fd)
    {
        KvmMsrListHeader probe = default;
        // SAFETY: `probe` is a local header announcing zero indices, so the kernel writes only its count.
        if (Libc.Ioctl(fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, &probe) == 0)
        {
            return [];
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno != E2BIG)
        {
            throw new HypervisorUnavailableException($"KVM_GET_MSR_INDEX_LIST failed: {Libc.DescribeErrno(errno)}.");
        }

        var capacity = (int)probe.Nmsrs;
        var buffer = (byte*)NativeMemory.AllocZeroed((nuint)(sizeof(KvmMsrListHeader) + (capacity * sizeof(uint))));
        try
        {
            // SAFETY: buffer holds a header plus `capacity` indices, the size announced in nmsrs.
            ((KvmMsrListHeader*)buffer)->Nmsrs = (uint)capacity;
            if (Libc.Ioctl(fd, KvmIoctls.KVM_GET_MSR_INDEX_LIST, buffer) < 0)
            {
                throw new HypervisorUnavailableException($"KVM_GET_MSR_INDEX_LIST failed: {Libc.DescribeErrno(Marshal.GetLastPInvokeError())}.");
            }

            // SAFETY: the kernel wrote nmsrs <= capacity indices after the header.
            var count = (int)Math.Min(((KvmMsrListHeader*)buffer)->Nmsrs, (uint)capacity);
            return [.. new ReadOnlySpan<uint>(buffer + sizeof(KvmMsrListHeader), count)];
        }
        finally
        {
            // SAFETY: allocated above with NativeMemory.AllocZeroed and not freed elsewhere.
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>Hides what a guest must not use: nested virtualization (VMX, SVM) and x2APIC (no local APIC is emulated).</summary>
    private static KvmCpuidEntry2[] GuestCpuidFrom(KvmCpuidEntry2[] supported)
    {
        for (var i = 0; i < supported.Length; i++)
        {
            ref var entry = ref supported[i];
            if (entry.Function == 1)
            {
                entry.Ecx &= ~((1u << 5) | (1u << 21)); // VMX, x2APIC
            }
            else if (entry.Function == 0x8000_0001)
            {
                entry.Ecx &= ~(1u << 2); // SVM
            }
        }

        return supported;
    }

    private static (KvmDevice?, string?) OpenShared()
    {
        try
        {
            var device = Open();
            device._staticKeyPin = StaticKeyPin.TryCreate(device);
            return (device, null);
        }
        catch (HypervisorUnavailableException e)
        {
            return (null, e.Message);
        }
    }
}
