using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors.Whp;

/// <summary><c>WHV_CAPABILITY_CODE</c>: the capabilities HyperSharp asks <c>WHvGetCapability</c> for.</summary>
internal enum WhpCapability : uint
{
    WHvCapabilityCodeHypervisorPresent = 0x00000000,
    WHvCapabilityCodeFeatures = 0x00000001,
    WHvCapabilityCodeProcessorClockFrequency = 0x00001004,
}

/// <summary><c>WHV_PARTITION_PROPERTY_CODE</c>: the partition properties HyperSharp sets.</summary>
internal enum WhpPartitionProperty : uint
{
    WHvPartitionPropertyCodeProcessorCount = 0x00001fff,
}

/// <summary><c>WHV_MAP_GPA_RANGE_FLAGS</c>.</summary>
[Flags]
internal enum WhpMapGpaRangeFlags : uint
{
    WHvMapGpaRangeFlagNone = 0x00000000,
    WHvMapGpaRangeFlagRead = 0x00000001,
    WHvMapGpaRangeFlagWrite = 0x00000002,
    WHvMapGpaRangeFlagExecute = 0x00000004,
    WHvMapGpaRangeFlagTrackDirtyPages = 0x00000008,
}

/// <summary><c>WHV_RUN_VP_EXIT_REASON</c>: why <c>WHvRunVirtualProcessor</c> returned.</summary>
internal enum WhpExitReason : uint
{
    WHvRunVpExitReasonNone = 0x00000000,
    WHvRunVpExitReasonMemoryAccess = 0x00000001,
    WHvRunVpExitReasonX64IoPortAccess = 0x00000002,
    WHvRunVpExitReasonUnrecoverableException = 0x00000004,
    WHvRunVpExitReasonInvalidVpRegisterValue = 0x00000005,
    WHvRunVpExitReasonUnsupportedFeature = 0x00000006,
    WHvRunVpExitReasonX64Halt = 0x00000008,
    WHvRunVpExitReasonException = 0x00001002,
    WHvRunVpExitReasonCanceled = 0x00002001,
}

/// <summary><c>WHV_X64_PENDING_INTERRUPTION_TYPE</c>: what <c>WHvRegisterPendingInterruption</c> holds.</summary>
internal enum WhpPendingInterruptionType : uint
{
    WHvX64PendingInterrupt = 0,
    WHvX64PendingNmi = 2,
    WHvX64PendingException = 3,
}

/// <summary><c>WHV_REGISTER_NAME</c>: every register HyperSharp reads or writes.</summary>
internal enum WhpRegister : uint
{
    WHvX64RegisterRax = 0x00000000,
    WHvX64RegisterRcx = 0x00000001,
    WHvX64RegisterRdx = 0x00000002,
    WHvX64RegisterRbx = 0x00000003,
    WHvX64RegisterRsp = 0x00000004,
    WHvX64RegisterRbp = 0x00000005,
    WHvX64RegisterRsi = 0x00000006,
    WHvX64RegisterRdi = 0x00000007,
    WHvX64RegisterR8 = 0x00000008,
    WHvX64RegisterR9 = 0x00000009,
    WHvX64RegisterR10 = 0x0000000A,
    WHvX64RegisterR11 = 0x0000000B,
    WHvX64RegisterR12 = 0x0000000C,
    WHvX64RegisterR13 = 0x0000000D,
    WHvX64RegisterR14 = 0x0000000E,
    WHvX64RegisterR15 = 0x0000000F,
    WHvX64RegisterRip = 0x00000010,
    WHvX64RegisterRflags = 0x00000011,
    WHvX64RegisterEs = 0x00000012,
    WHvX64RegisterCs = 0x00000013,
    WHvX64RegisterSs = 0x00000014,
    WHvX64RegisterDs = 0x00000015,
    WHvX64RegisterFs = 0x00000016,
    WHvX64RegisterGs = 0x00000017,
    WHvX64RegisterLdtr = 0x00000018,
    WHvX64RegisterTr = 0x00000019,
    WHvX64RegisterIdtr = 0x0000001A,
    WHvX64RegisterGdtr = 0x0000001B,
    WHvX64RegisterCr0 = 0x0000001C,
    WHvX64RegisterCr2 = 0x0000001D,
    WHvX64RegisterCr3 = 0x0000001E,
    WHvX64RegisterCr4 = 0x0000001F,
    WHvX64RegisterCr8 = 0x00000020,
    WHvX64RegisterDr0 = 0x00000021,
    WHvX64RegisterDr1 = 0x00000022,
    WHvX64RegisterDr2 = 0x00000023,
    WHvX64RegisterDr3 = 0x00000024,
    WHvX64RegisterDr6 = 0x00000025,
    WHvX64RegisterDr7 = 0x00000026,
    WHvX64RegisterXCr0 = 0x00000027,
    WHvX64RegisterTsc = 0x00002000,
    WHvX64RegisterEfer = 0x00002001,
    WHvX64RegisterKernelGsBase = 0x00002002,
    WHvX64RegisterApicBase = 0x00002003,
    WHvX64RegisterPat = 0x00002004,
    WHvX64RegisterSysenterCs = 0x00002005,
    WHvX64RegisterSysenterEip = 0x00002006,
    WHvX64RegisterSysenterEsp = 0x00002007,
    WHvX64RegisterStar = 0x00002008,
    WHvX64RegisterLstar = 0x00002009,
    WHvX64RegisterCstar = 0x0000200A,
    WHvX64RegisterSfmask = 0x0000200B,
    WHvX64RegisterTscAux = 0x0000207B,
    WHvRegisterPendingInterruption = 0x80000000,
    WHvRegisterInterruptState = 0x80000001,
}

