using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Memory;

/// <summary>
/// An immutable copy of guest memory that sandboxes map <c>MAP_PRIVATE</c>: either a memfd sealed against
/// writes, resizing and further sealing (<see cref="Capture"/>), where only non-zero pages are written and the
/// rest stay holes that read as zero and cost nothing; or a snapshot file's memory blob opened read-only
/// (<see cref="FromFile"/>), whose writes become private pages and never reach the file.
/// </summary>
internal sealed class MemoryImage : IDisposable
{
    private const int AllSeals = Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE;

    /// <summary>Bytes scanned per span when looking for data: spans are int-sized, guest memory is not.</summary>
    private const long ScanWindow = 1L << 30;

    private MemoryImage(SafeFileDescriptor memfd, ulong size, ulong dataPages)
    {
        Memfd = memfd;
        Size = size;
        DataPages = dataPages;
    }

    /// <summary>The sealed memfd or read-only blob file. Mappings made from it keep the file alive after this is disposed.</summary>
    public SafeFileDescriptor Memfd { get; }

    /// <summary>Bytes of guest memory the image covers.</summary>
    public ulong Size { get; }

    /// <summary>Pages that hold data (the rest are zero holes); every page for an image from a file.</summary>
    public ulong DataPages { get; }

    /// <summary>
    /// Copies the <paramref name="size"/> bytes (a multiple of 4 KiB) at <paramref name="memory"/> into a new sealed
    /// memfd, reading only the pages set in <paramref name="candidates"/>: the caller guarantees every other page reads
    /// as zero, so it becomes a hole without being touched (reading it could fault in, and allocate, a page of the
    /// mapping's file). Sizes and offsets are 64-bit throughout: guest memory reaches 5.5 GiB.
    /// </summary>
    public static unsafe MemoryImage Capture(byte* memory, ulong size, ReadOnlySpan<ulong> candidates)
    {
        var memfd = new SafeFileDescriptor(Libc.MemfdCreate("hypersharp-snapshot", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING));
        if (memfd.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            memfd.Dispose();
            throw new HypervisorException("memfd_create(snapshot)", errno);
        }

        try
        {
            Check(Libc.FTruncate(memfd.Number, (long)size), "ftruncate(snapshot)");
            const long page = (long)GuestAbi.PageSize;
            ulong dataPages = 0;
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

                    // Extend the run page by page while pages hold data, and write it in one call.
                    var start = (offset + next) / page * page;
                    var end = start + page;
                    // SAFETY: end + page <= limit <= size, so the page at end lies inside the caller's memory.
                    while (end < limit && new ReadOnlySpan<byte>(memory + end, (int)page).ContainsAnyExcept((byte)0))
                    {
                        end += page;
                    }

                    // SAFETY: [start, end) lies inside the caller's memory (end <= limit <= size).
                    if (DescriptorWrites.WriteAll(memfd, memory + start, end - start, start) is not 0 and var errno)
                    {
                        throw new HypervisorException("pwrite(snapshot)", errno);
                    }

                    dataPages += (ulong)((end - start) / page);
                    offset = end;
                }
            }

            Check(Libc.Fcntl(memfd, Libc.F_ADD_SEALS, AllSeals), "fcntl(F_ADD_SEALS)");
            return new MemoryImage(memfd, size, dataPages);
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps a snapshot blob as an image, taking ownership of <paramref name="file"/>. The caller guarantees
    /// it is a regular file opened <c>O_RDONLY</c> (so no mapping of it can ever write it) whose size is exactly
    /// <paramref name="size"/> (so no access through a mapping lies past its end, which would raise SIGBUS).
    /// </summary>
    public static MemoryImage FromFile(SafeFileDescriptor file, ulong size) => new(file, size, size / GuestAbi.PageSize);

    /// <summary>
    /// Sets the bit of every page of <paramref name="file"/> that may hold data, as <c>SEEK_DATA</c>/<c>SEEK_HOLE</c>
    /// report it: holes read as zero. A filesystem without hole tracking reports the whole file as data, which is
    /// merely slower; shmem (memfd) counts swapped-out pages as data.
    /// </summary>
    public static void MarkDataExtents(SafeFileDescriptor file, ulong size, Span<ulong> bitmap)
    {
        long offset = 0;
        while ((ulong)offset < size)
        {
            var data = Libc.LSeek(file, offset, Libc.SEEK_DATA);
            if (data < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.ENXIO)
                {
                    return;
                }

                throw new HypervisorException("lseek(SEEK_DATA)", errno);
            }

            var hole = Libc.LSeek(file, data, Libc.SEEK_HOLE);
            if (hole < 0)
            {
                throw new HypervisorException("lseek(SEEK_HOLE)", Marshal.GetLastPInvokeError());
            }

            var end = Math.Min((ulong)hole, size);
            if ((ulong)data >= end)
            {
                return;
            }

            PageBitmap.MarkRange(bitmap, (ulong)data, end - (ulong)data);
            offset = hole;
        }
    }

    public void Dispose() => Memfd.Dispose();

    private static void Check(int result, string operation)
    {
        if (result < 0)
        {
            throw new HypervisorException(operation, Marshal.GetLastPInvokeError());
        }
    }
}
