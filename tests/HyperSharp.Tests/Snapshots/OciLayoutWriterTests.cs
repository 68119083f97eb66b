using System.Text.Json.Nodes;
using HyperSharp.Memory;
using HyperSharp.Snapshots.Oci;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>Saving: the layout's shape, round trips, tags, content addressing and the atomic commit.</summary>
public sealed class OciLayoutWriterTests : IDisposable
{
    private readonly SnapshotLayoutFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void SaveWritesAnOciLayoutWithOneTaggedManifestConfigAndMemoryLayer()
    {
        var digest = _fixture.Save("v1");

        Assert.Equal("1.0.0", (string)SnapshotLayoutFixture.ReadJson(Path.Combine(_fixture.Layout, "oci-layout"))["imageLayoutVersion"]!);
        var index = _fixture.Index();
        Assert.Equal(2, (int)index["schemaVersion"]!);
        Assert.Equal(MediaTypes.ImageIndex, (string)index["mediaType"]!);
        var entry = Assert.Single(index["manifests"]!.AsArray())!;
        Assert.Equal(digest, (string)entry["digest"]!);
        Assert.Equal("v1", (string)entry["annotations"]![MediaTypes.RefNameAnnotation]!);

        var (manifest, manifestPath) = _fixture.Manifest();
        Assert.Equal(digest, "sha256:" + SnapshotLayoutFixture.HashFile(manifestPath));
        Assert.Equal(MediaTypes.SnapshotConfig, (string)manifest["artifactType"]!);
        Assert.Equal(MediaTypes.SnapshotConfig, (string)manifest["config"]!["mediaType"]!);
        var layer = Assert.Single(manifest["layers"]!.AsArray())!;
        Assert.Equal(MediaTypes.SnapshotMemory, (string)layer["mediaType"]!);
        Assert.Equal((long)SnapshotLayoutFixture.SmallLayout.MemorySize, (long)layer["size"]!);
        Assert.Equal((string)layer["digest"]!, "sha256:" + SnapshotLayoutFixture.HashFile(_fixture.MemoryBlob()));
    }

