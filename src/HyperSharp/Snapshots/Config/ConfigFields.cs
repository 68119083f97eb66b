using System.Text;
using System.Text.Json;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Snapshots.Config;

/// <summary>How wide a number field is, as recorded and as checked when read.</summary>
internal enum NumberWidth
{
    U8,
    U16,
    U32,
    U64,
    I32,
}

internal delegate ulong FieldGetter<T>(in T value);

internal delegate void FieldSetter<T>(ref T value, ulong number);

/// <summary>
/// One number field of a struct the config records: its name in the config (the member's name in snake case), its
/// width, and how to get and set it. A field table is the one definition of a record that reading, writing and mapping
/// all follow; adding a field to a vCPU struct means one line in <see cref="ConfigFields"/>.
/// </summary>
internal sealed class NumberField<T>(string memberName, NumberWidth width, FieldGetter<T> get, FieldSetter<T> set)
{
    public string Name { get; } = JsonNamingPolicy.SnakeCaseLower.ConvertName(memberName);

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(JsonNamingPolicy.SnakeCaseLower.ConvertName(memberName));

    public NumberWidth Width => width;

    public FieldGetter<T> Get => get;

    public FieldSetter<T> Set => set;
}

/// <summary>The field tables of every struct a snapshot config records field by field, in the order it records them.</summary>
internal static class ConfigFields
{
    public static readonly NumberField<StandardRegisters>[] Registers =
    [
        U64<StandardRegisters>(nameof(StandardRegisters.Rax), (in r) => r.Rax, (ref r, v) => r.Rax = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rbx), (in r) => r.Rbx, (ref r, v) => r.Rbx = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rcx), (in r) => r.Rcx, (ref r, v) => r.Rcx = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rdx), (in r) => r.Rdx, (ref r, v) => r.Rdx = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rsi), (in r) => r.Rsi, (ref r, v) => r.Rsi = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rdi), (in r) => r.Rdi, (ref r, v) => r.Rdi = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rsp), (in r) => r.Rsp, (ref r, v) => r.Rsp = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rbp), (in r) => r.Rbp, (ref r, v) => r.Rbp = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R8), (in r) => r.R8, (ref r, v) => r.R8 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R9), (in r) => r.R9, (ref r, v) => r.R9 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R10), (in r) => r.R10, (ref r, v) => r.R10 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R11), (in r) => r.R11, (ref r, v) => r.R11 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R12), (in r) => r.R12, (ref r, v) => r.R12 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R13), (in r) => r.R13, (ref r, v) => r.R13 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R14), (in r) => r.R14, (ref r, v) => r.R14 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.R15), (in r) => r.R15, (ref r, v) => r.R15 = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rip), (in r) => r.Rip, (ref r, v) => r.Rip = v),
        U64<StandardRegisters>(nameof(StandardRegisters.Rflags), (in r) => r.Rflags, (ref r, v) => r.Rflags = v),
    ];

    public static readonly NumberField<SegmentRegister>[] Segment =
    [
        U64<SegmentRegister>(nameof(SegmentRegister.Base), (in s) => s.Base, (ref s, v) => s.Base = v),
        new(nameof(SegmentRegister.Limit), NumberWidth.U32, (in s) => s.Limit, (ref s, v) => s.Limit = (uint)v),
        new(nameof(SegmentRegister.Selector), NumberWidth.U16, (in s) => s.Selector, (ref s, v) => s.Selector = (ushort)v),
        U8<SegmentRegister>(nameof(SegmentRegister.Type), (in s) => s.Type, (ref s, v) => s.Type = v),
        U8<SegmentRegister>(nameof(SegmentRegister.Present), (in s) => s.Present, (ref s, v) => s.Present = v),
        U8<SegmentRegister>(nameof(SegmentRegister.Dpl), (in s) => s.Dpl, (ref s, v) => s.Dpl = v),
        U8<SegmentRegister>(nameof(SegmentRegister.Db), (in s) => s.Db, (ref s, v) => s.Db = v),
        U8<SegmentRegister>(nameof(SegmentRegister.S), (in s) => s.S, (ref s, v) => s.S = v),
        U8<SegmentRegister>(nameof(SegmentRegister.L), (in s) => s.L, (ref s, v) => s.L = v),
        U8<SegmentRegister>(nameof(SegmentRegister.G), (in s) => s.G, (ref s, v) => s.G = v),
        U8<SegmentRegister>(nameof(SegmentRegister.Avl), (in s) => s.Avl, (ref s, v) => s.Avl = v),
        U8<SegmentRegister>(nameof(SegmentRegister.Unusable), (in s) => s.Unusable, (ref s, v) => s.Unusable = v),
    ];

    public static readonly NumberField<DescriptorTable>[] DescriptorTable =
    [
        U64<DescriptorTable>(nameof(Hypervisors.DescriptorTable.Base), (in t) => t.Base, (ref t, v) => t.Base = v),
        new(nameof(Hypervisors.DescriptorTable.Limit), NumberWidth.U16, (in t) => t.Limit, (ref t, v) => t.Limit = (ushort)v),
    ];

    /// <summary>The number fields of <c>special_registers</c>; its segments, tables and bitmap are records of their own.</summary>
    public static readonly NumberField<SpecialRegisters>[] ControlRegisters =
    [
        U64<SpecialRegisters>(nameof(SpecialRegisters.Cr0), (in s) => s.Cr0, (ref s, v) => s.Cr0 = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.Cr2), (in s) => s.Cr2, (ref s, v) => s.Cr2 = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.Cr3), (in s) => s.Cr3, (ref s, v) => s.Cr3 = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.Cr4), (in s) => s.Cr4, (ref s, v) => s.Cr4 = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.Cr8), (in s) => s.Cr8, (ref s, v) => s.Cr8 = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.Efer), (in s) => s.Efer, (ref s, v) => s.Efer = v),
        U64<SpecialRegisters>(nameof(SpecialRegisters.ApicBase), (in s) => s.ApicBase, (ref s, v) => s.ApicBase = v),
    ];

    public static readonly NumberField<DebugRegisters>[] DebugRegisters =
    [
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr0), (in d) => d.Dr0, (ref d, v) => d.Dr0 = v),
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr1), (in d) => d.Dr1, (ref d, v) => d.Dr1 = v),
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr2), (in d) => d.Dr2, (ref d, v) => d.Dr2 = v),
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr3), (in d) => d.Dr3, (ref d, v) => d.Dr3 = v),
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr6), (in d) => d.Dr6, (ref d, v) => d.Dr6 = v),
        U64<DebugRegisters>(nameof(Hypervisors.DebugRegisters.Dr7), (in d) => d.Dr7, (ref d, v) => d.Dr7 = v),
    ];

    public static readonly NumberField<MsrValue>[] Msr =
    [
        new(nameof(MsrValue.Index), NumberWidth.U32, (in m) => m.Index, (ref m, v) => m.Index = (uint)v),
        U64<MsrValue>(nameof(MsrValue.Value), (in m) => m.Value, (ref m, v) => m.Value = v),
    ];

    public static readonly NumberField<VcpuEvents>[] Events =
    [
        U8<VcpuEvents>(nameof(VcpuEvents.ExceptionInjected), (in e) => e.ExceptionInjected, (ref e, v) => e.ExceptionInjected = v),
        U8<VcpuEvents>(nameof(VcpuEvents.ExceptionNr), (in e) => e.ExceptionNr, (ref e, v) => e.ExceptionNr = v),
        U8<VcpuEvents>(nameof(VcpuEvents.ExceptionHasErrorCode), (in e) => e.ExceptionHasErrorCode, (ref e, v) => e.ExceptionHasErrorCode = v),
        U8<VcpuEvents>(nameof(VcpuEvents.ExceptionPending), (in e) => e.ExceptionPending, (ref e, v) => e.ExceptionPending = v),
        new(nameof(VcpuEvents.ExceptionErrorCode), NumberWidth.U32, (in e) => e.ExceptionErrorCode, (ref e, v) => e.ExceptionErrorCode = (uint)v),
        U8<VcpuEvents>(nameof(VcpuEvents.InterruptInjected), (in e) => e.InterruptInjected, (ref e, v) => e.InterruptInjected = v),
        U8<VcpuEvents>(nameof(VcpuEvents.InterruptNr), (in e) => e.InterruptNr, (ref e, v) => e.InterruptNr = v),
        U8<VcpuEvents>(nameof(VcpuEvents.InterruptSoft), (in e) => e.InterruptSoft, (ref e, v) => e.InterruptSoft = v),
        U8<VcpuEvents>(nameof(VcpuEvents.InterruptShadow), (in e) => e.InterruptShadow, (ref e, v) => e.InterruptShadow = v),
        U8<VcpuEvents>(nameof(VcpuEvents.NmiInjected), (in e) => e.NmiInjected, (ref e, v) => e.NmiInjected = v),
        U8<VcpuEvents>(nameof(VcpuEvents.NmiPending), (in e) => e.NmiPending, (ref e, v) => e.NmiPending = v),
        U8<VcpuEvents>(nameof(VcpuEvents.NmiMasked), (in e) => e.NmiMasked, (ref e, v) => e.NmiMasked = v),
        new(nameof(VcpuEvents.SipiVector), NumberWidth.U32, (in e) => e.SipiVector, (ref e, v) => e.SipiVector = (uint)v),
        new(nameof(VcpuEvents.Flags), NumberWidth.U32, (in e) => e.Flags, (ref e, v) => e.Flags = (uint)v),
        U8<VcpuEvents>(nameof(VcpuEvents.SmiSmm), (in e) => e.SmiSmm, (ref e, v) => e.SmiSmm = v),
        U8<VcpuEvents>(nameof(VcpuEvents.SmiPending), (in e) => e.SmiPending, (ref e, v) => e.SmiPending = v),
        U8<VcpuEvents>(nameof(VcpuEvents.SmiSmmInsideNmi), (in e) => e.SmiSmmInsideNmi, (ref e, v) => e.SmiSmmInsideNmi = v),
        U8<VcpuEvents>(nameof(VcpuEvents.SmiLatchedInit), (in e) => e.SmiLatchedInit, (ref e, v) => e.SmiLatchedInit = v),
        U8<VcpuEvents>(nameof(VcpuEvents.TripleFaultPending), (in e) => e.TripleFaultPending, (ref e, v) => e.TripleFaultPending = v),
        U8<VcpuEvents>(nameof(VcpuEvents.ExceptionHasPayload), (in e) => e.ExceptionHasPayload, (ref e, v) => e.ExceptionHasPayload = v),
        U64<VcpuEvents>(nameof(VcpuEvents.ExceptionPayload), (in e) => e.ExceptionPayload, (ref e, v) => e.ExceptionPayload = v),
    ];

    /// <summary>The memory layout's fields are <see cref="LayoutField"/>; the config holds them as an array, in that order.</summary>
    public static readonly NumberField<ulong[]>[] Layout =
        [.. MemoryLayout.Fields.Select(f => U64<ulong[]>(f.ToString(), (in values) => values[(int)f], (ref values, v) => values[(int)f] = v))];

    private static NumberField<T> U64<T>(string name, FieldGetter<T> get, FieldSetter<T> set) => new(name, NumberWidth.U64, get, set);

    private static NumberField<T> U8<T>(string name, FieldGetter<T> get, Setter8<T> set) => new(name, NumberWidth.U8, get, (ref t, v) => set(ref t, (byte)v));

    private delegate void Setter8<T>(ref T value, byte number);
}
