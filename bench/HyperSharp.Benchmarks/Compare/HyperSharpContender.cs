using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// HyperSharp in the side-by-side table, on sandboxes of its own (the detailed HyperSharp table above it
/// keeps its own samples). Reset to clean is <see cref="Sandbox.Restore()"/> to the sandbox's snapshot.
/// </summary>
internal sealed class HyperSharpContender : IContender
{
    private const string Tag = "side-by-side";
    private const string Text = "hello";

    /// <summary>Guest heap of the dirtying sandbox: room for 1,024 pages, and guest memory of ~64 MiB to match rawkvm's 64 MiB slot.</summary>
    private const ulong DirtyingHeapSize = 64UL << 20;

    private static readonly SnapshotLoadOptions s_unverified = new() { VerifyDigests = false };

    private readonly string _guest;
    private readonly HostFunctions _host;
    private readonly byte[] _bytes24K;
    private readonly Sandbox _warm;
    private readonly Sandbox _resetting;
    private readonly Sandbox _dirtying;
    private readonly Snapshot _snapshot;
    private readonly string _snapshotDirectory = Path.Combine(Path.GetTempPath(), "hypersharp-bench-side-by-side-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<Workload, Cell> _cells;

    public HyperSharpContender(string guest, HostFunctions host, byte[] bytes24K)
    {
        _guest = guest;
        _host = host;
        _bytes24K = bytes24K;
        _warm = Sandbox.Create(guest, host);
        _resetting = Sandbox.Create(guest, host);
        _resetting.Snapshot().Dispose(); // stays the sandbox's current snapshot for Restore()
        _dirtying = Sandbox.Create(guest, host, new SandboxOptions { HeapSize = DirtyingHeapSize });
        _dirtying.Snapshot().Dispose();
        using (var source = Sandbox.Create(guest, host))
        {
            _snapshot = source.Snapshot();
        }

        _snapshot.Save(_snapshotDirectory, Tag);
        _cells = new()
        {
            [Workload.ColdStartFromBinary] = Cell.Single(ColdStartFromElf),
            [Workload.ColdStartFromMemory] = Cell.Single(ColdStartFromSnapshot),
            [Workload.StartFromSnapshotFile] = Cell.Single(StartFromFile),
            [Workload.WarmEcho] = Cell.Warm(() => _warm.Call<string>("Echo", Text)),
            [Workload.HostCallback] = Cell.Warm(() => _warm.Call<int>("CallHostAdd", 1, 41)),
            [Workload.Bytes24KIn8KOut] = Cell.Warm(() => _warm.Call<byte[]>("EchoFirst8KiB", _bytes24K)),
            [Workload.CallAndReset] = Cell.Warm(() =>
            {
                _ = _resetting.Call<string>("Echo", Text);
                _resetting.Restore();
            }),
            [Workload.ResetAfterDirtying1] = Cell.Single(() => ResetAfterDirtying(1)),
            [Workload.ResetAfterDirtying64] = Cell.Single(() => ResetAfterDirtying(64)),
            [Workload.ResetAfterDirtying1024] = Cell.Single(() => ResetAfterDirtying(1024)),
        };
    }

    public string Name => "HyperSharp";

    public string ResetMeans => "`Restore()`: the pages KVM's dirty log reports are copied back from the snapshot image and the vCPU state is set back; same VM, same process";

    public Cell? CellFor(Workload workload) => _cells.GetValueOrDefault(workload);

    /// <summary>Sandboxes from one in-memory snapshot (default options), as the <c>density</c> command does.</summary>
    public SandboxDensity MeasureDensity(int count) => InProcessDensity.Measure(count, () =>
    {
        var sandbox = Sandbox.FromSnapshot(_snapshot, _host);
        _ = sandbox.Call<string>("Echo", Text);
        return sandbox;
    });

    public void Dispose()
    {
        _warm.Dispose();
        _resetting.Dispose();
        _dirtying.Dispose();
        _snapshot.Dispose();
        Directory.Delete(_snapshotDirectory, recursive: true);
    }

    /// <summary><c>Sandbox.Create</c> from the ELF and the first Echo; the dispose is not timed.</summary>
    private double ColdStartFromElf()
    {
        var start = Stopwatch.GetTimestamp();
        var sandbox = Sandbox.Create(_guest, _host);
        _ = sandbox.Call<string>("Echo", Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        sandbox.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary><c>FromSnapshot</c> of an in-memory snapshot and the first Echo; the dispose is not timed.</summary>
    private double ColdStartFromSnapshot()
    {
        var start = Stopwatch.GetTimestamp();
        var sandbox = Sandbox.FromSnapshot(_snapshot, _host);
        _ = sandbox.Call<string>("Echo", Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        sandbox.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary>Unverified <c>Snapshot.Load</c> (page cache warm), <c>FromSnapshot</c> and the first Echo; the disposes are not timed.</summary>
    private double StartFromFile()
    {
        var start = Stopwatch.GetTimestamp();
        var snapshot = Snapshot.Load(_snapshotDirectory, Tag, s_unverified);
        var sandbox = Sandbox.FromSnapshot(snapshot, _host);
        _ = sandbox.Call<string>("Echo", Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        sandbox.Dispose();
        snapshot.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary><c>DirtyPages(pages)</c> untimed, then <c>Restore()</c> timed.</summary>
    private double ResetAfterDirtying(int pages)
    {
        var dirtied = _dirtying.Call<int>("DirtyPages", pages);
        var start = Stopwatch.GetTimestamp();
        _dirtying.Restore();
        var elapsed = Stopwatch.GetElapsedTime(start);
        return dirtied == pages ? elapsed.TotalNanoseconds : throw new InvalidOperationException($"DirtyPages({pages}) returned {dirtied}.");
    }
}