    [Fact]
    public void TheIndexEntryRecordsWhenTheTagWasSavedAndTheManifestStaysReproducible()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var first = _fixture.Save("a");
        var created = (string)_fixture.Index()["manifests"]![0]!["annotations"]![MediaTypes.CreatedAnnotation]!;

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", created);
        Assert.InRange(DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture), before, DateTimeOffset.UtcNow);
        Assert.Null(_fixture.Manifest().Manifest["annotations"]);
        Assert.Equal(first, _fixture.Save("a"));
    }

    [Fact]
    public void TheConfigRecordsIdentityLayoutVcpuAndFunctions()
    {
        _fixture.Save();
        var config = _fixture.Config();

        Assert.Equal(1, (int)config["format_version"]!);
        Assert.Equal(GuestAbi.AbiVersion, (uint)config["abi_version"]!);
        Assert.Equal("x86_64", (string)config["architecture"]!);
        Assert.Equal("kvm", (string)config["hypervisor"]!);
        Assert.Equal(12, ((string)config["cpu_vendor"]!).Length);
        Assert.Equal(SnapshotLayoutFixture.SmallLayout.StackBase, (ulong)config["layout"]!["stack_base"]!);
        Assert.Equal(42ul, (ulong)config["vcpu"]!["registers"]!["rax"]!);
        var host = config["host_functions"]!.AsArray();
        Assert.Equal("HostAdd", (string)host[0]!["name"]!);
        Assert.Equal("int", (string)host[0]!["parameter_types"]![0]!);
        Assert.Equal("void", (string)host[1]!["return_type"]!);
    }

    [Fact]
    public void LoadReturnsTheSavedStateFieldForField()
    {
        using var original = SnapshotLayoutFixture.CreateSnapshot(seed: 5, generation: 9);
        var digest = original.Save(_fixture.Layout, "t");

        foreach (var reference in new[] { "t", digest })
        {
            using var loaded = Snapshot.Load(_fixture.Layout, reference);
            Assert.Equal(original.Generation, loaded.Generation);
            Assert.Equal(original.Layout, loaded.Layout);
            Assert.Equal(original.GuestFunctions, loaded.GuestFunctions);
            Assert.Equal(original.HostFunctions, loaded.HostFunctions);
            Assert.Equal(original.Vcpu.Registers, loaded.Vcpu.Registers);
            Assert.Equal(original.Vcpu.SpecialRegisters.Cs, loaded.Vcpu.SpecialRegisters.Cs);
            Assert.Equal(original.Vcpu.SpecialRegisters.InterruptBitmap[2], loaded.Vcpu.SpecialRegisters.InterruptBitmap[2]);
            Assert.Equal(original.Vcpu.SpecialRegisters.Cr3, loaded.Vcpu.SpecialRegisters.Cr3);
            Assert.Equal(original.Vcpu.Xsave, loaded.Vcpu.Xsave);
            Assert.Equal(original.Vcpu.Msrs, loaded.Vcpu.Msrs);
            Assert.Equal(original.Vcpu.DebugRegisters, loaded.Vcpu.DebugRegisters);
            Assert.Equal(original.Vcpu.Events.ExceptionPayload, loaded.Vcpu.Events.ExceptionPayload);
            Assert.Equal(original.Vcpu.Events.NmiMasked, loaded.Vcpu.Events.NmiMasked);
            Assert.Equal(original.MemorySize, loaded.Memory.Size);
        }
    }

    [Fact]
    public void OtherTagsArePreservedAndResavingATagReplacesIt()
    {
        var first = _fixture.Save("a", seed: 1);
        var second = _fixture.Save("b", seed: 2);
        var replaced = _fixture.Save("a", seed: 3);

        var tags = _fixture.Index()["manifests"]!.AsArray().Select(m => ((string)m!["annotations"]![MediaTypes.RefNameAnnotation]!, (string)m["digest"]!)).ToList();
        Assert.Equal(2, tags.Count);
        Assert.Contains(("b", second), tags);
        Assert.Contains(("a", replaced), tags);
        Assert.NotEqual(first, replaced);
        using var loaded = Snapshot.Load(_fixture.Layout, "b");
        Assert.Equal(SnapshotLayoutFixture.SmallLayout, loaded.Layout);
    }

    [Fact]
    public void IdenticalBlobsAreStoredOnce()
    {
        var first = _fixture.Save("a");
        var blobs = Directory.GetFiles(Path.Combine(_fixture.Layout, "blobs", "sha256"));
        var memoryBefore = File.GetLastWriteTimeUtc(_fixture.MemoryBlob());

        var second = _fixture.Save("b");

        Assert.Equal(first, second);
        Assert.Equal(blobs.Order(), Directory.GetFiles(Path.Combine(_fixture.Layout, "blobs", "sha256")).Order());
        Assert.Equal(3, blobs.Length);
        Assert.Equal(memoryBefore, File.GetLastWriteTimeUtc(_fixture.MemoryBlob()));
        Assert.Equal(2, _fixture.Index()["manifests"]!.AsArray().Count);
    }

    [Fact]
    public void TheIndexIsReplacedByRenameAndNoTemporaryFilesRemain()
    {
        _fixture.Save("a");
        var indexPath = Path.Combine(_fixture.Layout, "index.json");
        using var oldIndex = File.OpenRead(indexPath);
        var oldContent = new StreamReader(oldIndex).ReadToEnd();

        _fixture.Save("b", seed: 2, durable: true);

        // A reader holding the old index still sees the old, complete file: the new one arrived by rename, not by rewrite.
        Assert.Contains("\"a\"", oldContent, StringComparison.Ordinal);
        oldIndex.Position = 0;
        Assert.Equal(oldContent, new StreamReader(oldIndex).ReadToEnd());
        Assert.Contains("\"b\"", File.ReadAllText(indexPath), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFiles(_fixture.Layout, "*", SearchOption.AllDirectories), f => f.Contains(".tmp-", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownIndexFieldsAndForeignManifestsSurviveASave()
    {
        _fixture.Save("a");
        var index = _fixture.Index();
        index["annotations"] = new JsonObject { ["owner"] = "someone" };
        index["manifests"]!.AsArray().Add(new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["digest"] = "sha256:" + new string('a', 64),
            ["size"] = 10,
            ["platform"] = new JsonObject { ["os"] = "linux" },
        });
        _fixture.WriteIndex(index);

        _fixture.Save("b", seed: 2);

        var after = _fixture.Index();
        Assert.Equal("someone", (string)after["annotations"]!["owner"]!);
        Assert.Contains(after["manifests"]!.AsArray(), m => m!["platform"] is not null);
        Assert.Equal(3, after["manifests"]!.AsArray().Count);
    }

    [Fact]
    public void SaveRefusesInvalidTagsAndNonLayoutDirectories()
    {
        using var snapshot = SnapshotLayoutFixture.CreateSnapshot();
        foreach (var tag in new[] { "", ".hidden", "-x", "a b", "a/b", new string('x', 129), "tag:1" })
        {
            Assert.Throws<ArgumentException>(() => snapshot.Save(_fixture.Layout, tag));
        }

        Directory.CreateDirectory(_fixture.Layout);
        File.WriteAllText(Path.Combine(_fixture.Layout, "unrelated.txt"), "keep me");
        var e = Assert.Throws<SnapshotFormatException>(() => snapshot.Save(_fixture.Layout, "ok"));
        Assert.Equal(SnapshotFormatError.NotAnOciLayout, e.Reason);
        Assert.True(SnapshotTag.IsValid("_a.b-C9") && SnapshotTag.IsValid(new string('x', 128)));
    }
}
