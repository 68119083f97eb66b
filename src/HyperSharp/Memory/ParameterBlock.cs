using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>Writes the PEB (<c>struct hs_peb</c>) that tells the guest where everything is.</summary>
internal static class ParameterBlock
{
    public static void Write(GuestMemory memory, MemoryLayout layout, ulong randomSeed)
    {
        var peb = memory.GetSpan(GuestAbi.PebAddress, GuestAbi.PageSize);
        peb.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(peb[GuestAbi.Peb.Magic..], GuestAbi.PebMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(peb[GuestAbi.Peb.AbiVersion..], GuestAbi.AbiVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(peb[GuestAbi.Peb.PebSize..], GuestAbi.Peb.Size);
        Put(peb, GuestAbi.Peb.MemorySize, layout.MemorySize);
        Put(peb, GuestAbi.Peb.ImageBase, layout.ImageBase);
        Put(peb, GuestAbi.Peb.ImageSize, layout.ImageSize);
        Put(peb, GuestAbi.Peb.HeapBase, layout.HeapBase);
        Put(peb, GuestAbi.Peb.HeapSize, layout.HeapSize);
        Put(peb, GuestAbi.Peb.StackBase, layout.StackBase);
        Put(peb, GuestAbi.Peb.StackSize, layout.StackSize);
        Put(peb, GuestAbi.Peb.ExceptionStackTop, layout.ExceptionStackTop);
        Put(peb, GuestAbi.Peb.InputBase, layout.InputBase);
        Put(peb, GuestAbi.Peb.InputSize, layout.InputSize);
        Put(peb, GuestAbi.Peb.OutputBase, layout.OutputBase);
        Put(peb, GuestAbi.Peb.OutputSize, layout.OutputSize);
        Reseed(memory, randomSeed, generation: 1);
    }

    /// <summary>Gives the guest a new seed; it reseeds at its next call because the generation changed.</summary>
    public static void Reseed(GuestMemory memory, ulong randomSeed, ulong generation)
    {
        var peb = memory.GetSpan(GuestAbi.PebAddress, GuestAbi.Peb.Size);
        Put(peb, GuestAbi.Peb.RandomSeed, randomSeed);
        Put(peb, GuestAbi.Peb.SeedGeneration, generation);
    }

    /// <summary>
    /// The clock the guest extrapolates from until its next call (docs/guest-abi.md §5): wall-clock and
    /// monotonic nanoseconds now, and the vCPU's TSC frequency. Three stores, no allocation.
    /// </summary>
    public static void WriteClock(GuestMemory memory, long realtimeNs, ulong monotonicNs, ulong tscKhz)
    {
        var peb = memory.GetSpan(GuestAbi.PebAddress, GuestAbi.Peb.Size);
        Put(peb, GuestAbi.Peb.RealtimeNs, unchecked((ulong)realtimeNs));
        Put(peb, GuestAbi.Peb.MonotonicNs, monotonicNs);
        Put(peb, GuestAbi.Peb.TscKhz, tscKhz);
    }

    private static void Put(Span<byte> peb, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(peb[offset..], value);
}
