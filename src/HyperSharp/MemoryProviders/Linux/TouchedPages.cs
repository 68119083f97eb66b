using HyperSharp.Interop;
using HyperSharp.Memory;

namespace HyperSharp.MemoryProviders.Linux;

/// <summary>
/// Which pages of a mapping this process has ever faulted in, from <c>/proc/self/pagemap</c>: present in RAM or
/// swapped out. A page of a private file mapping that is neither still reads through to the file.
/// </summary>
internal static class TouchedPages
{
    private const string PagemapPath = "/proc/self/pagemap";
    private const ulong Present = 1UL << 63;
    private const ulong Swapped = 1UL << 62;

    /// <summary>Entries read per <c>pread</c>: 512 KiB of pagemap, 256 MiB of memory.</summary>
    private const int EntriesPerRead = 64 * 1024;

    /// <summary>
    /// Sets the bit of every touched page among the <paramref name="pages"/> pages at <paramref name="address"/>.
    /// False, with <paramref name="bitmap"/> partly set, if pagemap cannot be read (no procfs, say).
    /// </summary>
    public static unsafe bool TryMark(nint address, long pages, Span<ulong> bitmap)
    {
        using var pagemap = new SafeFileDescriptor(Libc.Open(PagemapPath, Libc.O_RDONLY | Libc.O_CLOEXEC));
        if (pagemap.IsInvalid)
        {
            return false;
        }

        var entries = new ulong[Math.Min(pages, EntriesPerRead)];
        var firstEntry = (long)((ulong)address / GuestAbi.PageSize);
        for (long done = 0; done < pages;)
        {
            var count = (int)Math.Min(entries.Length, pages - done);
            nint read;
            // SAFETY: fixed pins `entries` for the call; the kernel writes at most count * 8 bytes, its length or less.
            fixed (ulong* buffer = entries)
            {
                read = Libc.PRead(pagemap, (byte*)buffer, (nuint)(count * sizeof(ulong)), (firstEntry + done) * sizeof(ulong));
            }

            if (read != count * sizeof(ulong))
            {
                return false;
            }

            for (var i = 0; i < count; i++)
            {
                if ((entries[i] & (Present | Swapped)) != 0)
                {
                    var page = done + i;
                    bitmap[(int)(page / 64)] |= 1UL << (int)(page % 64);
                }
            }

            done += count;
        }

        return true;
    }
}
