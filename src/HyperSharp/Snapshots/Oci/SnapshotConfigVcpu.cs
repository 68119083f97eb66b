namespace HyperSharp.Snapshots.Oci;

/// <summary>The full guest-visible vCPU state of a snapshot, field for field as KVM reports it.</summary>
internal sealed class SnapshotConfigVcpu
{
    public required SnapshotConfigRegisters Registers { get; init; }

    public required SnapshotConfigSpecialRegisters SpecialRegisters { get; init; }

    /// <summary>The XSAVE area, base64.</summary>
    public required byte[] Xsave { get; init; }

    public required ulong Xcr0 { get; init; }

    public required SnapshotConfigDebugRegisters DebugRegisters { get; init; }

    public required List<SnapshotConfigMsr> Msrs { get; init; }

    public required SnapshotConfigEvents Events { get; init; }
}

/// <summary>General-purpose registers, RIP and RFLAGS.</summary>
internal sealed class SnapshotConfigRegisters
{
    public required ulong Rax { get; init; }
    public required ulong Rbx { get; init; }
    public required ulong Rcx { get; init; }
    public required ulong Rdx { get; init; }
    public required ulong Rsi { get; init; }
    public required ulong Rdi { get; init; }
    public required ulong Rsp { get; init; }
    public required ulong Rbp { get; init; }
    public required ulong R8 { get; init; }
    public required ulong R9 { get; init; }
    public required ulong R10 { get; init; }
    public required ulong R11 { get; init; }
    public required ulong R12 { get; init; }
    public required ulong R13 { get; init; }
    public required ulong R14 { get; init; }
    public required ulong R15 { get; init; }
    public required ulong Rip { get; init; }
    public required ulong Rflags { get; init; }
}

/// <summary>Segment, descriptor-table, control and system registers, and the pending-interrupt bitmap.</summary>
internal sealed class SnapshotConfigSpecialRegisters
{
    public required SnapshotConfigSegment Cs { get; init; }
    public required SnapshotConfigSegment Ds { get; init; }
    public required SnapshotConfigSegment Es { get; init; }
    public required SnapshotConfigSegment Fs { get; init; }
    public required SnapshotConfigSegment Gs { get; init; }
    public required SnapshotConfigSegment Ss { get; init; }
    public required SnapshotConfigSegment Tr { get; init; }
    public required SnapshotConfigSegment Ldt { get; init; }
    public required SnapshotConfigDescriptorTable Gdt { get; init; }
    public required SnapshotConfigDescriptorTable Idt { get; init; }
    public required ulong Cr0 { get; init; }
    public required ulong Cr2 { get; init; }
    public required ulong Cr3 { get; init; }
    public required ulong Cr4 { get; init; }
    public required ulong Cr8 { get; init; }
    public required ulong Efer { get; init; }
    public required ulong ApicBase { get; init; }

    /// <summary>Exactly four 64-bit words.</summary>
    public required List<ulong> InterruptBitmap { get; init; }
}

/// <summary>One segment register, hidden part included.</summary>
internal sealed class SnapshotConfigSegment
{
    public required ulong Base { get; init; }
    public required uint Limit { get; init; }
    public required ushort Selector { get; init; }
    public required byte Type { get; init; }
    public required byte Present { get; init; }
    public required byte Dpl { get; init; }
    public required byte Db { get; init; }
    public required byte S { get; init; }
    public required byte L { get; init; }
    public required byte G { get; init; }
    public required byte Avl { get; init; }
    public required byte Unusable { get; init; }
}

/// <summary>GDTR or IDTR.</summary>
internal sealed class SnapshotConfigDescriptorTable
{
    public required ulong Base { get; init; }
    public required ushort Limit { get; init; }
}

/// <summary>DR0–DR3, DR6, DR7.</summary>
internal sealed class SnapshotConfigDebugRegisters
{
    public required ulong Dr0 { get; init; }
    public required ulong Dr1 { get; init; }
    public required ulong Dr2 { get; init; }
    public required ulong Dr3 { get; init; }
    public required ulong Dr6 { get; init; }
    public required ulong Dr7 { get; init; }
}

/// <summary>One model-specific register.</summary>
internal sealed class SnapshotConfigMsr
{
    public required uint Index { get; init; }
    public required ulong Value { get; init; }
}

/// <summary>Pending and injected exceptions, interrupts, NMI and SMI state; <see cref="Flags"/> says which are valid.</summary>
internal sealed class SnapshotConfigEvents
{
    public required byte ExceptionInjected { get; init; }
    public required byte ExceptionNr { get; init; }
    public required byte ExceptionHasErrorCode { get; init; }
    public required byte ExceptionPending { get; init; }
    public required uint ExceptionErrorCode { get; init; }
    public required byte InterruptInjected { get; init; }
    public required byte InterruptNr { get; init; }
    public required byte InterruptSoft { get; init; }
    public required byte InterruptShadow { get; init; }
    public required byte NmiInjected { get; init; }
    public required byte NmiPending { get; init; }
    public required byte NmiMasked { get; init; }
    public required uint SipiVector { get; init; }
    public required uint Flags { get; init; }
    public required byte SmiSmm { get; init; }
    public required byte SmiPending { get; init; }
    public required byte SmiSmmInsideNmi { get; init; }
    public required byte SmiLatchedInit { get; init; }
    public required byte TripleFaultPending { get; init; }
    public required byte ExceptionHasPayload { get; init; }
    public required ulong ExceptionPayload { get; init; }
}
