using System.Security.Cryptography;
using HyperSharp.Elf;

namespace HyperSharp.Memory;

/// <summary>Guest memory ready to boot: layout, contents, the entry point and the thread pointer (FS base).</summary>
internal sealed record BootImage(GuestMemory Memory, MemoryLayout Layout, ulong EntryPoint, ulong ThreadPointer);

/// <summary>
/// Builds guest memory from a parsed ELF: lays out the regions, loads and relocates the image, and
/// writes the page tables, GDT/TSS, IDT, exception handlers and PEB (docs/guest-abi.md §2–§5).
/// </summary>
internal static class GuestImageBuilder
{
    public static BootImage Build(ElfImage elf, SandboxOptions options)
    {
        // The thread control block's pages count as part of the image (docs/guest-abi.md §2).
        var layout = MemoryLayout.Create(elf.ImageSize + ThreadControlBlock.AreaSize(elf.ThreadLocalStorage), options);
        var memory = GuestMemory.Allocate(layout.MemorySize);
        try
        {
            elf.LoadInto(memory.GetSpan(layout.ImageBase, elf.ImageSize), layout.ImageBase);
            var threadPointer = ThreadControlBlock.Write(memory, layout.ImageBase, elf);
            PageTableBuilder.Build(memory, layout, PageRegions(elf, layout));
            SystemTables.Write(memory, layout);
            InterruptTable.Write(memory);
            ExceptionHandlerCode.Write(memory);
            ParameterBlock.Write(memory, layout, NewSeed());
            return new BootImage(memory, layout, layout.ImageBase + elf.EntryOffset, threadPointer);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>A fresh random seed for the guest's random source.</summary>
    public static ulong NewSeed()
    {
        Span<byte> seed = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(seed);
        return BitConverter.ToUInt64(seed);
    }

    /// <summary>
    /// What the guest may do with each region; anything unnamed (NULL page, tables, guards) is unmapped.
    /// What the CPU consults on the guest's behalf (GDT/TSS, IDT, exception handlers, exception stack) is
    /// supervisor-only, so ring 3, where all guest code runs, cannot reach it; the rest is user memory.
    /// </summary>
    private static IEnumerable<PageRegion> PageRegions(ElfImage elf, MemoryLayout layout)
    {
        yield return new PageRegion(GuestAbi.GdtAddress, GuestAbi.PageSize, PageAccess.ReadOnly);
        yield return new PageRegion(GuestAbi.PebAddress, GuestAbi.PageSize, PageAccess.ReadOnly | PageAccess.User);
        yield return new PageRegion(GuestAbi.IdtAddress, GuestAbi.PageSize, PageAccess.ReadOnly);
        yield return new PageRegion(GuestAbi.ExceptionCodeAddress, GuestAbi.PageSize, PageAccess.ReadExecute);
        foreach (var range in elf.PageRanges)
        {
            var access = !range.Present ? PageAccess.None
                : PageAccess.Present | PageAccess.User | (range.Writable ? PageAccess.Writable : 0) | (range.Executable ? PageAccess.Executable : 0);
            yield return new PageRegion(layout.ImageBase + range.Offset, range.Length, access);
        }

        yield return ThreadControlBlock.PageRegion(layout.ImageBase, elf);

        yield return new PageRegion(layout.HeapBase, layout.HeapSize, PageAccess.ReadWrite | PageAccess.User);
        yield return new PageRegion(layout.StackBase, layout.StackSize, PageAccess.ReadWrite | PageAccess.User);
        yield return new PageRegion(layout.ExceptionStackTop - MemoryLayout.ExceptionStackSize, MemoryLayout.ExceptionStackSize, PageAccess.ReadWrite);
        yield return new PageRegion(layout.InputBase, layout.InputSize, PageAccess.ReadWrite | PageAccess.User);
        yield return new PageRegion(layout.OutputBase, layout.OutputSize, PageAccess.ReadWrite | PageAccess.User);
    }
}
