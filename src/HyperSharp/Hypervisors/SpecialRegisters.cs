using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors;

/// <summary>One segment register, hidden part included. Layout of <c>struct kvm_segment</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SegmentRegister
{
    public ulong Base;
    public uint Limit;
    public ushort Selector;
    public byte Type, Present, Dpl, Db, S, L, G, Avl, Unusable, Padding;
}

/// <summary>A descriptor-table register (GDTR, IDTR). Layout of <c>struct kvm_dtable</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DescriptorTable
{
    public ulong Base;
    public ushort Limit;
    public ushort Padding0, Padding1, Padding2;
}

/// <summary>Segment, control and system registers of an x86-64 vCPU. Layout of <c>struct kvm_sregs</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpecialRegisters
{
    public SegmentRegister Cs, Ds, Es, Fs, Gs, Ss, Tr, Ldt;
    public DescriptorTable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8, Efer, ApicBase;
    public InterruptBitmapWords InterruptBitmap;

    /// <summary><c>__u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64]</c>.</summary>
    [InlineArray(4)]
    public struct InterruptBitmapWords
    {
        private ulong _element0;
    }
}
