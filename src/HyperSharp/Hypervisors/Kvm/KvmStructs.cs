using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors.Kvm;

/// <summary><c>struct kvm_userspace_memory_region</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmUserspaceMemoryRegion
{
    public uint Slot;
    public uint Flags;
    public ulong GuestPhysAddr;
    public ulong MemorySize;
    public ulong UserspaceAddr;
}

/// <summary><c>struct kvm_dirty_log</c>: which slot, and where the kernel writes its bitmap (one bit per page).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDirtyLog
{
    /// <summary>Flag for <see cref="KvmUserspaceMemoryRegion.Flags"/>: track guest writes in the slot's dirty log.</summary>
    public const uint KVM_MEM_LOG_DIRTY_PAGES = 1;

    public uint Slot;
    public uint Padding1;
    public ulong DirtyBitmap;
}

/// <summary>
/// <c>struct kvm_clear_dirty_log</c>: write-protects again the pages set in the bitmap, from <see cref="FirstPage"/>
/// (a multiple of 64) for <see cref="NumPages"/> pages (a multiple of 64, or up to the end of the slot).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmClearDirtyLog
{
    public uint Slot;
    public uint NumPages;
    public ulong FirstPage;
    public ulong DirtyBitmap;
}

/// <summary><c>struct kvm_enable_cap</c>: a capability to enable on a VM or vCPU, with its arguments.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmEnableCap
{
    /// <summary>The argument of <see cref="KvmCapability.KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2"/> that turns it on.</summary>
    public const ulong KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1;

    public uint Cap;
    public uint Flags;
    public fixed ulong Args[4];
    public fixed byte Pad[64];
}

/// <summary><c>struct kvm_cpuid_entry2</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuidEntry2
{
    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public uint Padding0, Padding1, Padding2;
}

/// <summary>The fixed head of <c>struct kvm_cpuid2</c>; <c>nent</c> entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuid2Header
{
    public uint Nent;
    public uint Padding;
}

/// <summary>
/// The start of <c>struct kvm_run</c> (the vCPU's shared page) up to the exit union, and the union
/// members the host reads. Field offsets are checked against the header by the ABI tests.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct KvmRun
{
    public const int KVM_EXIT_UNKNOWN = 0;
    public const int KVM_EXIT_EXCEPTION = 1;
    public const int KVM_EXIT_IO = 2;
    public const int KVM_EXIT_HLT = 5;
    public const int KVM_EXIT_MMIO = 6;
    public const int KVM_EXIT_SHUTDOWN = 8;
    public const int KVM_EXIT_FAIL_ENTRY = 9;
    public const int KVM_EXIT_INTR = 10;
    public const int KVM_EXIT_INTERNAL_ERROR = 17;
    public const int KVM_EXIT_IO_IN = 0;
    public const int KVM_EXIT_IO_OUT = 1;
    public const int KVM_SYNC_X86_REGS = 1 << 0;
    public const int KVM_SYNC_X86_SREGS = 1 << 1;
    public const int KVM_SYNC_X86_EVENTS = 1 << 2;

    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(8)] public uint ExitReason;

    // union { struct { __u8 direction, size; __u16 port; __u32 count; __u64 data_offset; } io; ... } at 32
    [FieldOffset(32)] public byte IoDirection;
    [FieldOffset(33)] public byte IoSize;
    [FieldOffset(34)] public ushort IoPort;
    [FieldOffset(36)] public uint IoCount;
    [FieldOffset(40)] public ulong IoDataOffset;

    // struct { __u64 phys_addr; __u8 data[8]; __u32 len; __u8 is_write; } mmio
    [FieldOffset(32)] public ulong MmioPhysAddr;
    [FieldOffset(48)] public uint MmioLen;
    [FieldOffset(52)] public byte MmioIsWrite;

    // struct { __u64 hardware_entry_failure_reason; __u32 cpu; } fail_entry
    [FieldOffset(32)] public ulong FailEntryHardwareReason;

    // struct { __u32 suberror; ... } internal
    [FieldOffset(32)] public uint InternalSuberror;

    /// <summary>Register sets KVM copies out into <see cref="SyncRegs"/> at each exit (KVM_CAP_SYNC_REGS); HyperSharp asks for none.</summary>
    [FieldOffset(288)] public ulong KvmValidRegs;

    /// <summary>Register sets in <see cref="SyncRegs"/> that the next <c>KVM_RUN</c> loads into the vCPU, clearing each bit as it does.</summary>
    [FieldOffset(296)] public ulong KvmDirtyRegs;

    /// <summary><c>s.regs</c>, the x86 <c>struct kvm_sync_regs</c>.</summary>
    [FieldOffset(304)] public KvmSyncRegs SyncRegs;
}

/// <summary><c>struct kvm_sync_regs</c> (x86): the register sets <c>KVM_RUN</c> exchanges through <c>kvm_run</c> without ioctls of their own.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmSyncRegs
{
    public StandardRegisters Regs;
    public SpecialRegisters Sregs;
    public VcpuEvents Events;
}

/// <summary><c>struct kvm_xsave</c>: the 4 KiB XSAVE area of <c>KVM_GET_XSAVE</c>/<c>KVM_SET_XSAVE</c>, in the standard (non-compacted) format.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmXsave
{
    public RegionArray Region;

    /// <summary><c>__u32 region[1024]</c>.</summary>
    [InlineArray(1024)]
    public struct RegionArray
    {
        private uint _element0;
    }
}

/// <summary><c>struct kvm_xcr</c>: one extended control register.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmXcr
{
    public uint Xcr;
    public uint Reserved;
    public ulong Value;
}

/// <summary><c>struct kvm_xcrs</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmXcrs
{
    public const int KVM_MAX_XCRS = 16;

    public uint NrXcrs;
    public uint Flags;
    public XcrArray Xcrs;
    public PaddingArray Padding;

    /// <summary><c>struct kvm_xcr xcrs[KVM_MAX_XCRS]</c>.</summary>
    [InlineArray(KVM_MAX_XCRS)]
    public struct XcrArray
    {
        private KvmXcr _element0;
    }

    /// <summary><c>__u64 padding[16]</c>.</summary>
    [InlineArray(16)]
    public struct PaddingArray
    {
        private ulong _element0;
    }
}

/// <summary><c>struct kvm_debugregs</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDebugregs
{
    public AddressArray Db;
    public ulong Dr6;
    public ulong Dr7;
    public ulong Flags;
    public ReservedArray Reserved;

    /// <summary><c>__u64 db[4]</c>: DR0–DR3.</summary>
    [InlineArray(4)]
    public struct AddressArray
    {
        private ulong _element0;
    }

    /// <summary><c>__u64 reserved[9]</c>.</summary>
    [InlineArray(9)]
    public struct ReservedArray
    {
        private ulong _element0;
    }
}

/// <summary>The fixed head of <c>struct kvm_msrs</c>; <c>nmsrs</c> entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrsHeader
{
    public uint Nmsrs;
    public uint Pad;
}

/// <summary><c>struct kvm_msr_entry</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrEntry
{
    public uint Index;
    public uint Reserved;
    public ulong Data;
}

/// <summary>The fixed head of <c>struct kvm_msr_list</c>; <c>nmsrs</c> MSR indices (<c>__u32</c>) follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrListHeader
{
    public uint Nmsrs;
}