/// <summary>
/// Bit positions inside WHP's bitfield unions, which C# cannot declare: each is proven equal to the header's by
/// compiling a compound literal that sets the field (<c>tests/HyperSharp.AbiTests/Windows/WhpHeaderTests.cs</c>).
/// </summary>
internal static class WhvBits
{
    /// <summary><c>WHV_CAPABILITY_FEATURES.Xsave</c>.</summary>
    public const ulong FeatureXsave = 1UL << 2;

    /// <summary><c>WHV_CAPABILITY_FEATURES.DirtyPageTracking</c>.</summary>
    public const ulong FeatureDirtyPageTracking = 1UL << 3;

    /// <summary><c>WHV_X64_IO_PORT_ACCESS_INFO.IsWrite</c>.</summary>
    public const uint IoIsWrite = 1U << 0;

    /// <summary><c>WHV_X64_IO_PORT_ACCESS_INFO.AccessSize</c> (3 bits): bytes per access.</summary>
    public const int IoAccessSizeShift = 1;

    /// <summary><c>WHV_X64_IO_PORT_ACCESS_INFO.StringOp</c>.</summary>
    public const uint IoStringOp = 1U << 4;

    /// <summary><c>WHV_X64_IO_PORT_ACCESS_INFO.RepPrefix</c>.</summary>
    public const uint IoRepPrefix = 1U << 5;

    /// <summary><c>WHV_MEMORY_ACCESS_INFO.AccessType</c> (2 bits): a <c>WHV_MEMORY_ACCESS_TYPE</c>.</summary>
    public const uint MemoryAccessTypeMask = 0x3;

    /// <summary><c>WHV_VP_EXIT_CONTEXT.InstructionLength</c>: the low 4 bits of its byte.</summary>
    public const byte InstructionLengthMask = 0xF;

    /// <summary><c>WHV_X64_SEGMENT_REGISTER</c> attribute fields: SegmentType (4 bits) at 0, NonSystemSegment at 4, DescriptorPrivilegeLevel (2 bits) at 5, Present at 7, Available at 12, Long at 13, Default at 14, Granularity at 15.</summary>
    public const int SegmentNonSystemShift = 4, SegmentDplShift = 5, SegmentPresentShift = 7, SegmentAvailableShift = 12, SegmentLongShift = 13, SegmentDefaultShift = 14, SegmentGranularityShift = 15;

    /// <summary><c>WHV_X64_INTERRUPT_STATE_REGISTER.InterruptShadow</c> and <c>.NmiMasked</c>.</summary>
    public const ulong InterruptShadow = 1UL << 0, NmiMasked = 1UL << 1;

    /// <summary><c>WHV_X64_PENDING_INTERRUPTION_REGISTER</c>: InterruptionPending at 0, InterruptionType (3 bits) at 1, DeliverErrorCode at 4, InterruptionVector (16 bits) at 16, ErrorCode in the upper 32 bits.</summary>
    public const int PendingShift = 0, PendingTypeShift = 1, PendingDeliverErrorCodeShift = 4, PendingVectorShift = 16, PendingErrorCodeShift = 32;

