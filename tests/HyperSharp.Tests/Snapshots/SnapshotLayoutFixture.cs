using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HyperSharp.Hypervisors;
using HyperSharp.Hypervisors.Kvm;
using HyperSharp.Memory;

namespace HyperSharp.Tests.Snapshots;

/// <summary>
/// A temporary directory plus synthetic snapshots (no KVM: a memfd image, a plausible vCPU state) and helpers
/// that rewrite a saved layout's JSON while keeping every digest and size consistent, so each test breaks exactly one rule.
/// </summary>
internal sealed class SnapshotLayoutFixture : IDisposable
{
    public SnapshotLayoutFixture() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "hypersharp-oci-" + Guid.NewGuid().ToString("N"));

    public string Layout => Path.Combine(Root, "layout");

    public static MemoryLayout SmallLayout { get; } = MemoryLayout.Create(0x2000, new SandboxOptions
    {
        HeapSize = 16UL << 10,
        StackSize = 16UL << 10,
        InputBufferSize = 4UL << 10,
        OutputBufferSize = 4UL << 10,
    });

    /// <summary>A snapshot of <see cref="SmallLayout"/> whose memory is a pattern derived from <paramref name="seed"/>, mostly zero.</summary>
    /// <param name="seed">Varies the memory.</param>
    /// <param name="generation">The snapshot's generation.</param>
    /// <param name="guestFunctions">The guest's functions; null for Echo and Add.</param>
    public static unsafe Snapshot CreateSnapshot(int seed = 1, ulong generation = 1, IEnumerable<GuestFunctionSignature>? guestFunctions = null)
    {
        var layout = SmallLayout;
        var memory = new byte[layout.MemorySize];
        new Random(seed).NextBytes(memory.AsSpan((int)layout.ImageBase, (int)layout.ImageSize));
        memory[0x2000] = (byte)seed;
        var special = new SpecialRegisters { Cr0 = 0x80050033, Cr3 = GuestAbi.PageTablesAddress, Cr4 = 0x6a0, Efer = 0xd01 };
        special.Cs = new SegmentRegister { Selector = GuestAbi.SelectorCode, Present = 1, L = 1, S = 1, Type = 11, G = 1, Limit = 0xffffffff };
        special.InterruptBitmap[2] = 0x55;
        var vcpu = new VcpuState
        {
            Registers = new StandardRegisters { Rip = layout.ImageBase + 0x10, Rsp = layout.StackTop - 0x40, Rax = 42, R15 = ulong.MaxValue, Rflags = 2 },
            SpecialRegisters = special,
            // This host's XSAVE size where KVM is there, so Load's host check accepts it; x87 and SSE, which every x86-64 has.
            Xsave = [.. Enumerable.Range(0, Hypervisor.IsAvailable ? KvmDevice.Shared.XsaveSize : 4096).Select(i => (byte)(i * 7))],
            Xcr0 = 3,
            DebugRegisters = new DebugRegisters(1, 2, 3, 4, 0xffff0ff0, 0x400),
            Msrs = [new MsrValue(0xC0000102, 0x1234), new MsrValue(0x10, 99)],
            Events = new VcpuEvents { Flags = 4, NmiMasked = 1, ExceptionPayload = 0xdead, SipiVector = 3 },
        };
        var guestFunctionTable = (guestFunctions ??
        [
            new GuestFunctionSignature("Echo", GuestValueType.String, [GuestValueType.String]),
            new GuestFunctionSignature("Add", GuestValueType.Int, [GuestValueType.Int, GuestValueType.Int]),
        ]).ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        GuestFunctionSignature[] hostFunctions = [new("HostAdd", GuestValueType.Int, [GuestValueType.Int, GuestValueType.Int]), new("HostVoid", GuestValueType.Void, [])];
        var everyPage = new ulong[PageBitmap.WordsFor((ulong)memory.Length)];
        everyPage.AsSpan().Fill(ulong.MaxValue);
        fixed (byte* pinned = memory)
        {
            return new Snapshot(MemoryImage.Capture(pinned, (ulong)memory.Length, everyPage), layout, vcpu, guestFunctionTable, hostFunctions, generation);
        }
    }

    /// <summary>Saves a fresh synthetic snapshot into <see cref="Layout"/> under <paramref name="tag"/>.</summary>
    public string Save(string tag = "v1", int seed = 1, bool durable = false)
    {
        using var snapshot = CreateSnapshot(seed);
        return snapshot.Save(Layout, tag, new SnapshotSaveOptions { Durable = durable });
    }

    public string BlobPath(string digest) => Path.Combine(Layout, "blobs", "sha256", digest["sha256:".Length..]);

    public static JsonObject ReadJson(string path) => (JsonObject)JsonNode.Parse(File.ReadAllBytes(path))!;

    public JsonObject Index() => ReadJson(Path.Combine(Layout, "index.json"));

    public void WriteIndex(JsonObject index) => File.WriteAllText(Path.Combine(Layout, "index.json"), index.ToJsonString());

    /// <summary>The first manifest's JSON and its blob path.</summary>
    public (JsonObject Manifest, string Path) Manifest()
    {
        var path = BlobPath((string)Index()["manifests"]![0]!["digest"]!);
        return (ReadJson(path), path);
    }

    public JsonObject Config() => ReadJson(BlobPath((string)Manifest().Manifest["config"]!["digest"]!));

    public string MemoryBlob() => BlobPath((string)Manifest().Manifest["layers"]![0]!["digest"]!);

    /// <summary>Rewrites the first manifest as <paramref name="edit"/> says, stores it under its new digest and points the index at it.</summary>
    public void EditManifest(Action<JsonObject> edit)
    {
        var (manifest, _) = Manifest();
        edit(manifest);
        var (digest, size) = StoreBlob(System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        var index = Index();
        index["manifests"]![0]!["digest"] = digest;
        index["manifests"]![0]!["size"] = size;
        WriteIndex(index);
    }

    /// <summary>Rewrites the config as <paramref name="edit"/> says, with consistent digests all the way up.</summary>
    public void EditConfig(Action<JsonObject> edit)
    {
        var config = Config();
        edit(config);
        WriteConfigBytes(System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    public void WriteConfigBytes(byte[] bytes)
    {
        var (digest, size) = StoreBlob(bytes);
        EditManifest(m =>
        {
            m["config"]!["digest"] = digest;
            m["config"]!["size"] = size;
        });
    }

    public (string Digest, long Size) StoreBlob(byte[] bytes)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(BlobPath(digest), bytes);
        return (digest, bytes.Length);
    }

    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
