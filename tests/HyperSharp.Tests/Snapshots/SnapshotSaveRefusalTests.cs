using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary><see cref="Snapshot.Save"/> refuses what <see cref="Snapshot.Load"/> would refuse, before it writes anything.</summary>
public sealed class SnapshotSaveRefusalTests : IDisposable
{
    private readonly SnapshotLayoutFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void AConfigLargerThanLoadReadsIsRefusedBeforeTheDirectoryIsCreated()
    {
        // The wire format's limits allow 1024 guest functions of 256-byte names; control characters take six bytes each
        // in JSON, so such a guest's config is 1.5 MiB, past the 1 MiB Load reads.
        var functions = Enumerable.Range(0, 1024).Select(i =>
            new GuestFunctionSignature(new string('\u0001', 252) + i.ToString("x4", System.Globalization.CultureInfo.InvariantCulture), GuestValueType.Int, [GuestValueType.Int]));
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot(guestFunctions: functions);

        var error = Assert.Throws<SnapshotFormatException>(() => snapshot.Save(_fixture.Layout, "big"));

        Assert.Equal(SnapshotFormatError.TooLarge, error.Reason);
        Assert.StartsWith("The snapshot was not saved, because Snapshot.Load would refuse it: ", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_fixture.Layout));
    }

    [Fact]
    public void ARefusedSaveLeavesAnExistingLayoutByteForByte()
    {
        _fixture.Save("v1");
        var before = Contents(_fixture.Layout);
        var functions = Enumerable.Range(0, 1024).Select(i => new GuestFunctionSignature(new string('\u001b', 250) + i, GuestValueType.Void, []));
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot(guestFunctions: functions);

        Assert.Equal(SnapshotFormatError.TooLarge, Assert.Throws<SnapshotFormatException>(() => snapshot.Save(_fixture.Layout, "v1")).Reason);

        Assert.Equal(before, Contents(_fixture.Layout));
    }

    /// <summary>Every file under <paramref name="directory"/> with its hash, in name order.</summary>
    private static List<string> Contents(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => $"{Path.GetRelativePath(directory, path)} {SnapshotLayoutFixture.HashFile(path)}")];
}
