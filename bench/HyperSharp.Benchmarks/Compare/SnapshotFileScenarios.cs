using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// The <c>SnapshotFiles.*</c> scenarios of <c>compare</c>: <c>Snapshot.Save</c> and <c>Snapshot.Load</c> on layouts in a
/// temporary directory (deleted on dispose), and the cold start from a file. Each sample is one timed operation;
/// disposing what it made and deleting a saved layout are not timed. Files are read from the page cache (just written).
/// </summary>
internal sealed class SnapshotFileScenarios : IDisposable
{
    private const string Tag = "bench";

    private static readonly SnapshotLoadOptions s_unverified = new() { VerifyDigests = false };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hypersharp-bench-snapshot-files-" + Guid.NewGuid().ToString("N"));
    private readonly HostFunctions _host;
    private readonly Snapshot _save;
    private readonly string _verified;
    private readonly string _small;
    private readonly string _large;
    private readonly string _coldStart;
    private int _saves;
    private double _saveEstimate;
    private double _verifiedEstimate;
    private double _unverifiedEstimate;
    private double _coldStartEstimate;

    /// <param name="guest">The guest of the cold-start snapshot, made with default options like <c>Sandboxes.CreateSandboxAndCall</c>.</param>
    /// <param name="host">The host functions of every sandbox.</param>
    /// <param name="snapshots">The restore-scaling snapshots: 1 MiB and 1 GiB are saved for the unverified loads, 64 MiB is the saved and verified one.</param>
    public SnapshotFileScenarios(string guest, HostFunctions host, SnapshotScenarios snapshots)
    {
        _host = host;
        Directory.CreateDirectory(_root);
        _save = snapshots.ScalingSnapshot("64MiB");
        _verified = SaveTo("64MiB", _save);
        _small = SaveTo("1MiB", snapshots.ScalingSnapshot("1MiB"));
        _large = SaveTo("1GiB", snapshots.ScalingSnapshot("1GiB"));
        using (var sandbox = Sandbox.Create(guest, host))
        using (var snapshot = sandbox.Snapshot())
        {
            _coldStart = SaveTo("cold", snapshot);
        }

        Save = new Scenario("SnapshotFiles.Save/64MiB", "—", "—", NoLimit);
        LoadVerified = new Scenario("SnapshotFiles.LoadVerified/64MiB", "—", "—", NoLimit);
        LoadUnverifiedSmall = new Scenario("SnapshotFiles.LoadUnverified/1MiB", "—", "—", NoLimit);
        LoadUnverifiedLarge = new Scenario("SnapshotFiles.LoadUnverified/1GiB", "—", "—", NoLimit);
        ColdStart = new Scenario("SnapshotFiles.ColdStartViaFile", "snapshot_files/cold_start_via_snapshot", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + r[RawKvm.GuestExitRoundTrip].Median);
        ColdStartVerified = new Scenario("SnapshotFiles.ColdStartViaFileVerified", "—", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + r[RawKvm.GuestExitRoundTrip].Median);
    }

    /// <summary><c>Save</c> of the 64 MiB guest's snapshot into a new directory: memory copied, SHA-256 hashed, config, manifest, index.</summary>
    public Scenario Save { get; }

    /// <summary><c>Load</c> of that layout with digests verified (every blob hashed).</summary>
    public Scenario LoadVerified { get; }

    /// <summary><c>Load</c> with <c>VerifyDigests = false</c> of the 0.84 MiB guest's layout.</summary>
    public Scenario LoadUnverifiedSmall { get; }

    /// <summary><c>Load</c> with <c>VerifyDigests = false</c> of the 1026 MiB guest's layout.</summary>
    public Scenario LoadUnverifiedLarge { get; }

    /// <summary>Unverified <c>Load</c> + <c>FromSnapshot</c> + first Echo, default options; compare with <c>Sandboxes.CreateSandboxAndCall</c>.</summary>
    public Scenario ColdStart { get; }

