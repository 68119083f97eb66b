using HyperSharp.Hypervisors;
using HyperSharp.Memory;
using HyperSharp.Snapshots.Oci;

namespace HyperSharp.Snapshots;

/// <summary>
/// Translates between a snapshot's live records (<see cref="MemoryLayout"/>, <see cref="VcpuState"/>, signatures)
/// and the plain data of <see cref="SnapshotConfig"/>, field for field. Checks nothing: that is <see cref="SnapshotConfigValidator"/>'s job.
/// </summary>
internal static class SnapshotConfigMapper
{
    public static SnapshotConfig ToConfig(Snapshot snapshot) => new()
    {
        FormatVersion = HostIdentity.FormatVersion,
        AbiVersion = GuestAbi.AbiVersion,
        Architecture = HostIdentity.Architecture,
        Hypervisor = HostIdentity.Hypervisor,
        CpuVendor = HostIdentity.CpuVendor,
        LibraryVersion = HostIdentity.LibraryVersion,
        Generation = snapshot.Generation,
        MemorySize = snapshot.MemorySize,
        Layout = ToConfig(snapshot.Layout),
        Vcpu = ToConfig(snapshot.Vcpu),
        GuestFunctions = [.. snapshot.GuestFunctions.Select(ToConfig)],
        HostFunctions = [.. snapshot.HostFunctions.Select(ToConfig)],
    };

    public static MemoryLayout ToLayout(SnapshotConfigLayout l) => new()
    {
        PageTablesSize = l.PageTablesSize,
        ImageBase = l.ImageBase,
        ImageSize = l.ImageSize,
        HeapBase = l.HeapBase,
        HeapSize = l.HeapSize,
        StackBase = l.StackBase,
        StackSize = l.StackSize,
        ExceptionStackTop = l.ExceptionStackTop,
        InputBase = l.InputBase,
        InputSize = l.InputSize,
        OutputBase = l.OutputBase,
        OutputSize = l.OutputSize,
        MemorySize = l.MemorySize,
    };

    public static VcpuState ToVcpu(SnapshotConfigVcpu v)
    {
        var s = v.SpecialRegisters;
        var special = new SpecialRegisters
        {
            Cs = ToSegment(s.Cs),
            Ds = ToSegment(s.Ds),
            Es = ToSegment(s.Es),
            Fs = ToSegment(s.Fs),
            Gs = ToSegment(s.Gs),
            Ss = ToSegment(s.Ss),
            Tr = ToSegment(s.Tr),
            Ldt = ToSegment(s.Ldt),
            Gdt = new DescriptorTable { Base = s.Gdt.Base, Limit = s.Gdt.Limit },
            Idt = new DescriptorTable { Base = s.Idt.Base, Limit = s.Idt.Limit },
            Cr0 = s.Cr0,
            Cr2 = s.Cr2,
            Cr3 = s.Cr3,
            Cr4 = s.Cr4,
            Cr8 = s.Cr8,
            Efer = s.Efer,
            ApicBase = s.ApicBase,
        };
        for (var i = 0; i < s.InterruptBitmap.Count; i++)
        {
            special.PendingInterrupts[i] = s.InterruptBitmap[i];
        }

        var r = v.Registers;
        var e = v.Events;
        var d = v.DebugRegisters;
        return new VcpuState
        {
            Registers = new StandardRegisters
            {
                Rax = r.Rax,
                Rbx = r.Rbx,
                Rcx = r.Rcx,
                Rdx = r.Rdx,
                Rsi = r.Rsi,
                Rdi = r.Rdi,
                Rsp = r.Rsp,
                Rbp = r.Rbp,
                R8 = r.R8,
                R9 = r.R9,
                R10 = r.R10,
                R11 = r.R11,
                R12 = r.R12,
                R13 = r.R13,
                R14 = r.R14,
                R15 = r.R15,
                Rip = r.Rip,
                Rflags = r.Rflags,
            },
            SpecialRegisters = special,
            Xsave = [.. v.Xsave],
            Xcr0 = v.Xcr0,
            DebugRegisters = new DebugRegisters(d.Dr0, d.Dr1, d.Dr2, d.Dr3, d.Dr6, d.Dr7),
            Msrs = [.. v.Msrs.Select(m => new MsrValue(m.Index, m.Value))],
            Events = new VcpuEvents
            {
                ExceptionInjected = e.ExceptionInjected,
                ExceptionNr = e.ExceptionNr,
                ExceptionHasErrorCode = e.ExceptionHasErrorCode,
                ExceptionPending = e.ExceptionPending,
                ExceptionErrorCode = e.ExceptionErrorCode,
                InterruptInjected = e.InterruptInjected,
                InterruptNr = e.InterruptNr,
                InterruptSoft = e.InterruptSoft,
                InterruptShadow = e.InterruptShadow,
                NmiInjected = e.NmiInjected,
                NmiPending = e.NmiPending,
                NmiMasked = e.NmiMasked,
                SipiVector = e.SipiVector,
                Flags = e.Flags,
                SmiSmm = e.SmiSmm,
                SmiPending = e.SmiPending,
                SmiSmmInsideNmi = e.SmiSmmInsideNmi,
                SmiLatchedInit = e.SmiLatchedInit,
                TripleFaultPending = e.TripleFaultPending,
                ExceptionHasPayload = e.ExceptionHasPayload,
                ExceptionPayload = e.ExceptionPayload,
            },
        };
    }

    public static GuestFunctionSignature ToSignature(SnapshotConfigFunction f) => new(f.Name, f.ReturnType, [.. f.ParameterTypes]);

