using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// Sandboxes and pools report their calls, failures, restores and lifecycle through the <c>HyperSharp</c> meter, activity
/// source and loggers, read here by the real <see cref="System.Diagnostics.Metrics.MeterListener"/> and
/// <see cref="ActivityListener"/>. Runs alone: listeners are process-wide, and one test proves a call costs nothing when
/// none is attached.
/// </summary>
[Collection(typeof(ProcessWideCollection))]
public sealed class TelemetryTests
{
    public TelemetryTests() => ProcessWideCollection.RequireRunningAlone();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [KvmFact]
    public void CallsAreTimedByFunctionAndUnknownNamesShareOneSeries()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var recorder = new TelemetryRecorder();
        for (var i = 0; i < 3; i++)
        {
            sandbox.Call<int>("Add", i, 1);
        }

        Assert.Throws<GuestFunctionNotFoundException>(() => sandbox.Call<int>("NoSuch\u001b[2Jname"));

        var calls = recorder.Of("hypersharp.sandbox.call.duration");
        Assert.Equal(4, calls.Count);
        Assert.All(calls, c => Assert.Equal("s", c.Unit));
        Assert.All(calls, c => Assert.InRange(c.Value, 1e-7, 60));
        Assert.Equal(3, calls.Count(c => (string?)c.Tag("hypersharp.function.name") == "Add" && c.Tag("error.type") is null));
        var unknown = Assert.Single(calls, c => (string?)c.Tag("hypersharp.function.name") == "_OTHER");
        Assert.Equal(typeof(GuestFunctionNotFoundException).FullName, unknown.Tag("error.type"));
    }

    [KvmFact]
    public void FaultsAreCountedByKind()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        using var recorder = new TelemetryRecorder();

        Assert.Throws<GuestAbortedException>(() => sandbox.Call("Abort", 1));
        sandbox.Restore();
        Assert.Throws<GuestFaultException>(() => sandbox.Call<int>("DivideByZero"));
        sandbox.Restore();
        Assert.Throws<GuestFaultException>(() => sandbox.Call<int>("NullDeref"));
        Assert.Throws<SandboxPoisonedException>(() => sandbox.Call<int>("Add", 1, 2));
        sandbox.Restore();
        Assert.Throws<GuestFunctionNotFoundException>(() => sandbox.Call<int>("NoSuchFunction"));
        Assert.Throws<GuestArgumentException>(() => sandbox.Call<int>("Add", 1));

        Assert.Equal(3, recorder.Sum("hypersharp.sandbox.faults"));
        Assert.Equal(1, recorder.Sum("hypersharp.sandbox.faults", ("hypersharp.fault.kind", "abort")));
        Assert.Equal(2, recorder.Sum("hypersharp.sandbox.faults", ("hypersharp.fault.kind", "cpu_exception")));
    }

    [KvmFact]
    public async Task CancellationsAreCountedByReason()
    {
        using var timed = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { CallTimeout = TimeSpan.FromMilliseconds(50) });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        using var recorder = new TelemetryRecorder();

        Assert.Throws<GuestCallCanceledException>(() => timed.Call("Spin"));
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAsync<GuestCallCanceledException>(() => sandbox.CallAsync("Spin", [], cancel.Token));
        }

        sandbox.Restore();
        var spinning = sandbox.CallAsync("Spin");
        while (!sandbox.InterruptHandle.Kill())
        {
            await Task.Delay(5, Token);
        }

        await Assert.ThrowsAsync<GuestCallCanceledException>(() => spinning);

        Assert.Equal(1, recorder.Sum("hypersharp.sandbox.cancellations", ("hypersharp.cancellation.reason", "timed_out")));
        Assert.Equal(1, recorder.Sum("hypersharp.sandbox.cancellations", ("hypersharp.cancellation.reason", "token_canceled")));
        Assert.Equal(1, recorder.Sum("hypersharp.sandbox.cancellations", ("hypersharp.cancellation.reason", "killed")));
        Assert.Equal(0, recorder.Sum("hypersharp.sandbox.faults"));
    }

    [KvmFact]
    public void RestoresReportTheirDurationAndThePagesCopiedBack()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        using var recorder = new TelemetryRecorder();

        sandbox.Call<int>("DirtyPages", 20);
        sandbox.Restore();

        Assert.Single(recorder.Of("hypersharp.sandbox.restore.duration"));
        Assert.InRange(recorder.Sum("hypersharp.sandbox.restore.pages"), 20, 60);
        var span = Assert.Single(recorder.Spans, s => s.OperationName == "hypersharp.sandbox.restore");
        Assert.InRange((long)span.GetTagItem("hypersharp.restore.pages")!, 20, 60);
    }

    [KvmFact]
    public void CreationAndDisposalAreCountedByOrigin()
    {
        using var recorder = new TelemetryRecorder();
        using (var sandbox = Sandbox.Create(Guests.SimpleGuest))
        {
            using var snapshot = sandbox.Snapshot();
            using var twin = Sandbox.FromSnapshot(snapshot);
            Assert.Equal(2, recorder.Sum("hypersharp.sandbox.count"));
        }

        Assert.Equal(0, recorder.Sum("hypersharp.sandbox.count"));
        var creations = recorder.Of("hypersharp.sandbox.create.duration");
        Assert.Equal(["elf", "snapshot"], creations.Select(c => (string)c.Tag("hypersharp.sandbox.origin")!));
        Assert.Throws<GuestBinaryException>(() => Sandbox.Create(new byte[] { 1, 2, 3 }));
        Assert.Equal(typeof(GuestBinaryException).FullName, recorder.Of("hypersharp.sandbox.create.duration").Last().Tag("error.type"));
    }

    [KvmFact]
    public void SpansCoverCreateCallRestoreSaveAndLoadAndMarkFailures()
    {
        var directory = Directory.CreateTempSubdirectory("hypersharp-telemetry-");
        try
        {
            using var recorder = new TelemetryRecorder();
            using (var sandbox = Sandbox.Create(Guests.SimpleGuest))
            {
                sandbox.Call<int>("Add", 1, 2);
                using var snapshot = sandbox.Snapshot();
                Assert.Throws<GuestAbortedException>(() => sandbox.Call("Abort", 9));
                sandbox.Restore(snapshot);
                snapshot.Save(directory.FullName, "v1");
                using var loaded = Snapshot.Load(directory.FullName, "v1");
            }

            var spans = recorder.Spans.ToList();
            Assert.Equal(
                ["hypersharp.sandbox.create", "hypersharp.sandbox.call", "hypersharp.sandbox.call", "hypersharp.sandbox.restore", "hypersharp.snapshot.save", "hypersharp.snapshot.load"],
                spans.Select(s => s.OperationName));
            Assert.All(spans, s => Assert.Equal(HyperSharpTelemetry.ActivitySourceName, s.Source.Name));
            Assert.Equal("call Add", spans[1].DisplayName);
            Assert.Equal(ActivityStatusCode.Unset, spans[1].Status);
            Assert.Equal(ActivityStatusCode.Error, spans[2].Status);
            Assert.Equal(typeof(GuestAbortedException).FullName, spans[2].GetTagItem("error.type"));
            Assert.Equal("abort", spans[2].GetTagItem("hypersharp.fault.kind"));
            Assert.Equal(spans[0].GetTagItem("hypersharp.sandbox.id"), spans[1].GetTagItem("hypersharp.sandbox.id"));
            Assert.Single(recorder.Of("hypersharp.snapshot.load.duration"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [KvmFact]
    public async Task PoolsReportTheirSandboxesWaitersWaitsAndRetirements()
    {
        using var recorder = new TelemetryRecorder();
        var name = ("hypersharp.pool.name", (object)"metered");
        using (var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { Name = "metered", MaxSize = 1, MinIdle = 1 }))
        {
            Assert.Equal(1, recorder.Sum("hypersharp.pool.sandbox.max", name));
            var lease = await pool.RentAsync(Token);
            Assert.Equal(1, recorder.Sum("hypersharp.pool.sandbox.count", name, ("hypersharp.pool.sandbox.state", "used")));
            Assert.Equal(0, recorder.Sum("hypersharp.pool.sandbox.count", name, ("hypersharp.pool.sandbox.state", "idle")));

            var waiting = pool.RentAsync(Token).AsTask();
            Assert.Equal(1, recorder.Sum("hypersharp.pool.pending_requests", name));
            await Assert.ThrowsAsync<GuestAbortedException>(() => lease.Sandbox.CallAsync("Abort", 2));
            lease.Dispose();
            using (var next = await waiting)
            {
                Assert.Equal(0, recorder.Sum("hypersharp.pool.pending_requests", name));
                Assert.Equal(1, recorder.Sum("hypersharp.pool.sandbox.count", name, ("hypersharp.pool.sandbox.state", "used")));
            }

            Assert.Equal(1, recorder.Sum("hypersharp.pool.sandbox.retirements", name, ("hypersharp.pool.retirement.reason", "poisoned")));
            var waits = recorder.Of("hypersharp.pool.rent.wait_time");
            Assert.Equal(2, waits.Count);
            Assert.True(waits[1].Value >= waits[0].Value, "the second rent waited for a replacement; the first found one idle");
            Assert.Equal(1, recorder.Sum("hypersharp.pool.sandbox.count", name, ("hypersharp.pool.sandbox.state", "idle")));
        }

        Assert.Equal(0, recorder.Sum("hypersharp.pool.sandbox.count", name));
        Assert.Equal(0, recorder.Sum("hypersharp.pool.sandbox.max", name));
        Assert.Contains(recorder.Spans, s => s.OperationName == "hypersharp.pool.rent" && (string?)s.GetTagItem("hypersharp.pool.name") == "metered");
    }

    [KvmFact]
    public void LifecycleFaultsAndEscapedGuestOutputAreLogged()
    {
        var logs = new CapturingLoggerFactory();
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        try
        {
            using (var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { LoggerFactory = logs, GuestOutputLogLevel = LogLevel.Information }))
            {
                Assert.Equal(13, sandbox.Call<int>("Print", "line\n\u001b[31mred"));
                Assert.Throws<GuestAbortedException>(() => sandbox.Call("AbortWithMessage", 5, "forged\nWARN: line"));
            }
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal("", console.ToString());
        var output = Assert.Single(logs.Entries, e => e.Category == HyperSharpTelemetry.GuestOutputLogCategory);
        Assert.Equal(LogLevel.Information, output.Level);
        Assert.Equal("line\\x0a\\x1b[31mred", output.Value("Text"));
        Assert.DoesNotContain('\n', output.Message);

        var lifecycle = logs.Entries.Where(e => e.Category == HyperSharpTelemetry.SandboxLogCategory).ToList();
        Assert.Contains(lifecycle, e => e.Level == LogLevel.Debug && e.Message.Contains("created from elf", StringComparison.Ordinal));
        var poisoned = Assert.Single(lifecycle, e => e.Level == LogLevel.Warning);
        Assert.Equal("abort", poisoned.Value("FaultKind"));
        Assert.DoesNotContain('\n', poisoned.Message);
        Assert.Contains(lifecycle, e => e.Message.EndsWith("disposed", StringComparison.Ordinal));
    }

    [KvmFact]
    public void GuestOutputBelowTheLoggersLevelIsDroppedNotPrinted()
    {
        var logs = new CapturingLoggerFactory(LogLevel.Information);
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        try
        {
            using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { LoggerFactory = logs });
            Assert.Equal(5, sandbox.Call<int>("Print", "quiet"));
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal("", console.ToString());
        Assert.DoesNotContain(logs.Entries, e => e.Category == HyperSharpTelemetry.GuestOutputLogCategory);
    }

    [KvmFact]
    public void WithNothingListeningACallAllocatesNothing()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        for (var i = 0; i < 100; i++)
        {
            sandbox.Call<int>("Add", i, 1);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sandbox.Call<int>("Add", i, 1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
