using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// Process isolation in the side-by-side table: bench/HyperSharp.Benchmarks.Worker, a framework-dependent
/// .NET console program. Warm calls go to one long-lived worker over its stdin/stdout; cold starts and resets
/// start a process per request. A long-lived process has no reset short of a restart, so "reset to clean" is
/// exiting the worker and starting a new one until it reports ready.
/// </summary>
internal sealed class ProcessContender : IContender
{
    private const string Text = "hello";

    private static readonly Func<int, int, int> s_hostAdd = (a, b) => a + b;

    private readonly string _path;
    private readonly byte[] _bytes24K;
    private readonly WorkerProcess _warm;
    private readonly Dictionary<Workload, Cell> _cells;
    private WorkerProcess _resetting;

    public ProcessContender(string path, byte[] bytes24K)
    {
        _path = path;
        _bytes24K = bytes24K;
        _warm = new WorkerProcess(path);
        _resetting = new WorkerProcess(path);
        _cells = new()
        {
            [Workload.ColdStartFromBinary] = Cell.Single(ColdStart),
            [Workload.WarmEcho] = Cell.Warm(() => _warm.Echo(Text)),
            [Workload.HostCallback] = Cell.Warm(() => _warm.CallHostAdd(1, 41, s_hostAdd)),
            [Workload.Bytes24KIn8KOut] = Cell.Warm(() => _warm.Bytes24KIn8KOut(_bytes24K)),
            [Workload.CallAndReset] = Cell.Single(ProcessPerRequest),
            [Workload.ResetAfterDirtying1] = Cell.Single(() => ResetAfterDirtying(1)),
            [Workload.ResetAfterDirtying64] = Cell.Single(() => ResetAfterDirtying(64)),
            [Workload.ResetAfterDirtying1024] = Cell.Single(() => ResetAfterDirtying(1024)),
        };
    }

    public string Name => "Process";

    public string ResetMeans => "the worker exits (stdin closed, exit awaited) and a new one is started and reports ready: a restart; there is no cheaper way back to clean";

    public Cell? CellFor(Workload workload) => _cells.GetValueOrDefault(workload);

    /// <summary>Long-lived workers, one Echo each; PSS is the workers' own, this process's share of the pipes is left out.</summary>
    public SandboxDensity MeasureDensity(int count)
    {
        var workers = new List<WorkerProcess>(count);
        HostMemory.Settle();
        var available = HostMemory.Available();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var worker = new WorkerProcess(_path);
                workers.Add(worker);
                _ = worker.Echo(Text);
            }

            var pss = workers.Sum(w => (double)HostMemory.ProportionalSetSize(w.Id));
            return new SandboxDensity(count, pss, available - HostMemory.Available());
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _warm.Dispose();
        _resetting.Dispose();
    }

    /// <summary>Start a worker and get the first Echo back; its exit is not timed.</summary>
    private double ColdStart()
    {
        var start = Stopwatch.GetTimestamp();
        var worker = new WorkerProcess(_path);
        _ = worker.Echo(Text);
        var elapsed = Stopwatch.GetElapsedTime(start);
        worker.Dispose();
        return elapsed.TotalNanoseconds;
    }

    /// <summary>Process per request: start, Echo, exit, all timed; the next request gets a clean process.</summary>
    private double ProcessPerRequest()
    {
        var start = Stopwatch.GetTimestamp();
        using (var worker = new WorkerProcess(_path))
        {
            _ = worker.Echo(Text);
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
    }

    /// <summary>Dirty the long-lived worker's pages untimed; then time its exit and a new worker's start to ready.</summary>
    private double ResetAfterDirtying(int pages)
    {
        var dirtied = _resetting.DirtyPages(pages);
        var start = Stopwatch.GetTimestamp();
        _resetting.Dispose();
        _resetting = new WorkerProcess(_path);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return dirtied == pages ? elapsed.TotalNanoseconds : throw new InvalidOperationException($"DirtyPages({pages}) returned {dirtied}.");
    }
}
