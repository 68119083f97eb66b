using System.Diagnostics;
using Xunit;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>InterruptHandle.Kill, CancellationToken and CallTimeout stop real guests in real VMs, and only the call they target.</summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [KvmFact]
    public void KillBetweenCallsDoesNotCancelTheNextCall()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        Assert.False(sandbox.InterruptHandle.Kill());
        Assert.Equal("still here", sandbox.Call<string>("Echo", "still here"));
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void KillStopsASpinningGuestAndRestoreRecoversIt()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        var call = Task.Run(() => sandbox.Call("Spin"), TestContext.Current.CancellationToken);
        KillWhenRunning(sandbox);

        var e = Assert.Throws<GuestCallCanceledException>(() => Wait(call));
        Assert.Equal(CallCancellationReason.Killed, e.Reason);
        Assert.True(e.GuestRan);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
        Assert.Throws<SandboxPoisonedException>(() => sandbox.Call<string>("Echo", "x"));
        Assert.Throws<SandboxPoisonedException>(() => sandbox.Snapshot());

        sandbox.Restore();
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal("back", sandbox.Call<string>("Echo", "back"));
    }

    [KvmFact]
    public void KillDuringAHostFunctionLetsItFinishAndStopsTheGuestBeforeItResumes()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var finished = 0;
        var host = new HostFunctions();
        host.Define("Block", () =>
        {
            entered.Set();
            release.Wait(Patience);
            Interlocked.Increment(ref finished);
            return 42;
        });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        var call = Task.Run(() => sandbox.Call<int>("CallHostByName", "Block"), TestContext.Current.CancellationToken);
        Assert.True(entered.Wait(Patience));

        Assert.True(sandbox.InterruptHandle.Kill());
        release.Set();

        var e = Assert.Throws<GuestCallCanceledException>(() => Wait(call));
        Assert.Equal(CallCancellationReason.Killed, e.Reason);
        Assert.Equal(1, finished);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmFact]
    public void AGuestLoopingOnHostCallsIsKillable()
    {
        var calls = 0;
        var host = new HostFunctions();
        host.Define("HostAdd", (int a, int b) =>
        {
            Interlocked.Increment(ref calls);
            return a + b;
        });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        var call = Task.Run(() => sandbox.Call<int>("CallHostManyTimes", int.MaxValue), TestContext.Current.CancellationToken);
        SpinWait.SpinUntil(() => Volatile.Read(ref calls) >= 100, Patience);
        KillWhenRunning(sandbox);

        Assert.Throws<GuestCallCanceledException>(() => Wait(call));
        var afterKill = Volatile.Read(ref calls);
        Thread.Sleep(50);
        Assert.Equal(afterKill, Volatile.Read(ref calls));
    }

    [KvmFact]
    public void ASandboxMovedToAnotherThreadIsStillKillable()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        for (var round = 0; round < 3; round++)
        {
            var thread = new Thread(() => sandbox.Call<string>("Echo", "warm up this thread"));
            thread.Start();
            thread.Join();

            Exception? caught = null;
            var spinner = new Thread(() => caught = Record(() => sandbox.Call("Spin")));
            spinner.Start();
            KillWhenRunning(sandbox);
            Assert.True(spinner.Join(Patience));
            Assert.IsType<GuestCallCanceledException>(caught);
            sandbox.Restore();
        }
    }

    [KvmFact]
    public void OfTwoSandboxesRunningOnOneThreadOnlyTheTargetedOneStops()
    {
        using var inner = Sandbox.Create(Guests.SimpleGuest);
        using var innerRunning = new ManualResetEventSlim();
        Exception? innerOutcome = null;
        var host = new HostFunctions();
        host.Define("RunInner", () =>
        {
            innerRunning.Set();
            innerOutcome = Record(() => inner.Call("Spin"));
            return 7;
        });
        using var outer = Sandbox.Create(Guests.SimpleGuest, host);

        // Killing the inner sandbox stops its Spin; the outer one, on the same thread, carries on and returns.
        var call = Task.Run(() => outer.Call<int>("CallHostByName", "RunInner"), TestContext.Current.CancellationToken);
        Assert.True(innerRunning.Wait(Patience));
        KillWhenRunning(inner);
        Assert.Equal(7, Wait(call));
        Assert.IsType<GuestCallCanceledException>(innerOutcome);
        Assert.Equal(SandboxState.Ready, outer.State);
        Assert.Equal(SandboxState.Poisoned, inner.State);
    }

    [KvmFact]
    public void KillingTheOuterSandboxLeavesTheInnerOneOnTheSameThreadAlone()
    {
        using var inner = Sandbox.Create(Guests.SimpleGuest);
        using var innerEntered = new ManualResetEventSlim();
        using var outerKilled = new ManualResetEventSlim();
        string? innerResult = null;
        var host = new HostFunctions();
        host.Define("RunInner", () =>
        {
            innerEntered.Set();
            outerKilled.Wait(Patience);
            // The kick signal for the outer sandbox may land in this thread's next KVM_RUN, which is the inner one's.
            for (var i = 0; i < 100; i++)
            {
                innerResult = inner.Call<string>("Echo", "inner");
            }

            return 7;
        });
        using var outer = Sandbox.Create(Guests.SimpleGuest, host);
        var call = Task.Run(() => outer.Call<int>("CallHostByName", "RunInner"), TestContext.Current.CancellationToken);
        // Killed inside its host function, so the inner calls run while the outer kill is pending; a kill before the
        // guest reached the host function would stop it there, and nothing would be left to prove.
        Assert.True(innerEntered.Wait(Patience));
        KillWhenRunning(outer);
        outerKilled.Set();

        var e = Assert.Throws<GuestCallCanceledException>(() => Wait(call));
        Assert.Equal(CallCancellationReason.Killed, e.Reason);
        Assert.Equal("inner", innerResult);
        Assert.Equal(SandboxState.Ready, inner.State);
    }

    [KvmFact]
    public void KillAfterDisposeIsHarmless()
    {
        var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var handle = sandbox.InterruptHandle;
        sandbox.Dispose();
        Assert.False(handle.Kill());
        Assert.False(sandbox.InterruptHandle.Kill());
    }

    [KvmFact]
    public void DisposeDuringAKilledCallReleasesTheSandboxWhenTheCallReturns()
    {
        var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var call = Task.Run(() => sandbox.Call("Spin"), TestContext.Current.CancellationToken);
        SpinWait.SpinUntil(() => sandbox.InterruptHandle.Kill() || call.IsCompleted, Patience);
        sandbox.Dispose();
        Assert.Throws<GuestCallCanceledException>(() => Wait(call));
        Assert.Equal(SandboxState.Disposed, sandbox.State);
        Assert.False(sandbox.InterruptHandle.Kill());
    }

    [KvmFact]
    public void ATokenCancelledBeforeTheCallRunsNothing()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var before = sandbox.Call<int>("IncrementCounter");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var e = Assert.Throws<GuestCallCanceledException>(() => sandbox.Call<int>("IncrementCounter", cancelled.Token));
        Assert.False(e.GuestRan);
        Assert.Equal(CallCancellationReason.TokenCanceled, e.Reason);
        Assert.Equal(cancelled.Token, e.CancellationToken);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal(before + 1, sandbox.Call<int>("IncrementCounter"));
    }

    [KvmFact]
    public void CancellingTheTokenStopsTheCall()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var e = Assert.Throws<GuestCallCanceledException>(() => sandbox.Call("Spin", source.Token));
        Assert.Equal(CallCancellationReason.TokenCanceled, e.Reason);
        Assert.True(e.GuestRan);
        Assert.Equal(source.Token, e.CancellationToken);
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmFact]
    public void AnUncancelledTokenChangesNothing()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var source = new CancellationTokenSource();
        Assert.Equal(5, sandbox.Call<int>("Add", source.Token, 2, 3));
        sandbox.Call("Nothing", source.Token);
        Assert.Equal("x", sandbox.Call("Echo", GuestValueType.String, source.Token, "x").AsString());
        source.Cancel();
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal(5, sandbox.Call<int>("Add", 2, 3));
    }

    [KvmFact]
    public void CallTimeoutStopsALongCallAndSparesShortOnes()
    {
        var timeout = TimeSpan.FromMilliseconds(100);
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { CallTimeout = timeout });
        using var snapshot = sandbox.Snapshot();
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal("quick", sandbox.Call<string>("Echo", "quick"));
        }

        for (var round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<GuestCallCanceledException>(() => sandbox.Call("Spin"));
            Assert.Equal(CallCancellationReason.TimedOut, e.Reason);
            Assert.InRange(clock.Elapsed, timeout, Patience);
            sandbox.Restore();
            Assert.Equal("quick", sandbox.Call<string>("Echo", "quick"));
        }
    }

    [KvmFact]
    public void CallTimeoutAppliesToSandboxesFromSnapshots()
    {
        using var source = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { HeapSize = 2UL << 20 });
        using var snapshot = source.Snapshot();
        Assert.Equal(2UL << 20, snapshot.Options.HeapSize);
        using var sandbox = Sandbox.FromSnapshot(snapshot, options: snapshot.Options with { CallTimeout = TimeSpan.FromMilliseconds(50) });
        Assert.Equal(CallCancellationReason.TimedOut, Assert.Throws<GuestCallCanceledException>(() => sandbox.Call("Spin")).Reason);
    }

    [KvmTheory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(0.5)]
    [InlineData(5e9)]
    public void OutOfRangeTimeoutsAreRejected(double milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { CallTimeout = TimeSpan.FromMilliseconds(milliseconds) }));

    [KvmFact]
    public void ATokenCancelledWhileAHostFunctionRunsStopsTheGuestAfterIt()
    {
        using var source = new CancellationTokenSource();
        var host = new HostFunctions();
        host.Define("CancelMe", () =>
        {
            source.Cancel();
            return 1;
        });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        var e = Assert.Throws<GuestCallCanceledException>(() => sandbox.Call<int>("CallHostByName", source.Token, "CancelMe"));
        Assert.Equal(CallCancellationReason.TokenCanceled, e.Reason);
    }

    /// <summary>Kill returns false until the call has begun; keep trying until it lands.</summary>
    internal static void KillWhenRunning(Sandbox sandbox) =>
        Assert.True(SpinWait.SpinUntil(() => sandbox.InterruptHandle.Kill(), Patience), "the call never started");

    private static T Wait<T>(Task<T> task)
    {
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(Patience), "the call did not stop");
        return task.GetAwaiter().GetResult();
    }

    private static void Wait(Task task)
    {
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(Patience), "the call did not stop");
        task.GetAwaiter().GetResult();
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
