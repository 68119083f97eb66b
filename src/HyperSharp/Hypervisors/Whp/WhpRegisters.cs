using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// Converts between the KVM-layout register structs the rest of HyperSharp uses and WHP's named registers: which names
/// make up each struct, in which order, and how a segment's attributes, a descriptor table and the pending event are
/// spelled on each side.
/// </summary>
internal static class WhpRegisters
{
    /// <summary><see cref="StandardRegisters"/>' fields, in declaration order.</summary>
    public static ReadOnlySpan<WhpRegister> Standard =>
    [
        WhpRegister.WHvX64RegisterRax, WhpRegister.WHvX64RegisterRbx, WhpRegister.WHvX64RegisterRcx, WhpRegister.WHvX64RegisterRdx,
        WhpRegister.WHvX64RegisterRsi, WhpRegister.WHvX64RegisterRdi, WhpRegister.WHvX64RegisterRsp, WhpRegister.WHvX64RegisterRbp,
        WhpRegister.WHvX64RegisterR8, WhpRegister.WHvX64RegisterR9, WhpRegister.WHvX64RegisterR10, WhpRegister.WHvX64RegisterR11,
        WhpRegister.WHvX64RegisterR12, WhpRegister.WHvX64RegisterR13, WhpRegister.WHvX64RegisterR14, WhpRegister.WHvX64RegisterR15,
        WhpRegister.WHvX64RegisterRip, WhpRegister.WHvX64RegisterRflags,
    ];

    /// <summary><see cref="SpecialRegisters"/>' fields in declaration order, without the interrupt bitmap (see <see cref="ToSpecial"/>).</summary>
    public static ReadOnlySpan<WhpRegister> Special =>
    [
        WhpRegister.WHvX64RegisterCs, WhpRegister.WHvX64RegisterDs, WhpRegister.WHvX64RegisterEs, WhpRegister.WHvX64RegisterFs,
        WhpRegister.WHvX64RegisterGs, WhpRegister.WHvX64RegisterSs, WhpRegister.WHvX64RegisterTr, WhpRegister.WHvX64RegisterLdtr,
        WhpRegister.WHvX64RegisterGdtr, WhpRegister.WHvX64RegisterIdtr,
        WhpRegister.WHvX64RegisterCr0, WhpRegister.WHvX64RegisterCr2, WhpRegister.WHvX64RegisterCr3, WhpRegister.WHvX64RegisterCr4,
        WhpRegister.WHvX64RegisterCr8, WhpRegister.WHvX64RegisterEfer, WhpRegister.WHvX64RegisterApicBase,
    ];

    /// <summary>DR0–DR3, DR6, DR7, as <see cref="DebugRegisters"/> holds them.</summary>
    public static ReadOnlySpan<WhpRegister> Debug =>
    [
        WhpRegister.WHvX64RegisterDr0, WhpRegister.WHvX64RegisterDr1, WhpRegister.WHvX64RegisterDr2, WhpRegister.WHvX64RegisterDr3,
        WhpRegister.WHvX64RegisterDr6, WhpRegister.WHvX64RegisterDr7,
    ];

    /// <summary>What <see cref="VcpuEvents"/> holds on WHP: the pending interruption and the interrupt state.</summary>
    public static ReadOnlySpan<WhpRegister> Events => [WhpRegister.WHvRegisterPendingInterruption, WhpRegister.WHvRegisterInterruptState];

    public static StandardRegisters ToStandard(ReadOnlySpan<WhvRegisterValue> values)
    {
        var registers = default(StandardRegisters);
        var fields = MemoryMarshal.Cast<StandardRegisters, ulong>(MemoryMarshal.CreateSpan(ref registers, 1));
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = values[i].Reg64;
        }

