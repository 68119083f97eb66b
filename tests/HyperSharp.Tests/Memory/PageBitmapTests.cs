using CsCheck;
using HyperSharp.Memory;
using Xunit;

namespace HyperSharp.Tests.Memory;

/// <summary>The page bitmap's runs are exactly the maximal stretches of set bits, at every word boundary.</summary>
public sealed class PageBitmapTests
{
    [Fact]
    public void RunsAreTheMaximalStretchesOfSetBits() =>
        Gen.Int[1, 300].SelectMany(pages => Gen.Bool.Array[pages].Select(bits => (pages, bits))).Sample(sample =>
        {
            var (pages, bits) = sample;
            var bitmap = new ulong[(pages + 63) / 64 + 1];
            for (var i = 0; i < pages; i++)
            {
                if (bits[i])
                {
                    PageBitmap.MarkRange(bitmap, (ulong)i * 4096, 1);
                }
            }

            // Bits past `pages` must be ignored even when set.
            bitmap[^1] = ulong.MaxValue;

            var expected = new List<(long, long)>();
            for (var i = 0; i < pages;)
            {
                if (!bits[i])
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < pages && bits[i])
                {
                    i++;
                }

                expected.Add((start, i));
            }

            var actual = new List<(long, long)>();
            foreach (var run in PageBitmap.Runs(bitmap, pages))
            {
                actual.Add(run);
            }

            Assert.Equal(expected, actual);
        });

    [Theory]
    [InlineData(0UL, 1UL, 0, 1)]
    [InlineData(4095UL, 2UL, 0, 2)]
    [InlineData(4096UL * 63, 4096UL * 2, 63, 65)]
    public void MarkRangeCoversEveryPageTheRangeTouches(ulong address, ulong length, long first, long end)
    {
        var bitmap = new ulong[2];
        PageBitmap.MarkRange(bitmap, address, length);
        var runs = new List<(long, long)>();
        foreach (var run in PageBitmap.Runs(bitmap, 128))
        {
            runs.Add(run);
        }

        Assert.Equal([(first, end)], runs);
    }
}
