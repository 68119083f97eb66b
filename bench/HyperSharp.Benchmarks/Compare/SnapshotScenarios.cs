using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// The <c>Snapshots.*</c> scenarios of <c>compare</c>. Each sample is one timed operation with its untimed
/// preparation around it (an Echo before a snapshot or restore, a dispose after a new sandbox), except
/// <c>CallAndRestore</c>, which is warm: the mean over a batch of Echo + Restore cycles.
/// </summary>
internal sealed class SnapshotScenarios : IDisposable
{
    /// <summary>The guest heap sizes of the restore-scaling sandboxes: guest memory of about 1 MiB, 64 MiB and 1 GiB.</summary>
    private static readonly (string Label, ulong HeapSize, string Raw)[] s_sizes =
    [
        ("1MiB", 512UL << 10, "1m"),
        ("64MiB", 64UL << 20, "64m"),
        ("1GiB", 1UL << 30, "1g"),
    ];

    private readonly HostFunctions _host;
    private readonly Sandbox _snapshotting;
    private readonly Sandbox _restoring;
    private readonly Snapshot _fromSnapshot;
    private readonly List<(Sandbox Sandbox, Snapshot Snapshot)> _scaling = [];
    private double _snapshotEstimate;
    private double _restoreEstimate;
    private double _fromSnapshotEstimate;
    private double _dirtyEstimate;

    public SnapshotScenarios(string guest, HostFunctions host)
    {
        _host = host;
        _snapshotting = Sandbox.Create(guest, host);
        _restoring = Sandbox.Create(guest, host);
        _restoring.Snapshot().Dispose(); // stays the sandbox's current snapshot for Restore()
        var source = Sandbox.Create(guest, host);
        _fromSnapshot = source.Snapshot();
        source.Dispose();

        Snapshot = new Scenario("Snapshots.Snapshot", "snapshots/create", "vCPU state get + 1 MiB into a sealed memfd",
            r => r[RawKvm.VcpuStateGet].Median + r[RawKvm.SnapshotMemfd].Median);
        // Restore() reads the dirty log, copies the dirty runs back and sets the vCPU state (SYNC_REGS where KVM has it);
        // an Echo dirties at least one page, so the 1-page restore is the floor.
        Restore = new Scenario("Snapshots.Restore", "snapshots/restore", "dirty-log restore of 1 page (1 MiB slot) + vCPU state set ioctls",
            r => r[RawKvm.ReprotectRestore(1, "1m")].Median + r.VcpuStateSetMedian(RawKvm.VcpuStateSetSyncIoctls));
        CallAndRestore = new Scenario("Snapshots.CallAndRestore", "guest_calls/call_with_restore", "1 exit + dirty-log restore of 1 page (1 MiB slot) + vCPU state set",
            r => r[RawKvm.GuestExitRoundTrip].Median + r[RawKvm.ReprotectRestore(1, "1m")].Median + r.VcpuStateSetMedian(RawKvm.VcpuStateSetSync));
        FromSnapshotFirstCall = new Scenario("Snapshots.FromSnapshotFirstCall", "snapshot_files/cold_start_via_snapshot (no file load)",
            "VM create → first exit + 1 exit", r => r[RawKvm.VmCreateReady].Median + r[RawKvm.GuestExitRoundTrip].Median);

        foreach (var (label, heapSize, raw) in s_sizes)
        {
            var sandbox = Sandbox.Create(guest, host, new SandboxOptions { HeapSize = heapSize });
            var start = Stopwatch.GetTimestamp();
            var snapshot = sandbox.Snapshot();
            SetupSnapshotTimes.Add((label, sandbox.MemorySize, Stopwatch.GetElapsedTime(start)));
            _scaling.Add((sandbox, snapshot));
            // Pages copied back by a restore stay private, so the guest's next writes are write-protection faults.
            DirtyCalls.Add(new Scenario($"Snapshots.CallDirtying64Pages/{label}", "—", "64 write-protection faults + 1 exit",
                r => r[RawKvm.Refault(RawKvm.DirtyLog, raw)].Median));
            RestoresAfterDirtying.Add(new Scenario($"Snapshots.RestoreAfterDirtying64Pages/{label}", "snapshots/restore (×4 sizes)",
                $"dirty-log restore of 64 pages ({label} slot) + vCPU state set ioctls",
                r => r[RawKvm.Restore(RawKvm.DirtyLog, raw)].Median + r.VcpuStateSetMedian(RawKvm.VcpuStateSetSyncIoctls)));
        }
    }

    public Scenario Snapshot { get; }

    public Scenario Restore { get; }

    public Scenario CallAndRestore { get; }

    public Scenario FromSnapshotFirstCall { get; }

    /// <summary><c>DirtyPages(64)</c>, the call before each restore-scaling sample, at each memory size.</summary>
    public List<Scenario> DirtyCalls { get; } = [];

    /// <summary><c>Restore()</c> after <c>DirtyPages(64)</c>, at each memory size.</summary>
    public List<Scenario> RestoresAfterDirtying { get; } = [];

