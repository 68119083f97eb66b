using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>
/// Writes the IDT (docs/guest-abi.md §3): one 64-bit interrupt gate per CPU exception, each pointing at the host's
/// handler stub for that vector (<see cref="ExceptionHandlerCode"/>) on the IST1 stack. The table lives in a read-only,
/// supervisor-only page, so guest code, which runs in ring 3, can neither change where an exception lands nor read
/// the table; every gate has DPL 0, so an <c>INT n</c> from ring 3 raises #GP instead of entering a handler.
/// </summary>
internal static class InterruptTable
{
    /// <summary>Vectors 0–31, the CPU exceptions; an <c>INT n</c> past them lies beyond the limit and raises #GP.</summary>
    public const int Vectors = 32;

    public const int GateSize = 16;

    /// <summary>IDTR limit: the last byte of the 32 gates.</summary>
    public const ushort Limit = (Vectors * GateSize) - 1;

    /// <summary>Present, DPL 0, 64-bit interrupt gate (type 0xE), which clears IF on entry.</summary>
    private const byte InterruptGatePresent = 0x8E;

    private const byte InterruptStackTable1 = 1;

    public static void Write(GuestMemory memory)
    {
        var page = memory.GetSpan(GuestAbi.IdtAddress, GuestAbi.PageSize);
        page.Clear();
        for (var vector = 0; vector < Vectors; vector++)
        {
            var handler = ExceptionHandlerCode.StubAddress(vector);
            var gate = page.Slice(vector * GateSize, GateSize);
            BinaryPrimitives.WriteUInt16LittleEndian(gate, (ushort)handler);
            BinaryPrimitives.WriteUInt16LittleEndian(gate[2..], GuestAbi.SelectorCode);
            gate[4] = InterruptStackTable1;
            gate[5] = InterruptGatePresent;
            BinaryPrimitives.WriteUInt16LittleEndian(gate[6..], (ushort)(handler >> 16));
            BinaryPrimitives.WriteUInt32LittleEndian(gate[8..], (uint)(handler >> 32));
        }
    }
}
