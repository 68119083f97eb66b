using System.Buffers.Binary;

namespace HyperSharp.Memory;

/// <summary>Access a guest page allows; a page without <see cref="Present"/> faults on any access.</summary>
[Flags]
internal enum PageAccess
{
    None = 0,
    Present = 1,
    Writable = 2,
    Executable = 4,

    /// <summary>Reachable from ring 3, where the guest's code runs after its entry stub.</summary>
    User = 8,
    ReadOnly = Present,
    ReadWrite = Present | Writable,
    ReadExecute = Present | Executable,
}

/// <summary>A page-aligned run of guest addresses and the access it allows.</summary>
internal readonly record struct PageRegion(ulong Start, ulong Length, PageAccess Access);

/// <summary>
/// Writes 4-level x86-64 page tables that identity-map guest memory with 4 KiB pages at
/// <see cref="GuestAbi.PageTablesAddress"/>: PML4, one PDPT, then the PDs, then the PTs.
/// Accessed and dirty bits are preset so the CPU never writes to the tables. Upper levels allow
/// everything; each leaf decides (present, writable, executable, user).
/// </summary>
internal static class PageTableBuilder
{
    private const ulong Present = 1UL << 0;
    private const ulong Writable = 1UL << 1;
    private const ulong UserAccessible = 1UL << 2;
    private const ulong Accessed = 1UL << 5;
    private const ulong Dirty = 1UL << 6;
    private const ulong NoExecute = 1UL << 63;
    private const ulong EntriesPerTable = 512;
    private const ulong TableFlags = Present | Writable | UserAccessible | Accessed;

    /// <summary>Builds the tables into <paramref name="memory"/>; pages no region names stay not present.</summary>
    public static void Build(GuestMemory memory, MemoryLayout layout, IEnumerable<PageRegion> regions)
    {
        var pages = layout.MemorySize / GuestAbi.PageSize;
        var pageTables = (pages + EntriesPerTable - 1) / EntriesPerTable;
        var directories = (pageTables + EntriesPerTable - 1) / EntriesPerTable;
        var pml4 = GuestAbi.PageTablesAddress;
        var pdpt = pml4 + GuestAbi.PageSize;
        var firstDirectory = pdpt + GuestAbi.PageSize;
        var firstTable = firstDirectory + (directories * GuestAbi.PageSize);
        if (firstTable + (pageTables * GuestAbi.PageSize) > layout.ImageBase)
        {
            throw new InvalidOperationException("The layout reserves too little room for the page tables.");
        }

        var tables = memory.GetSpan(pml4, layout.ImageBase - pml4);
        tables.Clear();
        WriteEntry(memory, pml4, pdpt | TableFlags);
        for (ulong d = 0; d < directories; d++)
        {
            WriteEntry(memory, pdpt + (d * 8), (firstDirectory + (d * GuestAbi.PageSize)) | TableFlags);
        }

        for (ulong t = 0; t < pageTables; t++)
        {
            WriteEntry(memory, firstDirectory + (t * 8), (firstTable + (t * GuestAbi.PageSize)) | TableFlags);
        }

        // The PTs are contiguous, so the leaf entry of page p sits at firstTable + p * 8.
        var leaves = memory.GetSpan(firstTable, pages * 8);
        foreach (var region in regions)
        {
            if (region.Start % GuestAbi.PageSize != 0 || region.Length % GuestAbi.PageSize != 0 || region.Start + region.Length > layout.MemorySize)
            {
                throw new InvalidOperationException($"Page region 0x{region.Start:x}+0x{region.Length:x} is not page-aligned inside guest memory.");
            }

            if ((region.Access & PageAccess.Present) == 0)
            {
                continue;
            }

            var flags = Present | Accessed | Dirty;
            flags |= (region.Access & PageAccess.Writable) != 0 ? Writable : 0;
            flags |= (region.Access & PageAccess.Executable) != 0 ? 0 : NoExecute;
            flags |= (region.Access & PageAccess.User) != 0 ? UserAccessible : 0;
            for (var address = region.Start; address < region.Start + region.Length; address += GuestAbi.PageSize)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(leaves[(int)(address / GuestAbi.PageSize * 8)..], address | flags);
            }
        }
    }

    private static void WriteEntry(GuestMemory memory, ulong address, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(memory.GetSpan(address, 8), value);
}