    /// <summary>The one-off <c>Snapshot()</c> of each restore-scaling sandbox: it reads only the pages that can hold data.</summary>
    public List<(string Label, ulong MemorySize, TimeSpan Elapsed)> SetupSnapshotTimes { get; } = [];

    /// <summary>The snapshot of the restore-scaling sandbox labelled <paramref name="label"/> (1MiB, 64MiB, 1GiB).</summary>
    public Snapshot ScalingSnapshot(string label) => _scaling[Array.FindIndex(s_sizes, size => size.Label == label)].Snapshot;

    public IEnumerable<Scenario> All => [Snapshot, Restore, CallAndRestore, FromSnapshotFirstCall, .. DirtyCalls, .. RestoresAfterDirtying];

    public Action CallAndRestoreOperation => () =>
    {
        _ = _restoring.Call<string>("Echo", "hello");
        _restoring.Restore();
    };

    /// <summary>Runs every operation for a while (JIT, page cache) and learns how long each takes.</summary>
    public void WarmUp(double seconds)
    {
        _snapshotEstimate = Timing.Estimate(() => MeasureSnapshot(null), seconds);
        _restoreEstimate = Timing.Estimate(() => MeasureRestore(null), seconds);
        _fromSnapshotEstimate = Timing.Estimate(() => MeasureFromSnapshot(null), seconds);
        _dirtyEstimate = Timing.Estimate(() => MeasureDirtyAndRestore(record: false), seconds);
    }

    /// <summary>One round: about <paramref name="seconds"/> per scenario, at most <paramref name="cap"/> samples each.</summary>
    public void MeasureRound(double seconds, int cap)
    {
        Repeat(_snapshotEstimate, () => MeasureSnapshot(Snapshot.Samples));
        Repeat(_restoreEstimate, () => MeasureRestore(Restore.Samples));
        Repeat(_fromSnapshotEstimate, () => MeasureFromSnapshot(FromSnapshotFirstCall.Samples));
        Repeat(_dirtyEstimate, () => MeasureDirtyAndRestore(record: true));

        void Repeat(double estimate, Action measure)
        {
            var count = Math.Clamp((int)(seconds / estimate), 1, cap);
            for (var i = 0; i < count; i++)
            {
                measure();
            }
        }
    }

    public void Dispose()
    {
        _snapshotting.Dispose();
        _restoring.Dispose();
        _fromSnapshot.Dispose();
        foreach (var (sandbox, snapshot) in _scaling)
        {
            sandbox.Dispose();
            snapshot.Dispose();
        }
    }

    /// <summary>Echo, then time <c>Snapshot()</c>; the snapshot's dispose is not timed.</summary>
    private void MeasureSnapshot(Samples? samples)
    {
        _ = _snapshotting.Call<string>("Echo", "hello");
        var start = Stopwatch.GetTimestamp();
        var snapshot = _snapshotting.Snapshot();
        var end = Stopwatch.GetTimestamp();
        snapshot.Dispose();
        samples?.Add(Timing.Nanoseconds(start, end));
    }

    /// <summary>Echo, then time <c>Restore()</c>.</summary>
    private void MeasureRestore(Samples? samples)
    {
        _ = _restoring.Call<string>("Echo", "hello");
        var start = Stopwatch.GetTimestamp();
        _restoring.Restore();
        samples?.Add(Timing.Nanoseconds(start, Stopwatch.GetTimestamp()));
    }

    /// <summary>Time <c>FromSnapshot</c> and the first Echo; the dispose is not timed.</summary>
    private void MeasureFromSnapshot(Samples? samples)
    {
        var start = Stopwatch.GetTimestamp();
        var sandbox = Sandbox.FromSnapshot(_fromSnapshot, _host);
        _ = sandbox.Call<string>("Echo", "hello");
        var end = Stopwatch.GetTimestamp();
        sandbox.Dispose();
        samples?.Add(Timing.Nanoseconds(start, end));
    }

    /// <summary>At each size: time <c>DirtyPages(64)</c>, then <c>Restore()</c>, separately; unless <paramref name="record"/>, only warms up.</summary>
    private void MeasureDirtyAndRestore(bool record)
    {
        for (var i = 0; i < _scaling.Count; i++)
        {
            var sandbox = _scaling[i].Sandbox;
            var start = Stopwatch.GetTimestamp();
            var dirtied = sandbox.Call<int>("DirtyPages", 64);
            var called = Stopwatch.GetTimestamp();
            sandbox.Restore();
            var end = Stopwatch.GetTimestamp();
            if (dirtied != 64)
            {
                throw new InvalidOperationException($"DirtyPages(64) returned {dirtied}.");
            }

            if (record)
            {
                DirtyCalls[i].Samples.Add(Timing.Nanoseconds(start, called));
                RestoresAfterDirtying[i].Samples.Add(Timing.Nanoseconds(called, end));
            }
        }
    }

}
