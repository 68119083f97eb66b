using System.Runtime.InteropServices;
using HyperSharp.MemoryProviders;

namespace HyperSharp.Memory;

/// <summary>
/// An immutable copy of guest memory that sandboxes map copy-on-write: either an image made from memory
/// (<see cref="Capture"/>; on Linux a memfd sealed against writes, resizing and further sealing) where only non-zero
/// pages are written and the rest read as zero and cost nothing, or a snapshot file's memory blob opened read-only
/// (<see cref="FromFile"/>), whose writes become private pages and never reach the file.
/// </summary>
internal sealed class MemoryImage : IDisposable
{
    /// <summary>Bytes scanned per span when looking for data: spans are int-sized, guest memory is not.</summary>
    private const long ScanWindow = 1L << 30;

    private MemoryImage(SafeHandle file, ulong size, ulong dataPages)
    {
        File = file;
        Size = size;
        DataPages = dataPages;
    }

    /// <summary>The image's file: a sealed memfd, or a read-only snapshot blob. Mappings made from it keep it alive after this is disposed.</summary>
    public SafeHandle File { get; }

    /// <summary>Bytes of guest memory the image covers.</summary>
    public ulong Size { get; }

    /// <summary>Pages that hold data (the rest are zero holes); every page for an image from a file.</summary>
    public ulong DataPages { get; }

    /// <summary>
    /// Copies the <paramref name="size"/> bytes (a multiple of 4 KiB) at <paramref name="memory"/> into a new image,
    /// reading only the pages set in <paramref name="candidates"/>: the caller guarantees every other page reads as
    /// zero, so it stays zero in the image without being touched (reading it could fault in, and allocate, a page of the
    /// mapping's file). Sizes and offsets are 64-bit throughout: guest memory reaches 5.5 GiB.
    /// </summary>
    public static unsafe MemoryImage Capture(byte* memory, ulong size, ReadOnlySpan<ulong> candidates)
    {
        var runs = DataRuns(memory, size, candidates);
        var dataPages = (ulong)runs.Sum(r => r.End - r.Start) / GuestAbi.PageSize;
        return new MemoryImage(MemoryProvider.Current.CreateImage(memory, size, runs), size, dataPages);
    }

    /// <summary>
    /// Wraps a snapshot blob as an image, taking ownership of <paramref name="file"/>. The caller guarantees
    /// it is a regular file opened read-only (so no mapping of it can ever write it) whose size is exactly
    /// <paramref name="size"/> (so no access through a mapping lies past its end, which would raise SIGBUS on Linux).
    /// </summary>
    public static MemoryImage FromFile(SafeHandle file, ulong size) => new(file, size, size / GuestAbi.PageSize);

    public void Dispose() => File.Dispose();

    /// <summary>The runs of adjacent candidate pages that hold anything but zeros, as page-aligned byte offsets.</summary>
    private static unsafe List<(long Start, long End)> DataRuns(byte* memory, ulong size, ReadOnlySpan<ulong> candidates)
    {
        const long page = (long)GuestAbi.PageSize;
        var runs = new List<(long, long)>();
        foreach (var (firstPage, endPage) in PageBitmap.Runs(candidates, (long)(size / GuestAbi.PageSize)))
        {
            var offset = firstPage * page;
            var limit = endPage * page;
            while (offset < limit)
            {
                // Find the next page holding anything but zeros; a span covers at most ScanWindow bytes.
                var window = Math.Min(limit - offset, ScanWindow);
                // SAFETY: [offset, offset + window) lies inside the caller's size bytes (limit <= size).
                var next = new ReadOnlySpan<byte>(memory + offset, (int)window).IndexOfAnyExcept((byte)0);
                if (next < 0)
                {
                    offset += window;
                    continue;
                }

                // Extend the run page by page while pages hold data.
                var start = (offset + next) / page * page;
                var end = start + page;
                // SAFETY: end + page <= limit <= size, so the page at end lies inside the caller's memory.
                while (end < limit && new ReadOnlySpan<byte>(memory + end, (int)page).ContainsAnyExcept((byte)0))
                {
                    end += page;
                }

                runs.Add((start, end));
                offset = end;
            }
        }

        return runs;
    }
}