    /// <summary>The same with the digests verified.</summary>
    public Scenario ColdStartVerified { get; }

    /// <summary>Bytes of guest memory in the saved and verified-loaded snapshot, for MB/s.</summary>
    public ulong ThroughputBytes => _save.MemorySize;

    public IEnumerable<Scenario> All => [Save, LoadVerified, LoadUnverifiedSmall, LoadUnverifiedLarge, ColdStart, ColdStartVerified];

    /// <summary>Runs every operation for a while (JIT, page cache) and learns how long each takes.</summary>
    public void WarmUp(double seconds)
    {
        _saveEstimate = Timing.Estimate(() => MeasureSave(null), seconds);
        _verifiedEstimate = Timing.Estimate(() => MeasureLoad(_verified, null, null), seconds);
        _unverifiedEstimate = Timing.Estimate(() => MeasureLoad(_large, s_unverified, null), seconds);
        _coldStartEstimate = Timing.Estimate(() => MeasureColdStart(null, null), seconds);
    }

    /// <summary>One round: about <paramref name="seconds"/> per scenario, at most <paramref name="cap"/> samples each.</summary>
    public void MeasureRound(double seconds, int cap)
    {
        Repeat(_saveEstimate, () => MeasureSave(Save.Samples));
        Repeat(_verifiedEstimate, () => MeasureLoad(_verified, null, LoadVerified.Samples));
        Repeat(_unverifiedEstimate, () =>
        {
            MeasureLoad(_small, s_unverified, LoadUnverifiedSmall.Samples);
            MeasureLoad(_large, s_unverified, LoadUnverifiedLarge.Samples);
        });
        Repeat(_coldStartEstimate, () =>
        {
            MeasureColdStart(s_unverified, ColdStart.Samples);
            MeasureColdStart(null, ColdStartVerified.Samples);
        });

        void Repeat(double estimate, Action measure)
        {
            var count = Math.Clamp((int)(seconds / estimate), 1, cap);
            for (var i = 0; i < count; i++)
            {
                measure();
            }
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static double NoLimit(RawKvm raw) => double.NaN;

    private string SaveTo(string name, Snapshot snapshot)
    {
        var directory = Path.Combine(_root, name);
        snapshot.Save(directory, Tag);
        return directory;
    }

    /// <summary>Time <c>Save</c> into a new directory; deleting it is not timed.</summary>
    private void MeasureSave(Samples? samples)
    {
        var directory = Path.Combine(_root, $"save-{_saves++}");
        var start = Stopwatch.GetTimestamp();
        _save.Save(directory, Tag);
        var end = Stopwatch.GetTimestamp();
        Directory.Delete(directory, recursive: true);
        samples?.Add(Timing.Nanoseconds(start, end));
    }

    /// <summary>Time <c>Load</c>; the dispose is not timed.</summary>
    private static void MeasureLoad(string directory, SnapshotLoadOptions? options, Samples? samples)
    {
        var start = Stopwatch.GetTimestamp();
        var snapshot = Snapshot.Load(directory, Tag, options);
        var end = Stopwatch.GetTimestamp();
        snapshot.Dispose();
        samples?.Add(Timing.Nanoseconds(start, end));
    }

    /// <summary>Time <c>Load</c> + <c>FromSnapshot</c> + the first Echo; the disposes are not timed.</summary>
    private void MeasureColdStart(SnapshotLoadOptions? options, Samples? samples)
    {
        var start = Stopwatch.GetTimestamp();
        var snapshot = Snapshot.Load(_coldStart, Tag, options);
        var sandbox = Sandbox.FromSnapshot(snapshot, _host);
        _ = sandbox.Call<string>("Echo", "hello");
        var end = Stopwatch.GetTimestamp();
        sandbox.Dispose();
        snapshot.Dispose();
        samples?.Add(Timing.Nanoseconds(start, end));
    }
}
