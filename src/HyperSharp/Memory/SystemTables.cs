using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>
/// Writes the GDT and the 64-bit TSS the guest runs with (docs/guest-abi.md §3). Accessed and busy
/// bits are preset so the CPU never writes to this read-only, supervisor-only page.
/// </summary>
internal static class SystemTables
{
    /// <summary>Limit of the GDT: seven 8-byte slots (null, code, data, 16-byte TSS, user code, user data) minus one.</summary>
    public const ushort GdtLimit = (7 * 8) - 1;

    /// <summary>
    /// Limit of the TSS: the 104-byte TSS, then an I/O permission bitmap up to HyperSharp's ports and
    /// the closing all-ones byte the CPU may read with the last one. Ring-3 code may use exactly the ports
    /// whose bits are clear.
    /// </summary>
    public const uint TssLimit = IoBitmapOffset + FirstOpenPortByte + 1;

    /// <summary>
    /// Ports <c>0x6800</c>–<c>0x6805</c> are open: the three guest ports (done, host call, abort), each written
    /// with a 32-bit OUT, which the CPU checks as four consecutive ports. The fault port (<c>0x6808</c>) stays
    /// closed, so only the host's ring-0 exception handlers can report a fault.
    /// </summary>
    public const ushort FirstOpenPort = GuestAbi.PortDone;
    public const int OpenPortCount = 6;
    private const uint IoBitmapOffset = 0x68;
    private const uint FirstOpenPortByte = FirstOpenPort / 8;

    public const ulong TssAddress = GuestAbi.GdtAddress + GuestAbi.TssOffset;

    // 64-bit code: present, DPL 0, execute/read, accessed; L=1, G=1.
    private const ulong CodeDescriptor = 0x00AF_9B00_0000_FFFF;

    // Data: present, DPL 0, read/write, accessed; D/B=1, G=1.
    private const ulong DataDescriptor = 0x00CF_9300_0000_FFFF;

    // The same two at DPL 3, which all guest code runs on.
    private const ulong UserCodeDescriptor = 0x00AF_FB00_0000_FFFF;
    private const ulong UserDataDescriptor = 0x00CF_F300_0000_FFFF;

    // Busy 64-bit TSS (type 0xB), present.
    private const byte TssAccess = 0x8B;

    // struct tss: u32 reserved; u64 rsp[3]; u64 reserved; u64 ist[7]; u64 reserved; u16 reserved; u16 iomap_base.
    private const int TssRsp0Offset = 0x04;
    private const int TssIst1Offset = 0x24;
    private const int TssIoMapBaseOffset = 0x66;

    public static void Write(GuestMemory memory, MemoryLayout layout)
    {
        var page = memory.GetSpan(GuestAbi.GdtAddress, GuestAbi.PageSize);
        page.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorCode)..], CodeDescriptor);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorData)..], DataDescriptor);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorUserCode)..], UserCodeDescriptor);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorUserData)..], UserDataDescriptor);

        const ulong tssBase = TssAddress;
        var low = (TssLimit & 0xFFFF)
            | ((tssBase & 0xFF_FFFF) << 16)
            | ((ulong)TssAccess << 40)
            | (((TssLimit >> 16) & 0xF) << 48)
            | (((tssBase >> 24) & 0xFF) << 56);
        BinaryPrimitives.WriteUInt64LittleEndian(page[GuestAbi.SelectorTss..], low);
        BinaryPrimitives.WriteUInt64LittleEndian(page[(GuestAbi.SelectorTss + 8)..], tssBase >> 32);

        var tss = page[(int)GuestAbi.TssOffset..];
        // Every IDT gate names IST1; RSP0 is set as well so a gate without IST still lands on a good stack.
        BinaryPrimitives.WriteUInt64LittleEndian(tss[TssRsp0Offset..], layout.ExceptionStackTop);
        BinaryPrimitives.WriteUInt64LittleEndian(tss[TssIst1Offset..], layout.ExceptionStackTop);
        BinaryPrimitives.WriteUInt16LittleEndian(tss[TssIoMapBaseOffset..], (ushort)IoBitmapOffset);
        var bitmap = tss.Slice((int)IoBitmapOffset, (int)(FirstOpenPortByte + 2));
        bitmap.Fill(0xFF);
        bitmap[(int)FirstOpenPortByte] = unchecked((byte)(0xFF << OpenPortCount));
    }
}
