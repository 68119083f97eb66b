using HyperSharp.Interop;
using HyperSharp.Memory;
using HyperSharp.MemoryProviders;
using Xunit;

namespace HyperSharp.Tests.Memory;

/// <summary>
/// What a snapshot reads: the pages a memfd holds data in (SEEK_DATA), the pages this process faulted in
/// (/proc/self/pagemap), and nothing else.
/// </summary>
public sealed unsafe class SparseCaptureTests
{
    private const int Page = 4096;

    [Fact]
    public void DataExtentsOfAMemfdAreExactlyThePagesWritten()
    {
        using var memfd = new SafeFileDescriptor(Libc.MemfdCreate("sparse-capture-test", Libc.MFD_CLOEXEC));
        Assert.False(memfd.IsInvalid);
        const int pages = 1000;
        Assert.Equal(0, Libc.FTruncate(memfd.Number, pages * Page));
        int[] written = [0, 1, 2, 500, 999];
        var data = stackalloc byte[1] { 7 };
        foreach (var page in written)
        {
            Assert.Equal(1, Libc.PWrite(memfd, data, 1, ((long)page * Page) + 100));
        }

        var bitmap = new ulong[PageBitmap.WordsFor(pages * Page)];
        MemoryProvider.Current.MarkDataExtents(memfd, pages * Page, bitmap);

        Assert.Equal([(0L, 3L), (500L, 501L), (999L, 1000L)], Runs(bitmap, pages));
    }

    [Fact]
    public void AnEmptyMemfdHasNoDataExtents()
    {
        using var memfd = new SafeFileDescriptor(Libc.MemfdCreate("sparse-capture-test", Libc.MFD_CLOEXEC));
        Assert.Equal(0, Libc.FTruncate(memfd.Number, 64 * Page));
        var bitmap = new ulong[1];
        MemoryProvider.Current.MarkDataExtents(memfd, 64 * Page, bitmap);
        Assert.Equal(0UL, bitmap[0]);
    }

    [Fact]
    public void TouchedPagesAreThoseWrittenOrRead()
    {
        const int pages = 300;
        var address = Libc.MMap(0, pages * Page, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        Assert.NotEqual(Libc.MAP_FAILED, address);
        try
        {
            // SAFETY: every offset below is inside the fresh mapping of pages * Page bytes.
            ((byte*)address)[5 * Page] = 1;
            ((byte*)address)[(6 * Page) + 17] = 1;
            ((byte*)address)[(299 * Page) + 4095] = 1;

            var bitmap = new ulong[PageBitmap.WordsFor(pages * Page)];
            Assert.True(MemoryProvider.Current.TryMarkTouchedPages(address, pages, bitmap));
            Assert.Equal([(5L, 7L), (299L, 300L)], Runs(bitmap, pages));
        }
        finally
        {
            Libc.MUnmap(address, pages * Page);
        }
    }

    [Fact]
    public unsafe void CaptureWritesOnlyNonZeroCandidatePages()
    {
        var memory = new byte[8 * Page];
        memory[1 * Page] = 1;
        memory[3 * Page] = 2;
        memory[6 * Page] = 3;
        var candidates = new ulong[1];
        PageBitmap.MarkRange(candidates, 0, 4 * Page);

        MemoryImage image;
        fixed (byte* pinned = memory)
        {
            image = MemoryImage.Capture(pinned, (ulong)memory.Length, candidates);
        }

        using var owned = image;

        // Page 6 holds data but was not a candidate: the caller promised it reads as zero, so it is a hole.
        Assert.Equal(2UL, image.DataPages);
        var bitmap = new ulong[1];
        MemoryProvider.Current.MarkDataExtents(image.File, image.Size, bitmap);
        Assert.Equal([(1L, 2L), (3L, 4L)], Runs(bitmap, 8));
    }

    private static List<(long, long)> Runs(ulong[] bitmap, long pages)
    {
        var runs = new List<(long, long)>();
        foreach (var run in PageBitmap.Runs(bitmap, pages))
        {
            runs.Add(run);
        }

        return runs;
    }
}
