using BenchmarkDotNet.Attributes;

namespace HyperSharp.Benchmarks;

/// <summary>
/// <c>Snapshot.Save</c> of a 64 MiB guest (SHA-256 included) into a new directory per invocation; the directory is
/// deleted outside the timed region. MB/s = 67.6 MB (the guest's 64.5 MiB) / the mean.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SnapshotFiles")]
[InvocationCount(1)]
public class SnapshotFileSaveBenchmarks : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hypersharp-bench-save-" + Guid.NewGuid().ToString("N"));
    private Sandbox? _sandbox;
    private Snapshot? _snapshot;
    private int _saves;

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = Sandbox.Create(BenchFiles.SimpleGuest, BenchHost.Create(), new SandboxOptions { HeapSize = 64UL << 20 });
        _snapshot = _sandbox.Snapshot();
    }

    [IterationCleanup]
    public void DeleteSaved()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        DeleteSaved();
        _sandbox?.Dispose();
        _snapshot?.Dispose();
        _sandbox = null;
        _snapshot = null;
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public string Save64MiB() => _snapshot!.Save(Path.Combine(_root, $"{_saves++}"), "bench");
}

/// <summary>
/// <c>Snapshot.Load</c> from layouts saved once in a temporary directory (page cache warm), and the cold start from a
/// file (unverified <c>Load</c> + <c>FromSnapshot</c> + first Echo) against the cold start from the ELF
/// (<c>Create</c> + first Echo), the baseline; each includes the dispose of what it made.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("SnapshotFiles")]
public class SnapshotFileLoadBenchmarks : IDisposable
{
    private const string Tag = "bench";

    private static readonly SnapshotLoadOptions s_unverified = new() { VerifyDigests = false };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hypersharp-bench-load-" + Guid.NewGuid().ToString("N"));
    private HostFunctions _host = new();

    private string Small => Path.Combine(_root, "1MiB");

    private string Medium => Path.Combine(_root, "64MiB");

    private string Large => Path.Combine(_root, "1GiB");

    private string Default => Path.Combine(_root, "default");

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        SaveGuest(Small, new SandboxOptions { HeapSize = 512UL << 10 });
        SaveGuest(Medium, new SandboxOptions { HeapSize = 64UL << 20 });
        SaveGuest(Large, new SandboxOptions { HeapSize = 1UL << 30 });
        SaveGuest(Default, null);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Verified load of the 64.5 MiB guest: every blob hashed.</summary>
    [Benchmark]
    public ulong LoadVerified64MiB()
    {
        using var snapshot = Snapshot.Load(Medium, Tag);
        return snapshot.MemorySize;
    }

    /// <summary>Unverified load of the 0.84 MiB guest.</summary>
    [Benchmark]
    public ulong LoadUnverified1MiB()
    {
        using var snapshot = Snapshot.Load(Small, Tag, s_unverified);
        return snapshot.MemorySize;
    }

    /// <summary>Unverified load of the 1026 MiB guest: within 2× of the 1 MiB one.</summary>
    [Benchmark]
    public ulong LoadUnverified1GiB()
    {
        using var snapshot = Snapshot.Load(Large, Tag, s_unverified);
        return snapshot.MemorySize;
    }

    /// <summary>Hyperlight <c>snapshot_files/cold_start_via_snapshot</c>: unverified load, <c>FromSnapshot</c>, first Echo.</summary>
    [Benchmark]
    public string ColdStartViaFile()
    {
        using var snapshot = Snapshot.Load(Default, Tag, s_unverified);
        using var sandbox = Sandbox.FromSnapshot(snapshot, _host);
        return sandbox.Call<string>("Echo", "hello");
    }

    /// <summary>Hyperlight <c>snapshot_files/cold_start_via_evolve</c>: <c>Create</c> from the ELF, first Echo.</summary>
    [Benchmark(Baseline = true)]
    public string ColdStartViaElf()
    {
        using var sandbox = Sandbox.Create(BenchFiles.SimpleGuest, _host);
        return sandbox.Call<string>("Echo", "hello");
    }

    private void SaveGuest(string directory, SandboxOptions? options)
    {
        using var sandbox = Sandbox.Create(BenchFiles.SimpleGuest, _host, options);
        using var snapshot = sandbox.Snapshot();
        snapshot.Save(directory, Tag);
    }
}
