using System.Runtime.InteropServices;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>
/// No symbolic link below a layout's root is followed, for reads or writes, and no file there that is not a regular
/// file is read or written through: Load, Save and Delete refuse with the same reason, and nothing outside the layout changes.
/// </summary>
public sealed class LayoutSymlinkTests : IDisposable
{
    private readonly SnapshotLayoutFixture _fixture = new();
    private readonly string _outside;

    public LayoutSymlinkTests()
    {
        _fixture.Save("v1");
        _outside = Directory.CreateDirectory(Path.Combine(_fixture.Root, "outside")).FullName;
    }

    public void Dispose() => _fixture.Dispose();

    private string Blobs => Path.Combine(_fixture.Layout, "blobs");

    [Theory]
    [InlineData("blobs")]
    [InlineData("blobs/sha256")]
    public void ASymlinkedBlobDirectoryIsNeitherReadNorWritten(string directory)
    {
        var real = Path.Combine(_fixture.Layout, directory);
        var moved = Path.Combine(_outside, Path.GetFileName(directory));
        Directory.Move(real, moved);
        Directory.CreateSymbolicLink(real, moved);
        var before = Listing(_outside);

        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")).Reason);
        var save = Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v2", seed: 2));
        Assert.Equal(SnapshotFormatError.NotARegularFile, save.Reason);
        Assert.True(save.Message.Contains("symbolic link", StringComparison.Ordinal), save.Message);
        Snapshot.Delete(_fixture.Layout, "v1");

        Assert.Equal(before, Listing(_outside));
    }

    [Fact]
    public void ABlobsEntryThatIsAFileIsRefused()
    {
        Directory.Delete(Blobs, recursive: true);
        File.WriteAllText(Blobs, "not a directory");
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")).Reason);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v2", seed: 2)).Reason);
    }

    [Fact]
    public void AnIndexThatIsADirectoryIsRefusedBySaveAsByLoad()
    {
        var index = Path.Combine(_fixture.Layout, "index.json");
        File.Delete(index);
        Directory.CreateDirectory(index);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")).Reason);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v2", seed: 2)).Reason);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => Snapshot.Delete(_fixture.Layout, "v1")).Reason);
        Assert.True(Directory.Exists(index));
    }

    [Theory]
    [InlineData("index.json", SnapshotFormatError.NotARegularFile)]
    [InlineData("oci-layout", SnapshotFormatError.NotAnOciLayout)]
    public void ASymlinkedLayoutFileIsNeitherReadNorReplacedThrough(string name, SnapshotFormatError reason)
    {
        var file = Path.Combine(_fixture.Layout, name);
        var target = Path.Combine(_outside, name);
        File.Move(file, target);
        File.CreateSymbolicLink(file, target);
        var contents = File.ReadAllText(target);

        Assert.Equal(reason, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")).Reason);
        Assert.Equal(reason, Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v2", seed: 2)).Reason);
        Assert.Equal(reason, Assert.Throws<SnapshotFormatException>(() => Snapshot.Delete(_fixture.Layout, "v1")).Reason);
        Assert.Equal(contents, File.ReadAllText(target));
    }

    [Fact]
    public void ABlobNameTakenByADirectoryIsRefusedBySaveAsByLoad()
    {
        var blob = _fixture.MemoryBlob();
        File.Delete(blob);
        Directory.CreateDirectory(blob);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")).Reason);
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v1", seed: 1)).Reason);
        Assert.True(Directory.Exists(blob));
    }

    [Fact]
    public void ABlobNameTakenByALinkIsReplacedNotWrittenThrough()
    {
        var blob = _fixture.MemoryBlob();
        var target = Path.Combine(_outside, "victim");
        File.WriteAllText(target, "outside the layout");
        File.Delete(blob);
        File.CreateSymbolicLink(blob, target);

        _fixture.Save("v1", seed: 1);

        Assert.Equal("outside the layout", File.ReadAllText(target));
        Assert.Null(new FileInfo(blob).LinkTarget);
        using var loaded = Snapshot.Load(_fixture.Layout, "v1");
    }

    [Fact]
    public async Task AFifoIndexIsRefusedBySaveWithoutBlocking()
    {
        var index = Path.Combine(_fixture.Layout, "index.json");
        File.Delete(index);
        Assert.Equal(0, MkFifo(index, 0x180));
        var save = Task.Run(() => Assert.Throws<SnapshotFormatException>(() => _fixture.Save("v2", seed: 2)), TestContext.Current.CancellationToken);
        var error = await save.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(SnapshotFormatError.NotARegularFile, error.Reason);
    }

    [Fact]
    public void ALayoutRootThatIsASymlinkIsTheCallersChoiceAndWorks()
    {
        var link = Path.Combine(_fixture.Root, "link");
        Directory.CreateSymbolicLink(link, _fixture.Layout);
        using var loaded = Snapshot.Load(link, "v1");
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot(seed: 5);
        snapshot.Save(link, "v2");
        using var saved = Snapshot.Load(_fixture.Layout, "v2");
    }

    [Fact]
    public void PathsWithANulCharacterAreRefusedNotCut()
    {
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot();
        var cut = _fixture.Layout + "\0ignored";
        Assert.Throws<ArgumentException>(() => Snapshot.Load(cut, "v1"));
        Assert.Throws<ArgumentException>(() => snapshot.Save(cut, "v1"));
        Assert.Throws<ArgumentException>(() => Snapshot.Delete(cut, "v1"));
    }

    /// <summary>Every entry under <paramref name="directory"/>, with file sizes, in name order.</summary>
    private static List<string> Listing(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path) ? $"{path} {new FileInfo(path).Length}" : path)];

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
