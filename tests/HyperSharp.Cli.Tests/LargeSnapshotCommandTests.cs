using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary><c>snapshot save</c> and <c>call</c> of a guest at the largest heap the CLI accepts: more than 4 GiB of memory.</summary>
public sealed class LargeSnapshotCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"hypersharp-cli-large-{Guid.NewGuid():N}");

    public LargeSnapshotCommandTests() => Cli.RequireKvm();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void AFourGibibyteHeapSavesAndCalls()
    {
        var save = Cli.Run("snapshot", "save", "--heap-size", "4G", Cli.SimpleGuest, _directory, "--tag", "big", "--call", "SetStatic", "41");
        Assert.True(save.ExitCode == ExitCodes.Success, save.Stderr);
        Assert.Contains("saved simpleguest.elf as 'big'", save.Stdout, StringComparison.Ordinal);
        // Saving 4 GiB may pass a second: then stderr has progress lines, and nothing else.
        Assert.All(save.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^saving memory: [\d.]+ [KMG]iB of 4\.0 GiB \(\d+%\), [\d.]+ s$", line));
        Assert.Equal("41\n", Cli.Run("snapshot", "call", "--no-verify", _directory, "GetStatic").Succeeded());
    }
}
