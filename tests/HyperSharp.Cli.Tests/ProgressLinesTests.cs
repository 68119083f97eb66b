using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>Progress on stderr: nothing for quick work, then one line a second.</summary>
public sealed class ProgressLinesTests
{
    [Fact]
    public void SilentForTheFirstSecondThenOneLineASecond()
    {
        var now = TimeSpan.Zero;
        var error = new StringWriter();
        var progress = new ProgressLines(error, "saving memory", 4UL << 30, () => now);

        foreach (var (seconds, done) in new[] { (0.2, 1L << 20), (0.9, 1L << 29), (1.1, 1L << 30), (1.5, 3L << 29), (2.2, 3L << 30), (4.0, 4L << 30) })
        {
            now = TimeSpan.FromSeconds(seconds);
            progress.Report(done);
        }

        Assert.Equal(
            "saving memory: 1.0 GiB of 4.0 GiB (25%), 1.1 s\n"
            + "saving memory: 3.0 GiB of 4.0 GiB (75%), 2.2 s\n"
            + "saving memory: 4.0 GiB of 4.0 GiB (100%), 4.0 s\n",
            error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void QuickWorkPrintsNothing()
    {
        var error = new StringWriter();
        var progress = new ProgressLines(error, "verifying memory", 1UL << 20);
        progress.Report(1L << 20);
        Assert.Equal("", error.ToString());
    }
}