    /// <summary><c>WHV_MEMORY_ACCESS_TYPE</c>'s write.</summary>
    public const uint WHvMemoryAccessWrite = 1;
}

/// <summary><c>WHV_X64_SEGMENT_REGISTER</c>: the attributes are a 16-bit field of bitfields (<see cref="WhvBits"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvX64SegmentRegister
{
    public ulong Base;
    public uint Limit;
    public ushort Selector;
    public ushort Attributes;
}

/// <summary><c>WHV_X64_TABLE_REGISTER</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvX64TableRegister
{
    public ushort Pad0, Pad1, Pad2;
    public ushort Limit;
    public ulong Base;
}

/// <summary><c>WHV_REGISTER_VALUE</c>: a 16-byte union, of which HyperSharp uses the 64-bit, segment and table views.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct WhvRegisterValue
{
    [FieldOffset(0)]
    public ulong Reg64;

    [FieldOffset(8)]
    public ulong High64;

    [FieldOffset(0)]
    public WhvX64SegmentRegister Segment;

    [FieldOffset(0)]
    public WhvX64TableRegister Table;
}

/// <summary><c>WHV_VP_EXIT_CONTEXT</c>: the vCPU's state at every exit.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvVpExitContext
{
    public ushort ExecutionState;

    /// <summary><c>InstructionLength : 4</c> and <c>Cr8 : 4</c>, one byte.</summary>
    public byte InstructionLengthCr8;

    public byte Reserved;
    public uint Reserved2;
    public WhvX64SegmentRegister Cs;
    public ulong Rip;
    public ulong Rflags;
}

/// <summary>Three reserved bytes.</summary>
[InlineArray(3)]
internal struct WhvBytes3
{
    private byte _element0;
}

/// <summary>The instruction bytes WHP reports with an exit.</summary>
[InlineArray(16)]
internal struct WhvBytes16
{
    private byte _element0;
}

/// <summary>Three reserved 16-bit words.</summary>
[InlineArray(3)]
internal struct WhvWords3
{
    private ushort _element0;
}

/// <summary><c>WHV_MEMORY_ACCESS_CONTEXT</c>: an access to a guest-physical address nothing is mapped at.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvMemoryAccessContext
{
    public byte InstructionByteCount;
    public WhvBytes3 Reserved;
    public WhvBytes16 InstructionBytes;
    public uint AccessInfo;
    public ulong Gpa;
    public ulong Gva;
}

/// <summary><c>WHV_X64_IO_PORT_ACCESS_CONTEXT</c>: an IN or OUT, with the registers a string instruction uses.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvX64IoPortAccessContext
{
    public byte InstructionByteCount;
    public WhvBytes3 Reserved;
    public WhvBytes16 InstructionBytes;
    public uint AccessInfo;
    public ushort PortNumber;
    public WhvWords3 Reserved2;
    public ulong Rax;
    public ulong Rcx;
    public ulong Rsi;
    public ulong Rdi;
    public WhvX64SegmentRegister Ds;
    public WhvX64SegmentRegister Es;
}

/// <summary><c>WHV_VP_EXCEPTION_CONTEXT</c>: an exception the partition was asked to exit on.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct WhvVpExceptionContext
{
    public byte InstructionByteCount;
    public WhvBytes3 Reserved;
    public WhvBytes16 InstructionBytes;
    public uint ExceptionInfo;
    public byte ExceptionType;
    public WhvBytes3 Reserved2;
    public uint ErrorCode;
    public ulong ExceptionParameter;
}

/// <summary>
/// <c>WHV_RUN_VP_EXIT_CONTEXT</c>: what <c>WHvRunVirtualProcessor</c> fills. The reason-specific part is a union at
/// offset 48; the members HyperSharp reads overlay it, and the size is the header's (its largest member is 176 bytes).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 224)]
internal struct WhvRunVpExitContext
{
    [FieldOffset(0)]
    public WhpExitReason ExitReason;

    [FieldOffset(4)]
    public uint Reserved;

    [FieldOffset(8)]
    public WhvVpExitContext VpContext;

    [FieldOffset(48)]
    public WhvMemoryAccessContext MemoryAccess;

    [FieldOffset(48)]
    public WhvX64IoPortAccessContext IoPortAccess;

    [FieldOffset(48)]
    public WhvVpExceptionContext VpException;

    [FieldOffset(48)]
    public uint CancelReason;
}