    /// <summary>
    /// The guest function table (names already checked unique). A plain dictionary: freezing one costs more than the
    /// lookups of a typical sandbox's lifetime save.
    /// </summary>
    public static Dictionary<string, GuestFunctionSignature> ToFunctionTable(IEnumerable<SnapshotConfigFunction> functions) =>
        functions.Select(ToSignature).ToDictionary(f => f.Name, StringComparer.Ordinal);

    private static SnapshotConfigLayout ToConfig(MemoryLayout l) => new()
    {
        PageTablesSize = l.PageTablesSize,
        ImageBase = l.ImageBase,
        ImageSize = l.ImageSize,
        HeapBase = l.HeapBase,
        HeapSize = l.HeapSize,
        StackBase = l.StackBase,
        StackSize = l.StackSize,
        ExceptionStackTop = l.ExceptionStackTop,
        InputBase = l.InputBase,
        InputSize = l.InputSize,
        OutputBase = l.OutputBase,
        OutputSize = l.OutputSize,
        MemorySize = l.MemorySize,
    };

    private static SnapshotConfigVcpu ToConfig(VcpuState v)
    {
        var r = v.Registers;
        var s = v.SpecialRegisters;
        var e = v.Events;
        var d = v.DebugRegisters;
        return new SnapshotConfigVcpu
        {
            Registers = new SnapshotConfigRegisters
            {
                Rax = r.Rax,
                Rbx = r.Rbx,
                Rcx = r.Rcx,
                Rdx = r.Rdx,
                Rsi = r.Rsi,
                Rdi = r.Rdi,
                Rsp = r.Rsp,
                Rbp = r.Rbp,
                R8 = r.R8,
                R9 = r.R9,
                R10 = r.R10,
                R11 = r.R11,
                R12 = r.R12,
                R13 = r.R13,
                R14 = r.R14,
                R15 = r.R15,
                Rip = r.Rip,
                Rflags = r.Rflags,
            },
            SpecialRegisters = new SnapshotConfigSpecialRegisters
            {
                Cs = ToConfig(s.Cs),
                Ds = ToConfig(s.Ds),
                Es = ToConfig(s.Es),
                Fs = ToConfig(s.Fs),
                Gs = ToConfig(s.Gs),
                Ss = ToConfig(s.Ss),
                Tr = ToConfig(s.Tr),
                Ldt = ToConfig(s.Ldt),
                Gdt = new SnapshotConfigDescriptorTable { Base = s.Gdt.Base, Limit = s.Gdt.Limit },
                Idt = new SnapshotConfigDescriptorTable { Base = s.Idt.Base, Limit = s.Idt.Limit },
                Cr0 = s.Cr0,
                Cr2 = s.Cr2,
                Cr3 = s.Cr3,
                Cr4 = s.Cr4,
                Cr8 = s.Cr8,
                Efer = s.Efer,
                ApicBase = s.ApicBase,
                InterruptBitmap = [.. s.PendingInterrupts],
            },
            Xsave = [.. v.Xsave],
            Xcr0 = v.Xcr0,
            DebugRegisters = new SnapshotConfigDebugRegisters { Dr0 = d.Dr0, Dr1 = d.Dr1, Dr2 = d.Dr2, Dr3 = d.Dr3, Dr6 = d.Dr6, Dr7 = d.Dr7 },
            Msrs = [.. v.Msrs.Select(m => new SnapshotConfigMsr { Index = m.Index, Value = m.Value })],
            Events = new SnapshotConfigEvents
            {
                ExceptionInjected = e.ExceptionInjected,
                ExceptionNr = e.ExceptionNr,
                ExceptionHasErrorCode = e.ExceptionHasErrorCode,
                ExceptionPending = e.ExceptionPending,
                ExceptionErrorCode = e.ExceptionErrorCode,
                InterruptInjected = e.InterruptInjected,
                InterruptNr = e.InterruptNr,
                InterruptSoft = e.InterruptSoft,
                InterruptShadow = e.InterruptShadow,
                NmiInjected = e.NmiInjected,
                NmiPending = e.NmiPending,
                NmiMasked = e.NmiMasked,
                SipiVector = e.SipiVector,
                Flags = e.Flags,
                SmiSmm = e.SmiSmm,
                SmiPending = e.SmiPending,
                SmiSmmInsideNmi = e.SmiSmmInsideNmi,
                SmiLatchedInit = e.SmiLatchedInit,
                TripleFaultPending = e.TripleFaultPending,
                ExceptionHasPayload = e.ExceptionHasPayload,
                ExceptionPayload = e.ExceptionPayload,
            },
        };
    }

    private static SnapshotConfigSegment ToConfig(SegmentRegister s) => new()
    {
        Base = s.Base,
        Limit = s.Limit,
        Selector = s.Selector,
        Type = s.Type,
        Present = s.Present,
        Dpl = s.Dpl,
        Db = s.Db,
        S = s.S,
        L = s.L,
        G = s.G,
        Avl = s.Avl,
        Unusable = s.Unusable,
    };

    private static SegmentRegister ToSegment(SnapshotConfigSegment s) => new()
    {
        Base = s.Base,
        Limit = s.Limit,
        Selector = s.Selector,
        Type = s.Type,
        Present = s.Present,
        Dpl = s.Dpl,
        Db = s.Db,
        S = s.S,
        L = s.L,
        G = s.G,
        Avl = s.Avl,
        Unusable = s.Unusable,
    };

    private static SnapshotConfigFunction ToConfig(GuestFunctionSignature f) => new()
    {
        Name = f.Name,
        ReturnType = f.ReturnType,
        ParameterTypes = [.. f.ParameterTypes],
    };
}
