using System.Text.Json.Nodes;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>One negative test per validation rule of docs/snapshot-format.md: each mutation is refused with its own reason.</summary>
public sealed class OciLayoutRejectionTests : IDisposable
{
    private readonly SnapshotLayoutFixture _fixture = new();

    public OciLayoutRejectionTests() => _fixture.Save("v1");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void TheUnmutatedLayoutLoads()
    {
        using var snapshot = Snapshot.Load(_fixture.Layout, "v1");
        Assert.Equal(SnapshotLayoutFixture.SmallLayout.MemorySize, snapshot.MemorySize);
    }

    [Fact]
    public void AMissingOrWrongOciLayoutFileIsRefused()
    {
        var marker = Path.Combine(_fixture.Layout, "oci-layout");
        File.WriteAllText(marker, """{"imageLayoutVersion":"2.0.0"}""");
        Expect(SnapshotFormatError.NotAnOciLayout);
        File.Delete(marker);
        Expect(SnapshotFormatError.NotAnOciLayout);
        Expect(SnapshotFormatError.NotAnOciLayout, directory: Path.Combine(_fixture.Root, "nowhere"));
    }

    [Fact]
    public void AMissingIndexIsRefused()
    {
        File.Delete(Path.Combine(_fixture.Layout, "index.json"));
        Expect(SnapshotFormatError.NotAnOciLayout);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"schemaVersion":2}""")]
    [InlineData("""{"schemaVersion":2,"schemaVersion":2,"manifests":[]}""")]
    [InlineData("""{"schemaVersion":"2","manifests":[]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":null,"digest":"x","size":1}]}""")]
    public void MalformedIndexJsonIsRefused(string json)
    {
        File.WriteAllText(Path.Combine(_fixture.Layout, "index.json"), json);
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Fact]
    public void MalformedManifestAndConfigJsonAreRefused()
    {
        _fixture.WriteConfigBytes("{\"format_version\":1"u8.ToArray());
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Fact]
    public void UnknownAndMissingConfigFieldsAreRefused()
    {
        _fixture.EditConfig(c => c["surprise"] = 1);
        Expect(SnapshotFormatError.MalformedJson);
        _fixture.EditConfig(c =>
        {
            c.Remove("surprise");
            c.Remove("generation");
        });
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Theory]
    [InlineData("vcpu", "msrs")]
    [InlineData(null, "guest_functions")]
    [InlineData(null, "host_functions")]
    public void ANullArrayEntryIsRefused(string? parent, string array)
    {
        // The generated contract let these through and the mapper then threw NullReferenceException.
        _fixture.EditConfig(c => ((JsonArray)(parent is null ? c : c[parent]!)[array]!).Add(null));
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Fact]
    public void JsonOverOneMebibyteIsRefusedBeforeParsing()
    {
        var index = _fixture.Index();
        index["annotations"] = new JsonObject { ["padding"] = new string('x', 1 << 20) };
        _fixture.WriteIndex(index);
        Expect(SnapshotFormatError.TooLarge);
    }

    [Fact]
    public void AConfigOverOneMebibyteIsRefused()
    {
        var big = new byte[(1 << 20) + 1];
        _fixture.WriteConfigBytes(big);
        Expect(SnapshotFormatError.TooLarge);
    }

    [Fact]
    public void WrongSchemaVersionsAreRefused()
    {
        var index = _fixture.Index();
        index["schemaVersion"] = 1;
        _fixture.WriteIndex(index);
        Expect(SnapshotFormatError.UnsupportedSchema);
    }

    [Fact]
    public void AWrongManifestSchemaVersionIsRefused()
    {
        _fixture.EditManifest(m => m["schemaVersion"] = 3);
        Expect(SnapshotFormatError.UnsupportedSchema);
    }

    [Theory]
    [InlineData("index")]
    [InlineData("descriptor")]
    [InlineData("manifest")]
    [InlineData("artifactType")]
    [InlineData("config")]
    [InlineData("layer")]
    public void WrongMediaTypesAreRefused(string where)
    {
        const string Other = "application/vnd.example.other";
        switch (where)
        {
            case "index":
            case "descriptor":
                var index = _fixture.Index();
                (where == "index" ? index : (JsonObject)index["manifests"]![0]!)["mediaType"] = Other;
                _fixture.WriteIndex(index);
                break;
            case "manifest":
                _fixture.EditManifest(m => m["mediaType"] = Other);
                break;
            case "artifactType":
                _fixture.EditManifest(m => m.Remove("artifactType"));
                break;
            case "config":
                _fixture.EditManifest(m => m["config"]!["mediaType"] = Other);
                break;
            default:
                _fixture.EditManifest(m => m["layers"]![0]!["mediaType"] = Other);
                break;
        }

        Expect(SnapshotFormatError.UnsupportedMediaType);
    }

    [Fact]
    public void ZeroOrSeveralLayersAreRefused()
    {
        _fixture.EditManifest(m => m["layers"]!.AsArray().Add(m["layers"]![0]!.DeepClone()));
        Expect(SnapshotFormatError.LayerCount);
        _fixture.EditManifest(m => m["layers"] = new JsonArray());
        Expect(SnapshotFormatError.LayerCount);
    }

    [Fact]
    public void AnUnknownTagOrDigestIsRefused()
    {
        Expect(SnapshotFormatError.TagNotFound, reference: "v2");
        Expect(SnapshotFormatError.TagNotFound, reference: "sha256:" + new string('0', 64));
    }

    [Fact]
    public void ADuplicateTagIsRefused()
    {
        var index = _fixture.Index();
        index["manifests"]!.AsArray().Add(index["manifests"]![0]!.DeepClone());
        _fixture.WriteIndex(index);
        Expect(SnapshotFormatError.DuplicateTag);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("")]
    [InlineData("-tag")]
    [InlineData("a/b")]
    public void BadReferencesAreRefused(string reference) => Expect(SnapshotFormatError.BadReference, reference: reference);

    [Fact]
    public void ABadDescriptorDigestIsRefused()
    {
        _fixture.EditManifest(m => m["layers"]![0]!["digest"] = "sha256:../../../etc/passwd");
        Expect(SnapshotFormatError.BadReference);
    }

    [Fact]
    public void AMissingBlobIsRefused()
    {
        File.Delete(_fixture.MemoryBlob());
        Expect(SnapshotFormatError.MissingBlob);
    }

    [Fact]
    public void ADescriptorSizeThatDiffersFromTheFileIsRefused()
    {
        _fixture.EditManifest(m => m["layers"]![0]!["size"] = (long)m["layers"]![0]!["size"]! + 4096);
        Expect(SnapshotFormatError.SizeMismatch);
    }

    /// <summary>Sizes around the 32- and 64-bit edges in every descriptor: each is a typed refusal, never an overflow.</summary>
    [Theory]
    [InlineData("layers", (1L << 31) - 1, SnapshotFormatError.SizeMismatch)]
    [InlineData("layers", 1L << 31, SnapshotFormatError.SizeMismatch)]
    [InlineData("layers", 1L << 32, SnapshotFormatError.SizeMismatch)]
    [InlineData("layers", long.MaxValue, SnapshotFormatError.SizeMismatch)]
    [InlineData("layers", -1L, SnapshotFormatError.SizeMismatch)]
    [InlineData("layers", long.MinValue, SnapshotFormatError.SizeMismatch)]
    [InlineData("config", 1L << 31, SnapshotFormatError.TooLarge)]
    [InlineData("config", long.MaxValue, SnapshotFormatError.TooLarge)]
    [InlineData("config", -1L, SnapshotFormatError.SizeMismatch)]
    [InlineData("config", long.MinValue, SnapshotFormatError.SizeMismatch)]
    public void DescriptorSizesAtTheIntegerEdgesAreRefused(string descriptor, long size, SnapshotFormatError reason)
    {
        _fixture.EditManifest(m => (descriptor == "layers" ? m["layers"]![0]! : m["config"]!)["size"] = size);
        Expect(reason);
        Expect(reason, verify: false);
    }

    [Theory]
    [InlineData(1L << 31)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public void ManifestDescriptorSizesAtTheIntegerEdgesAreRefused(long size)
    {
        var index = _fixture.Index();
        index["manifests"]![0]!["size"] = size;
        _fixture.WriteIndex(index);
        Expect(size > 0 ? SnapshotFormatError.TooLarge : SnapshotFormatError.SizeMismatch);
    }

    [Fact]
    public void AMemoryBlobOfAnotherSizeThanTheConfigSaysIsRefused()
    {
        // Grow the blob and its descriptor consistently: only memory_size disagrees.
        var blob = File.ReadAllBytes(_fixture.MemoryBlob());
        var (digest, size) = _fixture.StoreBlob([.. blob, .. new byte[4096]]);
        _fixture.EditManifest(m =>
        {
            m["layers"]![0]!["digest"] = digest;
            m["layers"]![0]!["size"] = size;
        });
        Expect(SnapshotFormatError.SizeMismatch);
    }

    [Fact]
    public void ATruncatedBlobIsDetectedBeforeMapping()
    {
        using (var stream = new FileStream(_fixture.MemoryBlob(), FileMode.Open))
        {
            stream.SetLength(stream.Length - 4096);
        }

        Expect(SnapshotFormatError.SizeMismatch);
        Expect(SnapshotFormatError.SizeMismatch, verify: false);
    }

    [Fact]
    public void ASymlinkedBlobIsRefused()
    {
        var blob = _fixture.MemoryBlob();
        var elsewhere = Path.Combine(_fixture.Root, "elsewhere");
        File.Move(blob, elsewhere);
        File.CreateSymbolicLink(blob, elsewhere);
        Expect(SnapshotFormatError.NotARegularFile);
    }

    [Fact]
    public void ADirectoryBlobIsRefused()
    {
        var blob = _fixture.MemoryBlob();
        File.Delete(blob);
        Directory.CreateDirectory(blob);
        Expect(SnapshotFormatError.NotARegularFile);
    }

    [Fact]
    public async Task AFifoBlobIsRefusedWithoutBlocking()
    {
        var blob = _fixture.MemoryBlob();
        File.Delete(blob);
        Assert.Equal(0, MkFifo(blob, 0x180));
        var load = Task.Run(() => Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_fixture.Layout, "v1")), TestContext.Current.CancellationToken);
        var e = await load.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(SnapshotFormatError.NotARegularFile, e.Reason);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(0x1001ul)]
    [InlineData(16ul << 30)]
    public void AZeroUnalignedOrHugeMemorySizeIsRefused(ulong memorySize)
    {
        _fixture.EditConfig(c => c["memory_size"] = memorySize);
        Expect(SnapshotFormatError.BadMemorySize);
    }

    [Theory]
    [InlineData("heap_base", 0x1000)]
    [InlineData("page_tables_size", 0x1000)]
    [InlineData("input_base", 0x1000)]
    [InlineData("image_size", 0x1000)]
    [InlineData("image_size", 0x1234)]
    [InlineData("heap_size", 0)]
    [InlineData("stack_size", 1UL << 40)]
    [InlineData("memory_size", 0x1000)]
    public void ALayoutHyperSharpWouldNotComputeIsRefused(string field, ulong delta)
    {
        _fixture.EditConfig(c => c["layout"]![field] = field == "heap_size" ? 0 : (ulong)c["layout"]![field]! + delta);
        Expect(SnapshotFormatError.BadLayout);
    }

    /// <summary>
    /// A heap 2 KiB smaller and a stack 2 KiB larger: every size within its range and the memory size unchanged, in a
    /// layout consistent with them, but not page-aligned. The loaded snapshot's Options were then refused by
    /// FromSnapshot (and so by 'snapshot call') with an untyped ArgumentOutOfRangeException.
    /// </summary>
    [Fact]
    public void RegionSizesThatSandboxOptionsRefuseAreRefused()
    {
        var small = SnapshotLayoutFixture.SmallLayout;
        var layout = HyperSharp.Memory.MemoryLayout.Create(small.ImageSize, new SandboxOptions
        {
            HeapSize = small.HeapSize - 0x800,
            StackSize = small.StackSize + 0x800,
            InputBufferSize = small.InputSize,
            OutputBufferSize = small.OutputSize,
        });
        Assert.Equal(small.MemorySize, layout.MemorySize);
        _fixture.EditConfig(c =>
        {
            var fields = c["layout"]!;
            fields["heap_size"] = layout.HeapSize;
            fields["stack_base"] = layout.StackBase;
            fields["stack_size"] = layout.StackSize;
            c["vcpu"]!["registers"]!["rsp"] = layout.StackTop - 0x40;
        });
        Expect(SnapshotFormatError.BadLayout);
    }

    [Theory]
    [InlineData("rip", 0ul)]
    [InlineData("rip", 0x10_0000_0000ul)]
    [InlineData("rsp", 0ul)]
    [InlineData("rsp", 0x10_0000_0000ul)]
    public void AnInstructionOrStackPointerOutsideItsRegionIsRefused(string register, ulong value)
    {
        _fixture.EditConfig(c => c["vcpu"]!["registers"]![register] = value);
        Expect(SnapshotFormatError.BadEntryPoint);
    }

    [Fact]
    public void AMalformedVcpuStateIsRefused()
    {
        _fixture.EditConfig(c => c["vcpu"]!["xsave"] = Convert.ToBase64String(new byte[100]));
        Expect(SnapshotFormatError.BadVcpuState);
        _fixture.EditConfig(c =>
        {
            c["vcpu"]!["xsave"] = Convert.ToBase64String(new byte[4096]);
            c["vcpu"]!["special_registers"]!["interrupt_bitmap"] = new JsonArray(1, 2);
        });
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Fact]
    public void BadFunctionSignaturesAreRefused()
    {
        _fixture.EditConfig(c => c["host_functions"]!.AsArray().Add(c["host_functions"]![0]!.DeepClone()));
        Expect(SnapshotFormatError.BadFunctionSignature);
        _fixture.EditConfig(c =>
        {
            c["host_functions"]!.AsArray().RemoveAt(2);
            c["guest_functions"]![0]!["parameter_types"] = new JsonArray("void");
        });
        Expect(SnapshotFormatError.BadFunctionSignature);
    }

    [Fact]
    public void FunctionsNoSandboxCouldHoldAreRefused()
    {
        _fixture.EditConfig(c => c["host_functions"]![0]!["name"] = string.Empty);
        Expect(SnapshotFormatError.BadFunctionSignature);
        _fixture.EditConfig(c =>
        {
            c["host_functions"]![0]!["name"] = "HostAdd";
            c["guest_functions"]![0]!["name"] = new string('n', 257);
        });
        Expect(SnapshotFormatError.BadFunctionSignature);
        _fixture.EditConfig(c =>
        {
            c["guest_functions"]![0]!["name"] = "Echo";
            c["guest_functions"]![0]!["parameter_types"] = new JsonArray([.. Enumerable.Range(0, 33).Select(_ => (JsonNode?)"int")]);
        });
        Expect(SnapshotFormatError.BadFunctionSignature);
    }

    [Fact]
    public void AGuestFunctionWithAnEmptyNameLoads()
    {
        // Regression: the wire format lets a guest announce a function named "", so a sandbox can hold one and save it;
        // the loader used to refuse the very snapshot the library had written.
        _fixture.EditConfig(c => c["guest_functions"]![0]!["name"] = string.Empty);
        using var snapshot = Snapshot.Load(_fixture.Layout, "v1");
        Assert.Contains(string.Empty, snapshot.GuestFunctionTable.Keys);
    }

    [Fact]
    public void UnknownFunctionTypesAndNumericTypesAreMalformed()
    {
        _fixture.EditConfig(c => c["guest_functions"]![0]!["return_type"] = "quaternion");
        Expect(SnapshotFormatError.MalformedJson);
        _fixture.EditConfig(c => c["guest_functions"]![0]!["return_type"] = 8);
        Expect(SnapshotFormatError.MalformedJson);
    }

    [Theory]
    [InlineData("format_version", 2, SnapshotFormatError.FormatVersionMismatch)]
    [InlineData("abi_version", 99, SnapshotFormatError.AbiMismatch)]
    [InlineData("architecture", "aarch64", SnapshotFormatError.ArchitectureMismatch)]
    [InlineData("hypervisor", "mshv", SnapshotFormatError.HypervisorMismatch)]
    [InlineData("cpu_vendor", "VendorOfElse", SnapshotFormatError.CpuVendorMismatch)]
    public void ASnapshotFromAnotherFormatAbiArchitectureHypervisorOrVendorIsRefused(string field, object value, SnapshotFormatError reason)
    {
        _fixture.EditConfig(c => c[field] = JsonValue.Create(value));
        Expect(reason);
    }

    [Fact]
    public void TheLibraryVersionIsInformationalOnly()
    {
        _fixture.EditConfig(c => c["library_version"] = "0.0.0-elsewhere");
        using var snapshot = Snapshot.Load(_fixture.Layout, "v1");
    }

    [Fact]
    public void AVerifiedLoadRefusesAMutatedMemoryBlobAndAnUnverifiedLoadAcceptsIt()
    {
        using (var stream = new FileStream(_fixture.MemoryBlob(), FileMode.Open))
        {
            stream.Position = 0x2000;
            stream.WriteByte(0xEE);
        }

        Expect(SnapshotFormatError.DigestMismatch);
        using var snapshot = Snapshot.Load(_fixture.Layout, "v1", new SnapshotLoadOptions { VerifyDigests = false });
        Assert.Equal(SnapshotLayoutFixture.SmallLayout.MemorySize, snapshot.MemorySize);
    }

    [Fact]
    public void AVerifiedLoadRefusesAMutatedConfigOrManifest()
    {
        var config = _fixture.BlobPath((string)_fixture.Manifest().Manifest["config"]!["digest"]!);
        var bytes = File.ReadAllBytes(config);
        var at = Array.IndexOf(bytes, (byte)'"', 10);
        bytes[at + 1] ^= 0x20; // same length, different content
        File.WriteAllBytes(config, bytes);
        Expect(SnapshotFormatError.DigestMismatch);
    }

    private void Expect(SnapshotFormatError reason, string reference = "v1", string? directory = null, bool verify = true)
    {
        var e = Assert.Throws<SnapshotFormatException>(() =>
            Snapshot.Load(directory ?? _fixture.Layout, reference, new SnapshotLoadOptions { VerifyDigests = verify }).Dispose());
        Assert.True(reason == e.Reason, $"Expected {reason} but got {e.Reason}: {e.Message}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
