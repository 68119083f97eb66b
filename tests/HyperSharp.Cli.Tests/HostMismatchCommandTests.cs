using HyperSharp.Tests.Snapshots;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>A snapshot saved on a CPU with another XSAVE area size: <c>verify</c>, <c>call</c> and <c>inspect</c> say so.</summary>
public sealed class HostMismatchCommandTests : IDisposable
{
    private readonly SnapshotLayoutFixture _layout = new();

    public HostMismatchCommandTests() => Cli.RequireKvm();

    public void Dispose() => _layout.Dispose();

    [Fact]
    public void AnotherXsaveSizeIsABadSnapshotEverywhere()
    {
        Cli.Run("snapshot", "save", Cli.SimpleGuest, _layout.Layout, "--tag", "t").Succeeded();
        _layout.EditConfig(config =>
        {
            var xsave = Convert.FromBase64String((string)config["vcpu"]!["xsave"]!);
            config["vcpu"]!["xsave"] = Convert.ToBase64String([.. xsave, .. new byte[64]]);
        });

        var verify = Cli.Run("snapshot", "verify", _layout.Layout).Failed(ExitCodes.BadSnapshot);
        Assert.StartsWith("error: SnapshotMismatchException: ", verify, StringComparison.Ordinal);
        Assert.Contains("the XSAVE area is ", verify, StringComparison.Ordinal);
        Assert.StartsWith("error: SnapshotMismatchException: ", Cli.Run("snapshot", "call", _layout.Layout, "GetStatic").Failed(ExitCodes.BadSnapshot), StringComparison.Ordinal);
        Assert.Matches(@"\nLoadable here +no: the XSAVE area is \d+ bytes in the snapshot but \d+ bytes on this host\n", Cli.Run("snapshot", "inspect", _layout.Layout).Succeeded());
    }
}
