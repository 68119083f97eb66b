using BenchmarkDotNet.Attributes;

namespace HyperSharp.Benchmarks;

/// <summary>
/// Snapshots, after Hyperlight's <c>snapshots</c> Criterion group and the snapshot rows of <c>guest_calls</c>
/// and <c>snapshot_files</c>. BenchmarkDotNet times whole invocations, so where Hyperlight runs an Echo
/// outside the timed region (<c>snapshots/create</c>, <c>snapshots/restore</c>), these include it (one
/// exit round trip), and <see cref="FromSnapshotFirstCall"/> includes the dispose; <c>compare</c>
/// reports the exact regions.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Snapshots")]
public class SnapshotBenchmarks : IDisposable
{
    private HostFunctions _host = new();
    private Sandbox? _snapshotting;
    private Sandbox? _restoring;
    private Snapshot? _snapshot;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _snapshotting = Sandbox.Create(BenchFiles.SimpleGuest, _host);
        _restoring = Sandbox.Create(BenchFiles.SimpleGuest, _host);
        _restoring.Snapshot().Dispose();
        _snapshot = _snapshotting.Snapshot();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _snapshotting?.Dispose();
        _restoring?.Dispose();
        _snapshot?.Dispose();
        _snapshotting = _restoring = null;
        _snapshot = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Hyperlight <c>snapshots/create</c>: Echo, then <c>Snapshot()</c> and its dispose.</summary>
    [Benchmark]
    public void Snapshot()
    {
        _ = _snapshotting!.Call<string>("Echo", "hello");
        _snapshotting.Snapshot().Dispose();
    }

    /// <summary>Hyperlight <c>snapshots/restore</c>: Echo, then <c>Restore()</c>.</summary>
    [Benchmark]
    public void Restore()
    {
        _ = _restoring!.Call<string>("Echo", "hello");
        _restoring.Restore();
    }

    /// <summary>Hyperlight <c>guest_calls/call_with_restore</c>: the same operations, named for the request cycle.</summary>
    [Benchmark(Baseline = true)]
    public string CallAndRestore()
    {
        var result = _restoring!.Call<string>("Echo", "hello");
        _restoring.Restore();
        return result;
    }

    /// <summary>Hyperlight <c>snapshot_files/cold_start_via_snapshot</c> without the file load: <c>FromSnapshot</c>, Echo, dispose.</summary>
    [Benchmark]
    public string FromSnapshotFirstCall()
    {
        using var sandbox = Sandbox.FromSnapshot(_snapshot!, _host);
        return sandbox.Call<string>("Echo", "hello");
    }
}

/// <summary>
/// Restore after the guest dirtied the same 64 heap pages, at guest memory of about 1 MiB, 64 MiB and
/// 1 GiB (Hyperlight runs <c>snapshots/restore</c> at four heap sizes): <c>DirtyPages(64)</c> + <c>Restore()</c>.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Snapshots")]
public class SnapshotRestoreScalingBenchmarks : IDisposable
{
    private Sandbox? _sandbox;
    private Snapshot? _snapshot;

    /// <summary>Guest heap bytes: 512 KiB (about 1 MiB of guest memory), 64 MiB, 1 GiB.</summary>
    [Params(512UL << 10, 64UL << 20, 1UL << 30)]
    public ulong HeapSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sandbox = Sandbox.Create(BenchFiles.SimpleGuest, BenchHost.Create(), new SandboxOptions { HeapSize = HeapSize });
        _snapshot = _sandbox.Snapshot();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sandbox?.Dispose();
        _snapshot?.Dispose();
        _sandbox = null;
        _snapshot = null;
        GC.SuppressFinalize(this);
    }

    /// <summary><c>DirtyPages(64)</c>, then <c>Restore()</c>.</summary>
    [Benchmark]
    public int RestoreAfterDirtying64Pages()
    {
        var dirtied = _sandbox!.Call<int>("DirtyPages", 64);
        _sandbox.Restore();
        return dirtied;
    }
}
