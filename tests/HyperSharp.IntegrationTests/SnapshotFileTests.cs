using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>Snapshots saved to an OCI layout and loaded back behave exactly like the in-memory snapshots they came from.</summary>
public sealed class SnapshotFileTests : IDisposable
{
    private static readonly SandboxOptions Options = new() { HeapSize = 8UL << 20 };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-snapshot-files-" + Guid.NewGuid().ToString("N"));

    private readonly ITestOutputHelper _output;

    public SnapshotFileTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [KvmFact]
    public void SaveLoadFromSnapshotCallRestoreCallMatchesTheOriginalSandbox()
    {
        using var original = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options);
        original.Call("SetStatic", 41);
        Assert.Equal("warm", original.Call<string>("Echo", "warm"));
        using var snapshot = original.Snapshot();
        var timer = Stopwatch.StartNew();
        var digest = snapshot.Save(_directory, "warm");
        var saved = timer.Elapsed;

        var expected = Run(original);
        original.Restore();
        Assert.Equal(expected, Run(original));

        foreach (var reference in new[] { "warm", digest })
        {
            timer.Restart();
            using var loaded = Snapshot.Load(_directory, reference);
            var load = timer.Elapsed;
            timer.Restart();
            using var sandbox = Sandbox.FromSnapshot(loaded, TestHostFunctions.Create());
            Assert.Equal("first", sandbox.Call<string>("Echo", "first"));
            var firstCall = timer.Elapsed;
            sandbox.Restore();
            Assert.Equal(expected, Run(sandbox));
            sandbox.Restore();
            Assert.Equal(expected, Run(sandbox));
            Assert.Equal(snapshot.Generation, sandbox.Generation);
            Assert.Equal(original.GuestFunctions, sandbox.GuestFunctions);
            _output.WriteLine($"{snapshot.MemorySize >> 10} KiB: save {saved.TotalMilliseconds:F2} ms, verified load by {reference[..Math.Min(12, reference.Length)]} {load.TotalMilliseconds:F2} ms, FromSnapshot + first call {firstCall.TotalMilliseconds:F2} ms");
        }

