using System.Text.Json.Nodes;
using HyperSharp.Snapshots.Oci;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>Removing tags and collecting blobs: only what no remaining manifest reaches goes, and nothing outside the layout.</summary>
public sealed class OciLayoutDeleteTests : IDisposable
{
    private readonly SnapshotLayoutFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private string BlobDirectory => Path.Combine(_fixture.Layout, "blobs", "sha256");

    [Fact]
    public void DeleteRemovesTheTagAndOnlyTheBlobsNoOtherTagUses()
    {
        var a = _fixture.Save("a", seed: 1);
        var b = _fixture.Save("b", seed: 2);
        var aBlobs = BlobsOf(a);
        var bBlobs = BlobsOf(b);
        // Same layout and vCPU state, different memory: the two manifests share their config blob.
        Assert.Single(aBlobs.Intersect(bBlobs));

        Snapshot.Delete(_fixture.Layout, "a");

        Assert.Equal(bBlobs.Order(), BlobFiles().Order());
        Assert.Equal(["b"], Tags());
        using var loaded = Snapshot.Load(_fixture.Layout, "b");
        Assert.Equal(SnapshotFormatError.TagNotFound, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "a")).Reason);
        Assert.Equal(SnapshotFormatError.TagNotFound, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, a)).Reason);
    }

    [Fact]
    public void DeletingOneOfTwoTagsOnTheSameManifestKeepsEveryBlob()
    {
        var digest = _fixture.Save("a");
        Assert.Equal(digest, _fixture.Save("b"));
        var blobs = BlobFiles();

        Snapshot.Delete(_fixture.Layout, "a");

        Assert.Equal(blobs.Order(), BlobFiles().Order());
        using var loaded = Snapshot.Load(_fixture.Layout, "b");
    }

    [Fact]
    public void DeletingTheLastTagLeavesAnEmptyLayoutThatStillSaves()
    {
        _fixture.Save("only");

        Snapshot.Delete(_fixture.Layout, "only");

        Assert.Empty(BlobFiles());
        Assert.Empty(Tags());
        _fixture.Save("again", seed: 4);
        using var loaded = Snapshot.Load(_fixture.Layout, "again");
    }

    [Fact]
    public void ResavingATagCollectsTheBlobsOnlyItsOldSnapshotUsed()
    {
        var old = _fixture.Save("a", seed: 1);
        var kept = _fixture.Save("b", seed: 2);
        var oldOnly = BlobsOf(old).Except(BlobsOf(kept)).ToList();

        var replaced = _fixture.Save("a", seed: 3);

        Assert.Equal(2, oldOnly.Count);
        Assert.Empty(oldOnly.Intersect(BlobFiles()));
        Assert.Equal(BlobsOf(replaced).Union(BlobsOf(kept)).Order(), BlobFiles().Order());
    }

    [Fact]
    public void UnknownTagsInvalidTagsAndNonLayoutsChangeNothing()
    {
        _fixture.Save("a");
        var index = File.ReadAllText(Path.Combine(_fixture.Layout, "index.json"));
        var blobs = BlobFiles();

        Assert.Equal(SnapshotFormatError.TagNotFound, Assert.Throws<SnapshotFormatException>(() => Snapshot.Delete(_fixture.Layout, "nope")).Reason);
        Assert.Throws<ArgumentException>(() => Snapshot.Delete(_fixture.Layout, "../a"));
        var other = Directory.CreateDirectory(Path.Combine(_fixture.Root, "plain")).FullName;
        Assert.Equal(SnapshotFormatError.NotAnOciLayout, Assert.Throws<SnapshotFormatException>(() => Snapshot.Delete(other, "a")).Reason);

        Assert.Equal(index, File.ReadAllText(Path.Combine(_fixture.Layout, "index.json")));
        Assert.Equal(blobs.Order(), BlobFiles().Order());
    }

    [Fact]
    public void BlobsOfForeignManifestsAreKept()
    {
        _fixture.Save("ours", seed: 1);
        var (layer, layerSize) = _fixture.StoreBlob("a container layer"u8.ToArray());
        var (config, configSize) = _fixture.StoreBlob("{}"u8.ToArray());
        var (manifest, manifestSize) = _fixture.StoreBlob(System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ImageManifest,
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = config, ["size"] = configSize },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar", ["digest"] = layer, ["size"] = layerSize }),
        }.ToJsonString()));
        var index = _fixture.Index();
        index["manifests"]!.AsArray().Add(new JsonObject { ["mediaType"] = MediaTypes.ImageManifest, ["digest"] = manifest, ["size"] = manifestSize });
        _fixture.WriteIndex(index);

        Snapshot.Delete(_fixture.Layout, "ours");

        Assert.Equal(new[] { layer, config, manifest }.Select(d => d["sha256:".Length..]).Order(), BlobFiles().Order());
    }

    [Fact]
    public void NothingIsCollectedWhenAnIndexEntryCannotBeFollowed()
    {
        var a = _fixture.Save("a", seed: 1);
        _fixture.Save("b", seed: 2);
        var index = _fixture.Index();
        index["manifests"]!.AsArray().Add(new JsonObject { ["mediaType"] = "application/vnd.example.unknown+json", ["digest"] = "sha256:" + new string('c', 64), ["size"] = 1 });
        _fixture.WriteIndex(index);
        var blobs = BlobFiles();

        Snapshot.Delete(_fixture.Layout, "a");

        Assert.DoesNotContain("a", Tags());
        Assert.Equal(blobs.Order(), BlobFiles().Order());
        Assert.Contains(a["sha256:".Length..], BlobFiles());
    }

    [Fact]
    public void LeftoversOfCrashedWritesAreCollectedButOtherFilesAreNot()
    {
        _fixture.Save("a", seed: 1);
        _fixture.Save("b", seed: 2);
        var orphan = _fixture.StoreBlob("written, but its index commit never happened"u8.ToArray()).Digest["sha256:".Length..];
        string[] temporaries =
        [
            Path.Combine(BlobDirectory, $"memory.tmp-123-{Guid.NewGuid():N}"),
            Path.Combine(BlobDirectory, $"{orphan}.tmp-123-{Guid.NewGuid():N}"),
            Path.Combine(_fixture.Layout, $"index.json.tmp-123-{Guid.NewGuid():N}"),
        ];
        foreach (var temporary in temporaries)
        {
            File.WriteAllText(temporary, "partial");
        }

        var notes = Path.Combine(BlobDirectory, "README");
        File.WriteAllText(notes, "not a blob name: never touched");

        Snapshot.Delete(_fixture.Layout, "a");

        Assert.All(temporaries, t => Assert.False(File.Exists(t), t));
        Assert.DoesNotContain(orphan, BlobFiles());
        Assert.True(File.Exists(notes));
    }

    [Fact]
    public void SymbolicLinksAreNeverFollowedOutOfTheLayout()
    {
        _fixture.Save("a", seed: 1);
        _fixture.Save("b", seed: 2);
        var outside = Directory.CreateDirectory(Path.Combine(_fixture.Root, "outside")).FullName;
        var victim = Path.Combine(outside, new string('d', 64));
        File.WriteAllText(victim, "a file outside the layout that happens to have a digest's name");
        var link = Path.Combine(BlobDirectory, new string('e', 64));
        File.CreateSymbolicLink(link, victim);

        Snapshot.Delete(_fixture.Layout, "a");

        Assert.True(File.Exists(victim));
        Assert.NotNull(new FileInfo(link).LinkTarget);

        // A blobs directory that is itself a link is neither written through nor swept.
        var moved = Path.Combine(outside, "sha256");
        Directory.Move(BlobDirectory, moved);
        Directory.CreateSymbolicLink(BlobDirectory, moved);
        var before = Directory.GetFiles(moved).Order().ToList();
        Assert.Equal(SnapshotFormatError.NotARegularFile, Assert.Throws<SnapshotFormatException>(() => _fixture.Save("a", seed: 3)).Reason);
        Snapshot.Delete(_fixture.Layout, "b");
        Assert.Equal(before, Directory.GetFiles(moved).Order().ToList());
    }

    [Fact]
    public void ConcurrentSavesAndDeletesNeverLoseATagOrABlob()
    {
        _fixture.Save("seed");
        Parallel.For(0, 8, i =>
        {
            _fixture.Save($"t{i}", seed: 10 + i);
            _fixture.Save($"gone{i}", seed: 20 + i);
            Snapshot.Delete(_fixture.Layout, $"gone{i}");
        });

        Assert.Equal(["seed", .. Enumerable.Range(0, 8).Select(i => $"t{i}")], Tags().Order());
        foreach (var tag in Tags())
        {
            using var loaded = Snapshot.Load(_fixture.Layout, tag);
        }

        Assert.Equal(Tags().SelectMany(t => BlobsOf(ManifestDigest(t))).Distinct().Order(), BlobFiles().Order());
    }

    /// <summary>The names under <c>blobs/sha256</c> of a manifest and the config and layer it references.</summary>
    private List<string> BlobsOf(string manifestDigest)
    {
        var manifest = SnapshotLayoutFixture.ReadJson(_fixture.BlobPath(manifestDigest));
        return [.. new[] { manifestDigest, (string)manifest["config"]!["digest"]!, (string)manifest["layers"]![0]!["digest"]! }.Select(d => d["sha256:".Length..])];
    }

    private string ManifestDigest(string tag) =>
        (string)_fixture.Index()["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?[MediaTypes.RefNameAnnotation] == tag)!["digest"]!;

    private List<string> BlobFiles() => [.. Directory.EnumerateFiles(BlobDirectory).Select(f => Path.GetFileName(f)!).Where(n => n.Length == 64)];

    private List<string> Tags() => [.. _fixture.Index()["manifests"]!.AsArray().Select(m => (string?)m!["annotations"]?[MediaTypes.RefNameAnnotation]).OfType<string>()];
}
