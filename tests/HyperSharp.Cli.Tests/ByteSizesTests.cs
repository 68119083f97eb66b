using Xunit;

namespace HyperSharp.Cli.Tests;

public sealed class ByteSizesTests
{
    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("64K", 64UL << 10)]
    [InlineData("64k", 64UL << 10)]
    [InlineData("64KiB", 64UL << 10)]
    [InlineData("8M", 8UL << 20)]
    [InlineData("8mib", 8UL << 20)]
    [InlineData("4G", 4UL << 30)]
    [InlineData("0", 0UL)]
    public void ParsesSizes(string text, ulong expected)
    {
        Assert.True(ByteSizes.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("K")]
    [InlineData("-4096")]
    [InlineData("1.5M")]
    [InlineData("64KB")]
    [InlineData("4 K")]
    [InlineData("17179869184G")]
    public void RejectsNonSizes(string text) => Assert.False(ByteSizes.TryParse(text, out _));

    [Theory]
    [InlineData(1UL << 20, "1 MiB")]
    [InlineData(128UL << 10, "128 KiB")]
    [InlineData(4UL << 30, "4 GiB")]
    [InlineData(1372UL << 10, "1372 KiB")]
    [InlineData(100UL, "100 bytes")]
    [InlineData(0UL, "0 bytes")]
    public void FormatsInTheLargestWholeUnit(ulong bytes, string expected) => Assert.Equal(expected, ByteSizes.Format(bytes));
}
