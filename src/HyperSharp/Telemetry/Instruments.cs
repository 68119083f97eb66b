using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace HyperSharp.Telemetry;

/// <summary>
/// The meter and activity source of the whole library, and every instrument on it. Names follow OpenTelemetry's
/// conventions (dotted lower case, seconds for durations, <c>{unit}</c> counts, <c>error.type</c> on failures);
/// docs/telemetry.md lists them. An instrument nobody listens to costs one flag check.
/// </summary>
internal static class Instruments
{
    private static readonly string? s_version = typeof(Instruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static readonly Meter Meter = new(HyperSharpTelemetry.MeterName, s_version);

    public static readonly ActivitySource Source = new(HyperSharpTelemetry.ActivitySourceName, s_version);

    /// <summary>Bucket bounds for durations from tens of microseconds (a warm call) to tens of seconds (a stuck script).</summary>
    private static readonly InstrumentAdvice<double> s_durationBuckets = new()
    {
        HistogramBucketBoundaries = [0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    public static readonly Histogram<double> CallDuration = Meter.CreateHistogram(
        "hypersharp.sandbox.call.duration", "s", "Duration of guest function calls; its count is the number of calls.", advice: s_durationBuckets);

    public static readonly Counter<long> Faults = Meter.CreateCounter<long>(
        "hypersharp.sandbox.faults", "{fault}", "Calls that poisoned their sandbox, by hypersharp.fault.kind.");

    public static readonly Counter<long> Cancellations = Meter.CreateCounter<long>(
        "hypersharp.sandbox.cancellations", "{cancellation}", "Calls stopped by a time limit, a token or a kill, by hypersharp.cancellation.reason.");

    public static readonly Histogram<double> CreateDuration = Meter.CreateHistogram(
        "hypersharp.sandbox.create.duration", "s", "Duration of sandbox creation, from a guest binary or from a snapshot.", advice: s_durationBuckets);

    public static readonly UpDownCounter<long> SandboxCount = Meter.CreateUpDownCounter<long>(
        "hypersharp.sandbox.count", "{sandbox}", "Sandboxes created and not yet disposed.");

    public static readonly Histogram<double> RestoreDuration = Meter.CreateHistogram(
        "hypersharp.sandbox.restore.duration", "s", "Duration of restores to a snapshot; its count is the number of restores.", advice: s_durationBuckets);

    public static readonly Counter<long> RestoredPages = Meter.CreateCounter<long>(
        "hypersharp.sandbox.restore.pages", "{page}", "Pages copied back from snapshots by restores: the cost restores follow.");

    public static readonly Histogram<double> SnapshotLoadDuration = Meter.CreateHistogram(
        "hypersharp.snapshot.load.duration", "s", "Duration of loading snapshots from OCI layouts.", advice: s_durationBuckets);

    public static readonly UpDownCounter<long> PoolSandboxes = Meter.CreateUpDownCounter<long>(
        "hypersharp.pool.sandbox.count", "{sandbox}", "Sandboxes of a pool, by hypersharp.pool.sandbox.state (idle or used).");

    public static readonly UpDownCounter<long> PoolMax = Meter.CreateUpDownCounter<long>(
        "hypersharp.pool.sandbox.max", "{sandbox}", "The most sandboxes a pool holds.");

    public static readonly UpDownCounter<long> PoolPendingRequests = Meter.CreateUpDownCounter<long>(
        "hypersharp.pool.pending_requests", "{request}", "Rent requests waiting for a sandbox of a pool.");

    public static readonly Histogram<double> PoolRentWaitTime = Meter.CreateHistogram(
        "hypersharp.pool.rent.wait_time", "s", "Time rent requests waited for a sandbox.", advice: s_durationBuckets);

    public static readonly Counter<long> PoolRetirements = Meter.CreateCounter<long>(
        "hypersharp.pool.sandbox.retirements", "{sandbox}", "Sandboxes a pool disposed instead of reusing, by hypersharp.pool.retirement.reason.");

    /// <summary>Whether a call should be timed: a histogram or a span wants the duration.</summary>
    public static bool TimingCalls => CallDuration.Enabled || Source.HasListeners();

    /// <summary>A timestamp if <paramref name="wanted"/>, else 0, so unobserved operations skip the clock read.</summary>
    public static long StartTiming(bool wanted) => wanted ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Seconds since <paramref name="start"/> from <see cref="StartTiming"/>.</summary>
    public static double SecondsSince(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}
