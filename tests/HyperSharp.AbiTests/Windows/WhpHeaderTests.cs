using System.Globalization;
using System.Runtime.CompilerServices;
using HyperSharp.Hypervisors.Whp;
using Xunit;

namespace HyperSharp.AbiTests.Windows;

/// <summary>
/// Every struct, enum value and bitfield position the WHP backend mirrors from <c>winhvplatformdefs.h</c> equals the
/// header's, with mingw-w64's cross compiler as the oracle (nothing is run: WHP cannot run here).
/// </summary>
public sealed class WhpHeaderTests
{
    private const string Prelude = "#include <windows.h>\n#include <winhvplatform.h>";

    [Fact]
    public void StructSizesAndFieldOffsetsMatchTheHeader()
    {
        var asserts = new CAssertions(Prelude, windows: true);
        asserts.Struct<WhvX64SegmentRegister>("WHV_X64_SEGMENT_REGISTER");
        asserts.Struct<WhvX64TableRegister>("WHV_X64_TABLE_REGISTER", ("Pad0", "Pad"), ("Pad1", "Pad[1]"), ("Pad2", "Pad[2]"));
        asserts.Struct<WhvRegisterValue>("WHV_REGISTER_VALUE", ("High64", "Reg128.High64"));
        asserts.Equal("_Alignof(WHV_REGISTER_VALUE)", 16, "WhpRegisterBuffer's alignment");
        asserts.Equal("sizeof(WHV_REGISTER_NAME)", sizeof(uint), "WhpRegister's underlying type");
        asserts.Offsets<WhvVpExitContext>("WHV_VP_EXIT_CONTEXT",
            ("ExecutionState", "ExecutionState"), ("Reserved", "Reserved"), ("Reserved2", "Reserved2"), ("Cs", "Cs"), ("Rip", "Rip"), ("Rflags", "Rflags"));
        asserts.Equal("sizeof(WHV_VP_EXIT_CONTEXT)", Unsafe.SizeOf<WhvVpExitContext>(), nameof(WhvVpExitContext));
        asserts.Struct<WhvMemoryAccessContext>("WHV_MEMORY_ACCESS_CONTEXT");
        asserts.Struct<WhvX64IoPortAccessContext>("WHV_X64_IO_PORT_ACCESS_CONTEXT");
        asserts.Struct<WhvVpExceptionContext>("WHV_VP_EXCEPTION_CONTEXT");
        asserts.Struct<WhvRunVpExitContext>("WHV_RUN_VP_EXIT_CONTEXT");
        asserts.CompileOrFail();
    }

    [Fact]
    public void EnumValuesMatchTheHeader()
    {
        var asserts = new CAssertions(Prelude, windows: true);
        AssertEnum<WhpCapability>(asserts);
        AssertEnum<WhpPartitionProperty>(asserts);
        AssertEnum<WhpMapGpaRangeFlags>(asserts);
        AssertEnum<WhpExitReason>(asserts);
        AssertEnum<WhpPendingInterruptionType>(asserts);
        AssertEnum<WhpRegister>(asserts);
        asserts.Equal("WHvMemoryAccessWrite", WhvBits.WHvMemoryAccessWrite, "WhvBits.WHvMemoryAccessWrite");
        asserts.CompileOrFail();
    }

