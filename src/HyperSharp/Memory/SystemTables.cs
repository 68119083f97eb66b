using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>
/// Writes the GDT and the 64-bit TSS the guest runs with (docs/guest-abi.md §3). Accessed and busy
/// bits are preset so the CPU never writes to this read-only page.
/// </summary>
internal static class SystemTables
{
    /// <summary>Limit of the GDT: five 8-byte slots (null, code, data, 16-byte TSS) minus one.</summary>
    public const ushort GdtLimit = (5 * 8) - 1;

    /// <summary>Limit of the TSS: 104 bytes, no I/O permission bitmap.</summary>
    public const uint TssLimit = 0x67;

    public const ulong TssAddress = GuestAbi.GdtAddress + GuestAbi.TssOffset;

    // 64-bit code: present, DPL 0, execute/read, accessed; L=1, G=1.
    private const ulong CodeDescriptor = 0x00AF_9B00_0000_FFFF;

    // Data: present, DPL 0, read/write, accessed; D/B=1, G=1.
    private const ulong DataDescriptor = 0x00CF_9300_0000_FFFF;

    // Busy 64-bit TSS (type 0xB), present.
    private const byte TssAccess = 0x8B;

    // struct tss: u32 reserved; u64 rsp[3]; u64 reserved; u64 ist[7]; u64 reserved; u16 reserved; u16 iomap_base.
    private const int TssIst1Offset = 0x24;
    private const int TssIoMapBaseOffset = 0x66;

    public static void Write(GuestMemory memory, MemoryLayout layout)
    {
        var page = memory.GetSpan(GuestAbi.GdtAddress, GuestAbi.PageSize);
        page.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorCode)..], CodeDescriptor);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorData)..], DataDescriptor);

        const ulong tssBase = TssAddress;
        var low = (TssLimit & 0xFFFF)
            | ((tssBase & 0xFF_FFFF) << 16)
            | ((ulong)TssAccess << 40)
            | (((TssLimit >> 16) & 0xF) << 48)
            | (((tssBase >> 24) & 0xFF) << 56);
        BinaryPrimitives.WriteUInt64LittleEndian(page[GuestAbi.SelectorTss..], low);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorTss + 8)..], tssBase >> 32);

        var tss = page[(int)GuestAbi.TssOffset..];
        BinaryPrimitives.WriteUInt64LittleEndian(tss[TssIst1Offset..], layout.ExceptionStackTop);
        BinaryPrimitives.WriteUInt16LittleEndian(tss[TssIoMapBaseOffset..], (ushort)(TssLimit + 1));
    }
}
