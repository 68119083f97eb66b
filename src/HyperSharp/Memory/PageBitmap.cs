using System.Numerics;

namespace HyperSharp.Memory;

/// <summary>
/// One bit per 4 KiB page of guest memory, in KVM's dirty-log layout (bit <c>n % 64</c> of word <c>n / 64</c>):
/// the dirty log itself, and the "may hold data" set a snapshot scans.
/// </summary>
internal static class PageBitmap
{
    /// <summary>Words needed for <paramref name="bytes"/> of memory.</summary>
    public static int WordsFor(ulong bytes) => (int)((bytes / GuestAbi.PageSize + 63) / 64);

    /// <summary>Sets the bits of every page in [<paramref name="address"/>, +<paramref name="length"/>).</summary>
    public static void MarkRange(Span<ulong> bitmap, ulong address, ulong length)
    {
        for (var page = address / GuestAbi.PageSize; page < (address + length + GuestAbi.PageSize - 1) / GuestAbi.PageSize; page++)
        {
            bitmap[(int)(page / 64)] |= 1UL << (int)(page % 64);
        }
    }

    /// <summary>The runs of consecutive set bits among the first <paramref name="pages"/>, as [start, end) page numbers, in order.</summary>
    public static RunEnumerator Runs(ReadOnlySpan<ulong> bitmap, long pages) => new(bitmap, pages);

    /// <summary>Walks the runs word by word, skipping clear words whole.</summary>
    internal ref struct RunEnumerator(ReadOnlySpan<ulong> bitmap, long pages)
    {
        private readonly ReadOnlySpan<ulong> _bitmap = bitmap;
        private long _next;

        public (long Start, long End) Current { get; private set; }

        public readonly RunEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            var page = _next;
            while (page < pages)
            {
                var word = _bitmap[(int)(page / 64)] >> (int)(page % 64);
                if (word == 0)
                {
                    page = (page / 64 + 1) * 64;
                    continue;
                }

                page += BitOperations.TrailingZeroCount(word);
                var start = page;
                while (page < pages && IsSet(page))
                {
                    page++;
                }

                Current = (start, Math.Min(page, pages));
                _next = page;
                return true;
            }

            _next = pages;
            return false;
        }

        private readonly bool IsSet(long page) => (_bitmap[(int)(page / 64)] & (1UL << (int)(page % 64))) != 0;
    }
}
