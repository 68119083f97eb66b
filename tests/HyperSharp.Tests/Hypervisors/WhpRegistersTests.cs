using System.Runtime.InteropServices;
using HyperSharp.Execution;
using HyperSharp.Hypervisors;
using HyperSharp.Hypervisors.Whp;
using Xunit;

namespace HyperSharp.Tests.Hypervisors;

/// <summary>
/// The WHP backend's register conversions are plain code, so they run here although WHP does not: every KVM-layout
/// register the host sets survives the trip through WHP's named registers, bit for bit.
/// </summary>
public sealed class WhpRegistersTests
{
    [Fact]
    public void StandardRegistersKeepTheirOrder()
    {
        var registers = new StandardRegisters
        {
            Rax = 1,
            Rbx = 2,
            Rcx = 3,
            Rdx = 4,
            Rsi = 5,
            Rdi = 6,
            Rsp = 7,
            Rbp = 8,
            R8 = 9,
            R9 = 10,
            R10 = 11,
            R11 = 12,
            R12 = 13,
            R13 = 14,
            R14 = 15,
            R15 = 16,
            Rip = 17,
            Rflags = 18,
        };
        var values = new WhvRegisterValue[WhpRegisters.Standard.Length];
        WhpRegisters.FromStandard(registers, values);

        Assert.Equal(3UL, values[WhpRegisters.Standard.IndexOf(WhpRegister.WHvX64RegisterRcx)].Reg64);
        Assert.Equal(7UL, values[WhpRegisters.Standard.IndexOf(WhpRegister.WHvX64RegisterRsp)].Reg64);
        Assert.Equal(17UL, values[WhpRegisters.Standard.IndexOf(WhpRegister.WHvX64RegisterRip)].Reg64);
        Assert.Equal(registers, WhpRegisters.ToStandard(values));
    }

    /// <summary>The guest's entry state (ring-3 code and data, the TSS, a null LDT) is what the WHP backend would load.</summary>
    [Fact]
    public void TheEntryStateSurvivesTheConversion()
    {
        var special = InitialCpuState.SpecialRegisters(default, threadPointer: 0x1234_5000);
        var values = new WhvRegisterValue[WhpRegisters.Special.Length];
        WhpRegisters.FromSpecial(special, values);
        var back = WhpRegisters.ToSpecial(values);

        AssertSameSegment(special.Cs, back.Cs);
        AssertSameSegment(special.Ss, back.Ss);
        AssertSameSegment(special.Ds, back.Ds);
        AssertSameSegment(special.Fs, back.Fs);
        AssertSameSegment(special.Tr, back.Tr);
        AssertSameSegment(special.Ldt, back.Ldt);
        Assert.Equal(special.Gdt.Base, back.Gdt.Base);
        Assert.Equal(special.Idt.Limit, back.Idt.Limit);
        Assert.Equal((special.Cr0, special.Cr3, special.Cr4, special.Efer), (back.Cr0, back.Cr3, back.Cr4, back.Efer));
    }

    [Theory]
    [InlineData(0xB, 1, 3, 1, 0, 1, 0, 1)]
    [InlineData(0x3, 1, 0, 1, 1, 0, 1, 1)]
    [InlineData(0x9, 0, 0, 1, 0, 0, 0, 0)]
    public void SegmentAttributesRoundTrip(byte type, byte s, byte dpl, byte present, byte avl, byte l, byte db, byte g)
    {
        var segment = new SegmentRegister
        {
            Base = 0xFFFF_8000_0000_1000,
            Limit = 0xFFFFF,
            Selector = 0x2B,
            Type = type,
            S = s,
            Dpl = dpl,
            Present = present,
            Avl = avl,
            L = l,
            Db = db,
            G = g,
            Unusable = (byte)(present ^ 1),
        };

        Assert.Equal(segment, WhpRegisters.ToSegment(WhpRegisters.FromSegment(segment)));
    }

    [Fact]
    public void ANullSegmentIsUnusable()
    {
        var segment = WhpRegisters.ToSegment(default);
        Assert.Equal((byte)1, segment.Unusable);
        Assert.Equal((byte)0, segment.Present);
    }

    [Fact]
    public void AnInjectedExceptionAndTheInterruptStateRoundTrip()
    {
        var events = new VcpuEvents { ExceptionInjected = 1, ExceptionNr = 14, ExceptionHasErrorCode = 1, ExceptionErrorCode = 0x6, InterruptShadow = 1, NmiMasked = 1 };
        var values = new WhvRegisterValue[WhpRegisters.Events.Length];
        WhpRegisters.FromEvents(events, values);

        Assert.Equal(Bytes(events), Bytes(WhpRegisters.ToEvents(values)));
    }

    [Fact]
    public void NoEventIsNoPendingInterruption()
    {
        var values = new WhvRegisterValue[WhpRegisters.Events.Length];
        WhpRegisters.FromEvents(default, values);

        Assert.Equal(0UL, values[0].Reg64);
        Assert.Equal(Bytes(default), Bytes(WhpRegisters.ToEvents(values)));
    }

    /// <summary>Every byte of the struct: its reserved bytes are an InlineArray, which has no Equals.</summary>
    private static byte[] Bytes(VcpuEvents events) => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref events, 1)).ToArray();

    private static void AssertSameSegment(SegmentRegister expected, SegmentRegister actual)
    {
        // KVM reports a segment that is not present as unusable; WHP has no such bit and derives it the same way.
        Assert.Equal(expected with { Unusable = (byte)(expected.Present ^ 1), Padding = 0 }, actual);
    }
}
