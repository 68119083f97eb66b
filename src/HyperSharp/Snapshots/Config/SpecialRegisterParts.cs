using System.Text;
using HyperSharp.Hypervisors;

namespace HyperSharp.Snapshots.Config;

/// <summary>
/// The records inside <c>special_registers</c>: eight segment registers and two descriptor tables, each a record of
/// its own with its own field table (<see cref="ConfigFields.Segment"/>, <see cref="ConfigFields.DescriptorTable"/>).
/// </summary>
internal static class SpecialRegisterParts
{
    public static readonly Part<SegmentRegister>[] Segments =
    [
        new("cs", (ref s) => ref s.Cs),
        new("ds", (ref s) => ref s.Ds),
        new("es", (ref s) => ref s.Es),
        new("fs", (ref s) => ref s.Fs),
        new("gs", (ref s) => ref s.Gs),
        new("ss", (ref s) => ref s.Ss),
        new("tr", (ref s) => ref s.Tr),
        new("ldt", (ref s) => ref s.Ldt),
    ];

    public static readonly Part<DescriptorTable>[] Tables =
    [
        new("gdt", (ref s) => ref s.Gdt),
        new("idt", (ref s) => ref s.Idt),
    ];

    public delegate ref TPart PartSelector<TPart>(ref SpecialRegisters registers);

    /// <summary>One record inside the special registers, and where it lives in the struct.</summary>
    public sealed class Part<TPart>(string name, PartSelector<TPart> select)
    {
        public byte[] Name { get; } = Encoding.UTF8.GetBytes(name);

        public TPart Get(SpecialRegisters registers) => select(ref registers);

        public ref TPart Of(ref SpecialRegisters registers) => ref select(ref registers);
    }
}
