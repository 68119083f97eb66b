using HyperSharp.Snapshots.Oci;
using HyperSharp.Tests.Snapshots;
using Xunit;

namespace HyperSharp.WindowsTests;

/// <summary>
/// Snapshot files on Windows, through the Windows file system provider (<c>CreateFileW</c>, no libc): a layout saved on
/// Linux reads, verifies and inspects, and is refused by <see cref="Snapshot.Load"/> for the one reason that applies (it
/// was taken under KVM, and Windows runs WHP); a layout saved here round-trips, and deleting its tag collects its blobs.
/// </summary>
public sealed class SnapshotLayoutTests
{
    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task ALinuxSnapshotIsRefusedAsAHypervisorMismatch()
    {
        await Task.Yield();
        var error = Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(LinuxFixture.Layout, LinuxFixture.Tag));

        Assert.Equal(SnapshotFormatError.HypervisorMismatch, error.Reason);
        Assert.Contains("taken under kvm; this host uses whp", error.Message, StringComparison.Ordinal);
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task ALinuxSnapshotInspectsWithItsOneIncompatibility()
    {
        await Task.Yield();
        var info = Snapshot.Inspect(LinuxFixture.Layout, LinuxFixture.Tag);

        Assert.Equal([LinuxFixture.Tag], info.Tags);
        Assert.Equal("kvm", info.Hypervisor);
        Assert.Equal((ulong)new FileInfo(LinuxFixture.MemoryBlob()).Length, info.MemorySize);
        Assert.Contains(info.GuestFunctions, f => f.Name == "Echo");
        var incompatibility = Assert.Single(info.Incompatibilities);
        Assert.StartsWith(nameof(SnapshotFormatError.HypervisorMismatch), incompatibility, StringComparison.Ordinal);
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task ALinuxLayoutListsAndVerifies()
    {
        await Task.Yield();
        var entry = Assert.Single(Snapshot.List(LinuxFixture.Layout));
        Assert.Equal(LinuxFixture.Tag, entry.Tag);

        using var artifact = OciLayoutReader.Read(LinuxFixture.Layout, entry.ManifestDigest, verifyDigests: true);
        Assert.Equal(new FileInfo(LinuxFixture.MemoryBlob()).Length, artifact.Memory.Length);
    }

    [Fact]
    public async Task ASnapshotSavedHereLoadsBackAndDeletesCleanly()
    {
        await Task.Yield();
        using var fixture = new SnapshotLayoutFixture();
        using (var snapshot = SnapshotLayoutFixture.CreateSnapshot(seed: 18))
        {
            var digest = snapshot.Save(fixture.Layout, "here");
            using var loaded = Snapshot.Load(fixture.Layout, digest);
            Assert.Equal(snapshot.MemorySize, loaded.MemorySize);
            Assert.Equal(snapshot.Vcpu.Registers.Rip, loaded.Vcpu.Registers.Rip);
            Assert.Equal("whp", Snapshot.Inspect(fixture.Layout, "here").Hypervisor);
        }

        Snapshot.Delete(fixture.Layout, "here");

        Assert.Empty(Snapshot.List(fixture.Layout));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(fixture.Layout, "blobs", "sha256")));
    }

    /// <summary>Two writers at once take turns on the layout's lock (a named mutex here), so neither loses the other's tags.</summary>
    [Fact]
    public async Task ConcurrentSavesKeepEveryTag()
    {
        using var fixture = new SnapshotLayoutFixture();
        using var first = SnapshotLayoutFixture.CreateSnapshot(seed: 1);
        using var second = SnapshotLayoutFixture.CreateSnapshot(seed: 2);
        const int Saves = 6;

        await Task.WhenAll(
            Task.Run(() => SaveEach(first, "a"), TestContext.Current.CancellationToken),
            Task.Run(() => SaveEach(second, "b"), TestContext.Current.CancellationToken));

        var tags = Snapshot.List(fixture.Layout).Select(e => e.Tag).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([.. Enumerable.Range(0, Saves).Select(i => $"a{i}"), .. Enumerable.Range(0, Saves).Select(i => $"b{i}")], tags);

        void SaveEach(Snapshot snapshot, string prefix)
        {
            for (var i = 0; i < Saves; i++)
            {
                snapshot.Save(fixture.Layout, $"{prefix}{i}");
            }
        }
    }

    [Fact]
    public async Task AMissingBlobIsReportedAsSuch()
    {
        await Task.Yield();
        using var fixture = new SnapshotLayoutFixture();
        fixture.Save("gone");
        File.Delete(fixture.MemoryBlob());

        var error = Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(fixture.Layout, "gone"));

        Assert.Equal(SnapshotFormatError.MissingBlob, error.Reason);
    }

    [Fact]
    public async Task ADirectoryWhereABlobBelongsIsNotARegularFile()
    {
        await Task.Yield();
        using var fixture = new SnapshotLayoutFixture();
        fixture.Save("dir");
        var blob = fixture.MemoryBlob();
        File.Delete(blob);
        Directory.CreateDirectory(blob);

        var error = Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(fixture.Layout, "dir"));

        Assert.Equal(SnapshotFormatError.NotARegularFile, error.Reason);
    }
}