        timer.Restart();
        using (Snapshot.Load(_directory, "warm", new SnapshotLoadOptions { VerifyDigests = false }))
        {
            _output.WriteLine($"unverified load {timer.Elapsed.TotalMilliseconds:F3} ms");
        }
    }

    [KvmFact]
    public void GuestWritesInManySandboxesNeverReachTheBlob()
    {
        using (var original = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options))
        {
            original.Call("SetStatic", 5);
            using var snapshot = original.Snapshot();
            snapshot.Save(_directory, "base");
        }

        var blob = Directory.EnumerateFiles(Path.Combine(_directory, "blobs", "sha256")).MaxBy(f => new FileInfo(f).Length)!;
        var before = Hash(blob);
        using var loaded = Snapshot.Load(_directory, "base");
        var sandboxes = Enumerable.Range(0, 4).Select(_ => Sandbox.FromSnapshot(loaded, TestHostFunctions.Create())).ToList();
        try
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var sandbox in sandboxes)
                {
                    sandbox.Call("SetStatic", 1000 + round);
                    Assert.Equal(1000, sandbox.Call<int>("DirtyPages", 1000));
                    sandbox.Restore();
                    Assert.Equal(5, sandbox.Call<int>("GetStatic"));
                }
            }
        }
        finally
        {
            sandboxes.ForEach(s => s.Dispose());
        }

        Assert.Equal(before, Hash(blob));
        using var again = Snapshot.Load(_directory, "base");
    }

    [KvmFact]
    public void ALoadedSnapshotRestoresIntoSandboxesMadeFromTheSameLoad()
    {
        using (var original = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options))
        {
            original.Call("SetStatic", 21);
            using var first = original.Snapshot();
            first.Save(_directory, "a");
            original.Call("SetStatic", 22);
            using var second = original.Snapshot();
            second.Save(_directory, "b");
        }

        using var a = Snapshot.Load(_directory, "a");
        using var b = Snapshot.Load(_directory, "b", new SnapshotLoadOptions { VerifyDigests = false });
        using var one = Sandbox.FromSnapshot(a, TestHostFunctions.Create());
        using var two = Sandbox.FromSnapshot(a, TestHostFunctions.Create());
        one.Call("SetStatic", 1);
        two.Restore(b);
        Assert.Equal(22, two.Call<int>("GetStatic"));
        two.Restore(a);
        Assert.Equal(21, two.Call<int>("GetStatic"));
        one.Restore();
        Assert.Equal(21, one.Call<int>("GetStatic"));
        one.Restore(b);
        one.Call("SetStatic", 3);
        one.Restore();
        Assert.Equal(22, one.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void DeletingTagsKeepsSharedBlobsAndNeverDisturbsSandboxesAlreadyRunning()
    {
        string shared, own;
        using (var original = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options))
        {
            original.Call("SetStatic", 31);
            using var first = original.Snapshot();
            first.Save(_directory, "a");
            using var second = original.Snapshot();
            second.Save(_directory, "b");
            original.Call("SetStatic", 32);
            using var third = original.Snapshot();
            third.Save(_directory, "c");
            shared = MemoryBlob("b");
            own = MemoryBlob("c");
        }

        // Nothing ran between the first two snapshots: "a" and "b" differ in generation only and share the memory blob.
        Assert.Equal(shared, MemoryBlob("a"));
        Assert.NotEqual(shared, own);
        using var loadedA = Snapshot.Load(_directory, "a");
        using var loadedC = Snapshot.Load(_directory, "c");
        using var fromA = Sandbox.FromSnapshot(loadedA, TestHostFunctions.Create());
        using var fromC = Sandbox.FromSnapshot(loadedC, TestHostFunctions.Create());

        Snapshot.Delete(_directory, "a");
        Snapshot.Delete(_directory, "c");

        Assert.True(File.Exists(shared));
        Assert.False(File.Exists(own));
        // c's memory blob is gone from the directory, but its sandbox maps the file, which outlives its name.
        foreach (var (sandbox, value) in new[] { (fromA, 31), (fromC, 32) })
        {
            sandbox.Call("SetStatic", 7);
            Assert.Equal(1000, sandbox.Call<int>("DirtyPages", 1000));
            sandbox.Restore();
            Assert.Equal(value, sandbox.Call<int>("GetStatic"));
        }

        using var loadedB = Snapshot.Load(_directory, "b");
        using var fromB = Sandbox.FromSnapshot(loadedB, TestHostFunctions.Create());
        Assert.Equal(31, fromB.Call<int>("GetStatic"));
        Assert.Equal(2ul, fromB.Generation);
        Assert.Equal(SnapshotFormatError.TagNotFound, Assert.Throws<SnapshotFormatException>(() => Snapshot.Load(_directory, "c")).Reason);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_directory, "blobs", "sha256")).Length);
    }

    [KvmFact]
    public void SaveAndVerifiedLoadReportTheMemoryBytesDoneInOrderUpToTheWhole()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), new SandboxOptions { HeapSize = 64UL << 20 });
        using var snapshot = sandbox.Snapshot();
        var saved = new Reports();
        snapshot.Save(_directory, "warm", new SnapshotSaveOptions { Progress = saved });
        var hashed = new Reports();
        using (Snapshot.Load(_directory, "warm", new SnapshotLoadOptions { Progress = hashed }))
        {
        }

        var unverified = new Reports();
        using (Snapshot.Load(_directory, "warm", new SnapshotLoadOptions { VerifyDigests = false, Progress = unverified }))
        {
        }

        foreach (var reports in new[] { saved, hashed })
        {
            Assert.True(reports.Values.Count > 1, $"{reports.Values.Count} reports for {snapshot.MemorySize} bytes");
            Assert.Equal(reports.Values.Order(), reports.Values);
            Assert.Equal((long)snapshot.MemorySize, reports.Values[^1]);
        }

        Assert.Empty(unverified.Values);
    }

    /// <summary>Records reports synchronously, on the thread that makes them, as the options promise they come.</summary>
    private sealed class Reports : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }

    /// <summary>The path of the memory blob <paramref name="tag"/>'s manifest names.</summary>
    private string MemoryBlob(string tag)
    {
        var blobs = Path.Combine(_directory, "blobs", "sha256");
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, "index.json")))!;
        var manifest = index["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == tag)!;
        var layers = JsonNode.Parse(File.ReadAllText(Path.Combine(blobs, ((string)manifest["digest"]!)[7..])))!["layers"]!;
        return Path.Combine(blobs, ((string)layers[0]!["digest"]!)[7..]);
    }

    private static (int, string, int, long) Run(Sandbox sandbox)
    {
        var before = sandbox.Call<int>("GetStatic");
        sandbox.Call("SetStatic", before + 1);
        return (before, sandbox.Call<string>("Echo", "x"), sandbox.Call<int>("CallHostAdd", 2, 3), sandbox.Call<int>("GetStatic"));
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
