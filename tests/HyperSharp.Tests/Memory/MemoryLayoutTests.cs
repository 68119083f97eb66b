using System.Buffers.Binary;
using HyperSharp.Memory;
using Xunit;

namespace HyperSharp.Tests.Memory;

public sealed class MemoryLayoutTests
{
    [Theory]
    [InlineData(0x3000UL, 4096UL)]
    [InlineData(0x10000UL, 1UL << 20)]
    [InlineData(0x200000UL, 1UL << 30)]
    public void RegionsAreOrderedPageAlignedAndDisjoint(ulong imageSize, ulong heapSize)
    {
        var layout = MemoryLayout.Create(imageSize, new SandboxOptions { HeapSize = heapSize });
        ulong[] starts =
        [
            GuestAbi.PageTablesAddress, layout.ImageBase, layout.HeapBase, layout.StackGuardPage, layout.StackBase,
            layout.ExceptionStackGuardPage, layout.InputBase, layout.OutputBase, layout.MemorySize,
        ];
        Assert.All(starts, s => Assert.Equal(0UL, s % GuestAbi.PageSize));
        Assert.Equal(starts.Order(), starts);
        Assert.Equal(layout.ImageBase + imageSize, layout.HeapBase);
        Assert.Equal(layout.HeapBase + heapSize + GuestAbi.PageSize, layout.StackBase);
        Assert.Equal(layout.StackTop + GuestAbi.PageSize + MemoryLayout.ExceptionStackSize, layout.ExceptionStackTop);
        Assert.Equal(layout.OutputBase + layout.OutputSize, layout.MemorySize);
    }

    [Fact]
    public void PageTablesMapEveryPageWithTheRightAccess()
    {
        var options = new SandboxOptions { HeapSize = 3UL << 20 };
        var layout = MemoryLayout.Create(0x4000, options);
        using var memory = GuestMemory.Allocate(layout.MemorySize);
        PageTableBuilder.Build(memory, layout,
        [
            new PageRegion(layout.ImageBase, 0x1000, PageAccess.ReadExecute | PageAccess.User),
            new PageRegion(layout.ImageBase + 0x1000, 0x1000, PageAccess.ReadOnly),
            new PageRegion(layout.HeapBase, layout.HeapSize, PageAccess.ReadWrite),
        ]);

        Assert.Null(Translate(memory, 0));
        Assert.Null(Translate(memory, GuestAbi.PageTablesAddress));
        Assert.Equal((true, false, true), Translate(memory, layout.ImageBase));
        Assert.True(IsUserAccessible(memory, layout.ImageBase));
        Assert.Equal((true, false, false), Translate(memory, layout.ImageBase + 0x1000));
        Assert.False(IsUserAccessible(memory, layout.ImageBase + 0x1000));
        Assert.Null(Translate(memory, layout.ImageBase + 0x2000));
        Assert.Equal((true, true, false), Translate(memory, layout.HeapBase + layout.HeapSize - GuestAbi.PageSize));
        Assert.Null(Translate(memory, layout.StackGuardPage));
    }

    /// <summary>Whether ring 3 may touch the page: the U bit is set at every level.</summary>
    private static bool IsUserAccessible(GuestMemory memory, ulong address)
    {
        var table = GuestAbi.PageTablesAddress;
        for (var shift = 39; shift >= 12; shift -= 9)
        {
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(memory.GetSpan(table + (((address >> shift) & 511) * 8), 8));
            if ((entry & 5) != 5)
            {
                return false;
            }

            table = entry & 0x000F_FFFF_FFFF_F000;
        }

        return true;
    }

    /// <summary>Walks the tables like the MMU does: (present, writable, executable) of the leaf, or null if unmapped.</summary>
    private static (bool Present, bool Writable, bool Executable)? Translate(GuestMemory memory, ulong address)
    {
        var table = GuestAbi.PageTablesAddress;
        for (var shift = 39; shift >= 12; shift -= 9)
        {
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(memory.GetSpan(table + (((address >> shift) & 511) * 8), 8));
            if ((entry & 1) == 0)
            {
                return null;
            }

            if (shift == 12)
            {
                Assert.Equal(address & ~0xFFFUL, entry & 0x000F_FFFF_FFFF_F000);
                return (true, (entry & 2) != 0, (entry & (1UL << 63)) == 0);
            }

            table = entry & 0x000F_FFFF_FFFF_F000;
        }

        return null;
    }
}
