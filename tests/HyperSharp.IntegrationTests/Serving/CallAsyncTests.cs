using Xunit;

namespace HyperSharp.IntegrationTests.Serving;

/// <summary>
/// Async calls run the guest on HyperSharp's own threads, never the thread pool's, answer exactly as synchronous calls
/// do, and stop a running guest when their token is cancelled.
/// </summary>
public sealed class CallAsyncTests
{
    [KvmFact]
    public async Task AnAsyncCallAnswersAsTheSynchronousOneDoes()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        Assert.Equal(5, await sandbox.CallAsync<int>("Add", 2, 3));
        Assert.Equal("hi", await sandbox.CallAsync<string>("Echo", "hi"));
        await sandbox.CallAsync("Nothing");
        var value = await sandbox.CallAsync("Add", GuestValueType.Int, [40, 2], TestContext.Current.CancellationToken);
        Assert.Equal(42, value.AsInt32());
    }

    [KvmFact]
    public async Task TheGuestRunsOnAHyperSharpThreadNotAThreadPoolThread()
    {
        string? threadName = null;
        var onPool = true;
        var host = TestHostFunctions.Create();
        host.Define("HostVoid", () =>
        {
            threadName = Thread.CurrentThread.Name;
            onPool = Thread.CurrentThread.IsThreadPoolThread;
        });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);

        Assert.Equal(1, await sandbox.CallAsync<int>("CallHostVoid"));
        Assert.False(onPool);
        Assert.Equal("HyperSharp vCPU", threadName);
    }

    [KvmFact]
    public async Task CancellingTheTokenStopsARunningGuest()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var failure = await Assert.ThrowsAsync<GuestCallCanceledException>(() => sandbox.CallAsync("Spin", [], cancel.Token));

        Assert.Equal(CallCancellationReason.TokenCanceled, failure.Reason);
        Assert.True(failure.GuestRan);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmFact]
    public async Task ATokenCancelledBeforehandRunsNothing()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var failure = await Assert.ThrowsAsync<GuestCallCanceledException>(
            () => sandbox.CallAsync<int>("IncrementCounter", [], new CancellationToken(canceled: true)));
        Assert.False(failure.GuestRan);
        Assert.Equal(1, await sandbox.CallAsync<int>("IncrementCounter"));
    }

    [KvmFact]
    public async Task FailuresArriveThroughTheTaskWithTheirTypes()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        await Assert.ThrowsAsync<GuestFunctionNotFoundException>(() => sandbox.CallAsync<int>("NoSuchFunction"));
        await Assert.ThrowsAsync<GuestArgumentException>(() => sandbox.CallAsync<int>("Add", 1));
        await Assert.ThrowsAsync<GuestAbortedException>(() => sandbox.CallAsync("Abort", 7));
        await Assert.ThrowsAsync<SandboxPoisonedException>(() => sandbox.CallAsync<int>("Add", 1, 2));
    }

    [KvmFact]
    public async Task ASecondCallWhileOneRunsIsRefusedAsBusy()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var cancel = new CancellationTokenSource();
        var spinning = sandbox.CallAsync("Spin", [], cancel.Token);

        // Until the spinning call has started, a second one may still get in first and succeed.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await sandbox.CallAsync<int>("Add", 1, 2);
            }
            catch (SandboxBusyException)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the spinning call never started");
        }

        cancel.Cancel();
        await Assert.ThrowsAsync<GuestCallCanceledException>(() => spinning);
    }

    [KvmFact]
    public async Task GuestsThatRunForeverLeaveTheThreadPoolFree()
    {
        const int Spinners = 6; // three times the thread pool's minimum here, while leaving the machine to the other tests
        var sandboxes = Enumerable.Range(0, Spinners).Select(_ => Sandbox.Create(Guests.SimpleGuest)).ToArray();
        using var cancel = new CancellationTokenSource();
        try
        {
            var spinning = sandboxes.Select(s => s.CallAsync("Spin", [], cancel.Token)).ToArray();

            // With the thread pool's threads blocked in KVM_RUN this would wait for the pool to grow, one thread a second or so.
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(i, await Task.Run(() => i).WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));
            }

            // And a short call on another sandbox is not queued behind the spinning ones.
            using var quick = Sandbox.Create(Guests.SimpleGuest);
            Assert.Equal(3, await quick.CallAsync<int>("Add", 1, 2).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

            cancel.Cancel();
            foreach (var call in spinning)
            {
                await Assert.ThrowsAsync<GuestCallCanceledException>(() => call);
            }
        }
        finally
        {
            foreach (var sandbox in sandboxes)
            {
                sandbox.Dispose();
            }
        }
    }
}