    /// <summary>C# has no bitfields: each position in <see cref="WhvBits"/> is proven by setting the C field and reading the whole.</summary>
    [Fact]
    public void BitfieldPositionsMatchTheHeader()
    {
        var asserts = new CAssertions(Prelude, windows: true);
        Bit(asserts, "WHV_CAPABILITY_FEATURES", "Xsave = 1", "AsUINT64", (long)WhvBits.FeatureXsave);
        Bit(asserts, "WHV_CAPABILITY_FEATURES", "DirtyPageTracking = 1", "AsUINT64", (long)WhvBits.FeatureDirtyPageTracking);
        Bit(asserts, "WHV_X64_IO_PORT_ACCESS_INFO", "IsWrite = 1", "AsUINT32", WhvBits.IoIsWrite);
        Bit(asserts, "WHV_X64_IO_PORT_ACCESS_INFO", "AccessSize = 7", "AsUINT32", 7L << WhvBits.IoAccessSizeShift);
        Bit(asserts, "WHV_X64_IO_PORT_ACCESS_INFO", "StringOp = 1", "AsUINT32", WhvBits.IoStringOp);
        Bit(asserts, "WHV_X64_IO_PORT_ACCESS_INFO", "RepPrefix = 1", "AsUINT32", WhvBits.IoRepPrefix);
        Bit(asserts, "WHV_MEMORY_ACCESS_INFO", "AccessType = 3", "AsUINT32", WhvBits.MemoryAccessTypeMask);
        asserts.Folded("((union { WHV_VP_EXIT_CONTEXT c; unsigned char b[40]; }){ .c = { .InstructionLength = 15 } }).b[2]",
            WhvBits.InstructionLengthMask, "WhvBits.InstructionLengthMask");
        asserts.Equal("offsetof(WHV_VP_EXIT_CONTEXT, Reserved) - 1", 2, "the InstructionLength byte's offset");
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "SegmentType = 15", "Attributes", 0xF);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "NonSystemSegment = 1", "Attributes", 1L << WhvBits.SegmentNonSystemShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "DescriptorPrivilegeLevel = 3", "Attributes", 3L << WhvBits.SegmentDplShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Present = 1", "Attributes", 1L << WhvBits.SegmentPresentShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Available = 1", "Attributes", 1L << WhvBits.SegmentAvailableShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Long = 1", "Attributes", 1L << WhvBits.SegmentLongShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Default = 1", "Attributes", 1L << WhvBits.SegmentDefaultShift);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Granularity = 1", "Attributes", 1L << WhvBits.SegmentGranularityShift);
        Bit(asserts, "WHV_X64_INTERRUPT_STATE_REGISTER", "InterruptShadow = 1", "AsUINT64", (long)WhvBits.InterruptShadow);
        Bit(asserts, "WHV_X64_INTERRUPT_STATE_REGISTER", "NmiMasked = 1", "AsUINT64", (long)WhvBits.NmiMasked);
        Bit(asserts, "WHV_X64_PENDING_INTERRUPTION_REGISTER", "InterruptionPending = 1", "AsUINT64", 1L << WhvBits.PendingShift);
        Bit(asserts, "WHV_X64_PENDING_INTERRUPTION_REGISTER", "InterruptionType = 7", "AsUINT64", 7L << WhvBits.PendingTypeShift);
        Bit(asserts, "WHV_X64_PENDING_INTERRUPTION_REGISTER", "DeliverErrorCode = 1", "AsUINT64", 1L << WhvBits.PendingDeliverErrorCodeShift);
        Bit(asserts, "WHV_X64_PENDING_INTERRUPTION_REGISTER", "InterruptionVector = 0xFFFF", "AsUINT64", 0xFFFFL << WhvBits.PendingVectorShift);
        Bit(asserts, "WHV_X64_PENDING_INTERRUPTION_REGISTER", "ErrorCode = 0x7FFFFFFF", "AsUINT64", 0x7FFFFFFFL << WhvBits.PendingErrorCodeShift);
        asserts.CompileOrFail();
    }

    [Fact]
    public void TheOracleCatchesAMismatch()
    {
        var asserts = new CAssertions(Prelude, windows: true);
        Bit(asserts, "WHV_X64_SEGMENT_REGISTER", "Long = 1", "Attributes", 1L << WhvBits.SegmentDefaultShift);
        MingwCompiler.SkipUnlessAvailable();
        Assert.NotEqual(0, asserts.Compile().ExitCode);
    }

    /// <summary>Every member of <typeparamref name="T"/> is named as in the header, with the header's value.</summary>
    private static void AssertEnum<T>(CAssertions asserts)
        where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            asserts.Equal(value.ToString(), Convert.ToInt64(value, CultureInfo.InvariantCulture), $"{typeof(T).Name}.{value}");
        }
    }

    /// <summary>A union of type <paramref name="union"/> with only <paramref name="initializer"/> set reads <paramref name="expected"/> as <paramref name="whole"/>.</summary>
    private static void Bit(CAssertions asserts, string union, string initializer, string whole, long expected) =>
        asserts.Folded($"(({union}){{ .{initializer} }}).{whole}", expected, $"{union}.{initializer.Split(' ')[0]}");
}
