using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// The <c>Serving.*</c> scenarios of <c>compare</c> (issue 16's targets): the same warm Echo called synchronously, through
/// <see cref="Sandbox.CallAsync{TResult}(string, GuestValue[])"/>, and with a meter listener and an activity listener
/// recording everything; and a pool lease with its first call, against starting a sandbox from a snapshot. Each round
/// measures the variants back to back, alternating their order, so a ratio compares the same machine state.
/// </summary>
internal sealed class ServingScenarios : IDisposable
{
    private const double CallAsyncTargetRatio = 1.10;
    private const double TelemetryTargetRatio = 1.05;
    private const double LeaseTargetRatio = 0.3;

    private readonly Sandbox _sandbox;
    private readonly Snapshot _snapshot;
    private readonly HostFunctions _host;
    private readonly SandboxPool _pool;
    private double _callEstimate;
    private double _leaseEstimate;

    public ServingScenarios(string guest, HostFunctions host)
    {
        _host = host;
        _sandbox = Sandbox.Create(guest, host);
        _snapshot = _sandbox.Snapshot();
        _pool = SandboxPool.Create(_snapshot, host, new SandboxPoolOptions { Name = "compare", MaxSize = 2, MinIdle = 2 });
        _pool.WarmUpAsync().GetAwaiter().GetResult();
    }

    public Scenario Call { get; } = new("Serving.Call", "— (Echo, synchronous: the baseline of the next two)", "1 exit", r => r[RawKvm.GuestExitRoundTrip].Median);

    public Scenario CallAsync { get; } = new("Serving.CallAsync", "— (Echo through CallAsync, awaited in an async loop on the thread pool)", "1 exit", r => r[RawKvm.GuestExitRoundTrip].Median);

    public Scenario CallObserved { get; } = new("Serving.CallWithTelemetry", "— (Echo with a MeterListener and ActivityListener recording)", "1 exit",
        r => r[RawKvm.GuestExitRoundTrip].Median);

    public Scenario FromSnapshotFirstCall { get; } = new("Serving.FromSnapshotFirstCall", "— (FromSnapshot + Echo + Dispose: the baseline of the next)",
        "VM create → first exit + 1 exit", r => r[RawKvm.VmCreateReady].Median + r[RawKvm.GuestExitRoundTrip].Median);

    public Scenario LeaseFirstCall { get; } = new("Serving.PoolLeaseFirstCall", "— (RentAsync + Echo + return, pool warm)",
        "1 exit + dirty-log restore of 1 page", r => r[RawKvm.GuestExitRoundTrip].Median + r[RawKvm.ReprotectRestore(1, "1m")].Median);

    public IReadOnlyList<Scenario> All => [Call, CallAsync, CallObserved, FromSnapshotFirstCall, LeaseFirstCall];

    public void WarmUp(double seconds)
    {
        _callEstimate = Timing.Estimate(SyncCall, seconds / 4);
        _ = Timing.Estimate(() => _sandbox.CallAsync<string>("Echo", "hello").GetAwaiter().GetResult(), seconds / 4);
        using (Listen())
        {
            _ = Timing.Estimate(SyncCall, seconds / 4);
        }

        _ = Timing.Estimate(StartFromSnapshot, seconds / 8);
        _leaseEstimate = Timing.Estimate(Lease, seconds / 8);
    }

    public void MeasureRound(int round, int samples, double sampleSeconds, int maxCallsPerSample)
    {
        var calls = Math.Clamp((int)(sampleSeconds / _callEstimate), 1, maxCallsPerSample);
        var leases = Math.Clamp((int)(sampleSeconds / _leaseEstimate), 1, maxCallsPerSample);
        for (var s = 0; s < samples; s++)
        {
            Action[] variants = round % 2 == 0
                ? [() => Batch(Call, SyncCall, calls), () => AsyncBatch(calls), () => Observed(calls)]
                : [() => Observed(calls), () => AsyncBatch(calls), () => Batch(Call, SyncCall, calls)];
            foreach (var variant in variants)
            {
                variant();
            }

            Batch(FromSnapshotFirstCall, StartFromSnapshot, 1);
            Batch(LeaseFirstCall, Lease, leases);
        }
    }

    public IEnumerable<(string Target, string Threshold, string Measured, bool Met)> Targets()
    {
        var call = Call.Samples.Median;
        var callAsync = CallAsync.Samples.Median;
        var observed = CallObserved.Samples.Median;
        var start = FromSnapshotFirstCall.Samples.Median;
        var lease = LeaseFirstCall.Samples.Median;
        yield return ("Issue 16: pool lease + first call ≤ 0.3× FromSnapshot + first call", Report.Time(LeaseTargetRatio * start),
            $"{Report.Time(lease)} ({lease / start:0.00}×)", lease <= LeaseTargetRatio * start);
        yield return ("Issue 16: CallAsync adds ≤ 10% to a warm call", Report.Time(CallAsyncTargetRatio * call),
            $"{Report.Time(callAsync)} ({callAsync / call:0.00}×)", callAsync <= CallAsyncTargetRatio * call);
        yield return ("Issue 16: telemetry recorded adds ≤ 5% to a warm call", Report.Time(TelemetryTargetRatio * call),
            $"{Report.Time(observed)} ({observed / call:0.00}×)", observed <= TelemetryTargetRatio * call);
    }

    public void Dispose()
    {
        _pool.Dispose();
        _snapshot.Dispose();
        _sandbox.Dispose();
    }

    private void SyncCall() => _sandbox.Call<string>("Echo", "hello");

    /// <summary>
    /// <paramref name="count"/> calls awaited one after another, as a request handler makes them: each continuation
    /// runs on the thread pool. Only the whole batch is waited for synchronously, so one thread wake-up is spread over
    /// the batch instead of added to every call.
    /// </summary>
    private void AsyncBatch(int count)
    {
        var start = Stopwatch.GetTimestamp();
        Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await _sandbox.CallAsync<string>("Echo", "hello").ConfigureAwait(false);
            }
        }).GetAwaiter().GetResult();
        CallAsync.Samples.Add(Timing.Nanoseconds(start, Stopwatch.GetTimestamp()) / count);
    }

    private void StartFromSnapshot()
    {
        using var sandbox = Sandbox.FromSnapshot(_snapshot, _host);
        sandbox.Call<string>("Echo", "hello");
    }

    private void Lease()
    {
        using var lease = _pool.RentAsync().AsTask().GetAwaiter().GetResult();
        lease.Sandbox.Call<string>("Echo", "hello");
    }

    private void Observed(int calls)
    {
        using (Listen())
        {
            Batch(CallObserved, SyncCall, calls);
        }
    }

    private static void Batch(Scenario scenario, Action operation, int count)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            operation();
        }

        scenario.Samples.Add(Timing.Nanoseconds(start, Stopwatch.GetTimestamp()) / count);
    }

    /// <summary>A meter listener summing every HyperSharp measurement and an activity listener recording every span, as an exporter would.</summary>
    private static Listeners Listen()
    {
        var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == HyperSharpTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        double sum = 0;
        meters.SetMeasurementEventCallback<double>((_, value, _, _) => sum += value);
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => sum += value);
        meters.Start();
        var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HyperSharpTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);
        return new Listeners(meters, activities);
    }

    private sealed record Listeners(MeterListener Meters, ActivityListener Activities) : IDisposable
    {
        public void Dispose()
        {
            Meters.Dispose();
            Activities.Dispose();
        }
    }
}