        return registers;
    }

    public static void FromStandard(in StandardRegisters registers, Span<WhvRegisterValue> values)
    {
        var fields = MemoryMarshal.Cast<StandardRegisters, ulong>(MemoryMarshal.CreateReadOnlySpan(in registers, 1));
        for (var i = 0; i < fields.Length; i++)
        {
            values[i] = new WhvRegisterValue { Reg64 = fields[i] };
        }
    }

    /// <summary>
    /// WHP has no counterpart of KVM's pending external interrupt bitmap: HyperSharp's VMs have no interrupt controller,
    /// so no interrupt is ever pending, and the bitmap reads as zero.
    /// </summary>
    public static SpecialRegisters ToSpecial(ReadOnlySpan<WhvRegisterValue> values) => new()
    {
        Cs = ToSegment(values[0].Segment),
        Ds = ToSegment(values[1].Segment),
        Es = ToSegment(values[2].Segment),
        Fs = ToSegment(values[3].Segment),
        Gs = ToSegment(values[4].Segment),
        Ss = ToSegment(values[5].Segment),
        Tr = ToSegment(values[6].Segment),
        Ldt = ToSegment(values[7].Segment),
        Gdt = new DescriptorTable { Base = values[8].Table.Base, Limit = values[8].Table.Limit },
        Idt = new DescriptorTable { Base = values[9].Table.Base, Limit = values[9].Table.Limit },
        Cr0 = values[10].Reg64,
        Cr2 = values[11].Reg64,
        Cr3 = values[12].Reg64,
        Cr4 = values[13].Reg64,
        Cr8 = values[14].Reg64,
        Efer = values[15].Reg64,
        ApicBase = values[16].Reg64,
    };

    /// <summary>The interrupt bitmap is left out: see <see cref="ToSpecial"/>.</summary>
    public static void FromSpecial(in SpecialRegisters registers, Span<WhvRegisterValue> values)
    {
        values[0] = new WhvRegisterValue { Segment = FromSegment(registers.Cs) };
        values[1] = new WhvRegisterValue { Segment = FromSegment(registers.Ds) };
        values[2] = new WhvRegisterValue { Segment = FromSegment(registers.Es) };
        values[3] = new WhvRegisterValue { Segment = FromSegment(registers.Fs) };
        values[4] = new WhvRegisterValue { Segment = FromSegment(registers.Gs) };
        values[5] = new WhvRegisterValue { Segment = FromSegment(registers.Ss) };
        values[6] = new WhvRegisterValue { Segment = FromSegment(registers.Tr) };
        values[7] = new WhvRegisterValue { Segment = FromSegment(registers.Ldt) };
        values[8] = new WhvRegisterValue { Table = new WhvX64TableRegister { Base = registers.Gdt.Base, Limit = registers.Gdt.Limit } };
        values[9] = new WhvRegisterValue { Table = new WhvX64TableRegister { Base = registers.Idt.Base, Limit = registers.Idt.Limit } };
        values[10] = new WhvRegisterValue { Reg64 = registers.Cr0 };
        values[11] = new WhvRegisterValue { Reg64 = registers.Cr2 };
        values[12] = new WhvRegisterValue { Reg64 = registers.Cr3 };
        values[13] = new WhvRegisterValue { Reg64 = registers.Cr4 };
        values[14] = new WhvRegisterValue { Reg64 = registers.Cr8 };
        values[15] = new WhvRegisterValue { Reg64 = registers.Efer };
        values[16] = new WhvRegisterValue { Reg64 = registers.ApicBase };
    }

    public static DebugRegisters ToDebug(ReadOnlySpan<WhvRegisterValue> values) =>
        new(values[0].Reg64, values[1].Reg64, values[2].Reg64, values[3].Reg64, values[4].Reg64, values[5].Reg64);

    public static void FromDebug(in DebugRegisters registers, Span<WhvRegisterValue> values)
    {
        values[0] = new WhvRegisterValue { Reg64 = registers.Dr0 };
        values[1] = new WhvRegisterValue { Reg64 = registers.Dr1 };
        values[2] = new WhvRegisterValue { Reg64 = registers.Dr2 };
        values[3] = new WhvRegisterValue { Reg64 = registers.Dr3 };
        values[4] = new WhvRegisterValue { Reg64 = registers.Dr6 };
        values[5] = new WhvRegisterValue { Reg64 = registers.Dr7 };
    }

    /// <summary>
    /// The pending interruption (an exception, interrupt or NMI being delivered) and the interrupt shadow and NMI mask,
    /// in KVM's <c>kvm_vcpu_events</c> form. <see cref="VcpuEvents.Flags"/> stays 0: KVM's optional fields (SMM,
    /// payloads, triple fault) have no WHP counterpart.
    /// </summary>
    public static VcpuEvents ToEvents(ReadOnlySpan<WhvRegisterValue> values)
    {
        var pending = values[0].Reg64;
        var state = values[1].Reg64;
        var events = new VcpuEvents
        {
            InterruptShadow = (byte)((state & WhvBits.InterruptShadow) != 0 ? 1 : 0),
            NmiMasked = (byte)((state & WhvBits.NmiMasked) != 0 ? 1 : 0),
        };
        if (((pending >> WhvBits.PendingShift) & 1) == 0)
        {
            return events;
        }

        var vector = (byte)(pending >> WhvBits.PendingVectorShift);
        switch ((WhpPendingInterruptionType)((pending >> WhvBits.PendingTypeShift) & 0x7))
        {
            case WhpPendingInterruptionType.WHvX64PendingException:
                events.ExceptionInjected = 1;
                events.ExceptionNr = vector;
                events.ExceptionHasErrorCode = (byte)((pending >> WhvBits.PendingDeliverErrorCodeShift) & 1);
                events.ExceptionErrorCode = (uint)(pending >> WhvBits.PendingErrorCodeShift);
                break;
            case WhpPendingInterruptionType.WHvX64PendingNmi:
                events.NmiInjected = 1;
                break;
            default:
                events.InterruptInjected = 1;
                events.InterruptNr = vector;
                break;
        }

        return events;
    }

    /// <summary>The reverse of <see cref="ToEvents"/>: an injected exception first, else an NMI, else an interrupt.</summary>
    public static void FromEvents(in VcpuEvents events, Span<WhvRegisterValue> values)
    {
        ulong pending = 0;
        if (events.ExceptionInjected != 0 || events.ExceptionPending != 0)
        {
            pending = Pending(WhpPendingInterruptionType.WHvX64PendingException, events.ExceptionNr)
                | ((ulong)(events.ExceptionHasErrorCode & 1) << WhvBits.PendingDeliverErrorCodeShift)
                | ((ulong)events.ExceptionErrorCode << WhvBits.PendingErrorCodeShift);
        }
        else if (events.NmiInjected != 0)
        {
            pending = Pending(WhpPendingInterruptionType.WHvX64PendingNmi, 2);
        }
        else if (events.InterruptInjected != 0)
        {
            pending = Pending(WhpPendingInterruptionType.WHvX64PendingInterrupt, events.InterruptNr);
        }

        values[0] = new WhvRegisterValue { Reg64 = pending };
        values[1] = new WhvRegisterValue
        {
            Reg64 = (events.InterruptShadow != 0 ? WhvBits.InterruptShadow : 0) | (events.NmiMasked != 0 ? WhvBits.NmiMasked : 0),
        };
    }

    /// <summary>WHP's attribute bits from KVM's one-field-per-bit segment; KVM's "unusable" has no bit (a segment not present is unusable).</summary>
    public static WhvX64SegmentRegister FromSegment(in SegmentRegister segment) => new()
    {
        Base = segment.Base,
        Limit = segment.Limit,
        Selector = segment.Selector,
        Attributes = (ushort)((segment.Type & 0xF)
            | ((segment.S & 1) << WhvBits.SegmentNonSystemShift)
            | ((segment.Dpl & 3) << WhvBits.SegmentDplShift)
            | ((segment.Present & 1) << WhvBits.SegmentPresentShift)
            | ((segment.Avl & 1) << WhvBits.SegmentAvailableShift)
            | ((segment.L & 1) << WhvBits.SegmentLongShift)
            | ((segment.Db & 1) << WhvBits.SegmentDefaultShift)
            | ((segment.G & 1) << WhvBits.SegmentGranularityShift)),
    };

    /// <summary>KVM's segment from WHP's: each attribute bit into its own field, "unusable" when not present.</summary>
    public static SegmentRegister ToSegment(in WhvX64SegmentRegister segment)
    {
        var attributes = segment.Attributes;
        var present = (byte)((attributes >> WhvBits.SegmentPresentShift) & 1);
        return new SegmentRegister
        {
            Base = segment.Base,
            Limit = segment.Limit,
            Selector = segment.Selector,
            Type = (byte)(attributes & 0xF),
            S = (byte)((attributes >> WhvBits.SegmentNonSystemShift) & 1),
            Dpl = (byte)((attributes >> WhvBits.SegmentDplShift) & 3),
            Present = present,
            Avl = (byte)((attributes >> WhvBits.SegmentAvailableShift) & 1),
            L = (byte)((attributes >> WhvBits.SegmentLongShift) & 1),
            Db = (byte)((attributes >> WhvBits.SegmentDefaultShift) & 1),
            G = (byte)((attributes >> WhvBits.SegmentGranularityShift) & 1),
            Unusable = (byte)(present ^ 1),
        };
    }

    private static ulong Pending(WhpPendingInterruptionType type, byte vector) =>
        (1UL << WhvBits.PendingShift) | ((ulong)type << WhvBits.PendingTypeShift) | ((ulong)vector << WhvBits.PendingVectorShift);
}
