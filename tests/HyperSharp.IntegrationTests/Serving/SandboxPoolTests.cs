using Xunit;

namespace HyperSharp.IntegrationTests.Serving;

/// <summary>
/// A pool hands out clean sandboxes, makes renters wait rather than refusing them, returns every sandbox to its snapshot,
/// replaces the ones that cannot be trusted or have served enough, and never creates a VM on a warm request's path.
/// </summary>
public sealed class SandboxPoolTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [KvmFact]
    public async Task EveryLeaseMeetsTheSnapshotNotThePreviousRequest()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        await using (var lease = await pool.RentAsync(Token))
        {
            await lease.Sandbox.CallAsync("SetStatic", 41);
            Assert.Equal(41, await lease.Sandbox.CallAsync<int>("GetStatic"));
        }

        await using (var lease = await pool.RentAsync(Token))
        {
            Assert.Equal(2, lease.Use);
            Assert.Equal(0, await lease.Sandbox.CallAsync<int>("GetStatic"));
        }

        Assert.Equal(1, pool.Created);
    }

    [KvmFact]
    public async Task ARenterWaitsForAReturnInsteadOfBeingRefused()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        var first = await pool.RentAsync(Token);
        var second = pool.RentAsync(Token).AsTask();

        await Task.Delay(50, Token);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, pool.Waiting);

        var sandbox = first.Sandbox;
        first.Dispose();
        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Same(sandbox, lease.Sandbox);
        Assert.Equal(0, pool.Waiting);
        Assert.Equal(3, await lease.Sandbox.CallAsync<int>("Add", 1, 2));
    }

    [KvmFact]
    public async Task FourThreadsOnOneSandboxAllGetAnswers()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        var callers = Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.Equal(caller + i, await pool.CallAsync<int>("Add", [caller, i], Token));
            }
        }, Token));
        await Task.WhenAll(callers);
        Assert.Equal(1, pool.Created);
    }

    [KvmFact]
    public async Task ARentThatWaitsTooLongFailsWithATypedErrorAndRentsNothing()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions
        {
            Name = "tiny",
            MaxSize = 1,
            RentTimeout = TimeSpan.FromMilliseconds(100),
        });
        using var held = await pool.RentAsync(Token);

        var failure = await Assert.ThrowsAsync<SandboxPoolExhaustedException>(async () => await pool.RentAsync(Token));

        Assert.Contains("'tiny'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("100 ms", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.Waiting);
        Assert.Equal(1, pool.Rented);
    }

    [KvmFact]
    public async Task ACancelledRentLeavesThePoolAsItWas()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        var held = await pool.RentAsync(Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.RentAsync(cancel.Token));
        Assert.Equal(0, pool.Waiting);

        held.Dispose();
        using var lease = await pool.RentAsync(Token);
        Assert.Equal(1, pool.Count);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pool.RentAsync(new CancellationToken(canceled: true)));
    }

    [KvmFact]
    public async Task APoisonedSandboxIsReplacedNotReturned()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1, MinIdle = 0 });
        Sandbox poisoned;
        await using (var lease = await pool.RentAsync(Token))
        {
            poisoned = lease.Sandbox;
            await Assert.ThrowsAsync<GuestAbortedException>(() => lease.Sandbox.CallAsync("Abort", 3));
        }

        Assert.Equal(SandboxState.Disposed, poisoned.State);
        Assert.Equal(1, pool.Retired);
        using var next = await pool.RentAsync(Token);
        Assert.NotSame(poisoned, next.Sandbox);
        Assert.Equal(1, next.Use);
        Assert.Equal(7, await next.Sandbox.CallAsync<int>("Add", 3, 4));
    }

    [KvmFact]
    public async Task ASandboxTheRenterDisposedIsReplaced()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        await using (var lease = await pool.RentAsync(Token))
        {
            lease.Sandbox.Dispose();
        }

        using var next = await pool.RentAsync(Token);
        Assert.Equal(SandboxState.Ready, next.Sandbox.State);
        Assert.Equal(1, pool.Retired);
    }

    [KvmFact]
    public async Task ASandboxIsReplacedAfterItsMaximumUses()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1, MaxUses = 2 });
        var seen = new List<(Sandbox Sandbox, int Use)>();
        for (var i = 0; i < 5; i++)
        {
            using var lease = await pool.RentAsync(Token);
            seen.Add((lease.Sandbox, lease.Use));
        }

        Assert.Equal([1, 2, 1, 2, 1], seen.Select(s => s.Use));
        Assert.Same(seen[0].Sandbox, seen[1].Sandbox);
        Assert.NotSame(seen[1].Sandbox, seen[2].Sandbox);
        Assert.Equal(2, pool.Retired);
        Assert.Equal(3, pool.Created);
    }

    [KvmFact]
    public async Task APrewarmedPoolCreatesNothingWhileServing()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 3, MinIdle = 3 });
        await pool.WarmUpAsync(Token).WaitAsync(TimeSpan.FromSeconds(30), Token);
        Assert.Equal(3, pool.Idle);

        for (var round = 0; round < 10; round++)
        {
            var leases = new[] { await pool.RentAsync(Token), await pool.RentAsync(Token), await pool.RentAsync(Token) };
            Assert.Equal(3, leases.Select(l => l.Sandbox).Distinct().Count());
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }

        Assert.Equal(3, pool.Created);
    }

    [KvmFact]
    public async Task SandboxesAreCreatedAheadOfDemandUpToTheMaximum()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 4, MinIdle = 2 });
        await pool.WarmUpAsync(Token);
        using var first = await pool.RentAsync(Token);
        using var second = await pool.RentAsync(Token);

        // Two rented: the pool has started two more to keep two idle, and stops at four.
        await WaitFor(() => pool.Idle == 2);
        Assert.Equal(4, pool.Count);
        using var third = await pool.RentAsync(Token);
        await Task.Delay(100, Token);
        Assert.Equal(4, pool.Count);
    }

    [KvmFact]
    public async Task HostFunctionsLearnWhichLeaseCallsThem()
    {
        var host = TestHostFunctions.Create();
        host.Define("HostAdd", (Caller caller, int a, int b) =>
        {
            var lease = SandboxLease.Of(caller);
            return a + b + (int)lease.State!;
        });
        using var pool = SandboxPool.Create(Guests.SimpleGuest, host, new SandboxPoolOptions { MaxSize = 2 });

        using var first = await pool.RentAsync(Token);
        using var second = await pool.RentAsync(Token);
        first.State = 100;
        second.State = 200;
        Assert.Same(first, first.Sandbox.Data);
        Assert.Equal(103, await first.Sandbox.CallAsync<int>("CallHostAdd", 1, 2));
        Assert.Equal(203, await second.Sandbox.CallAsync<int>("CallHostAdd", 1, 2));
    }

    [KvmFact]
    public async Task ALeaseReturnedWhileItsCallRunsStopsTheCallAndRetiresTheSandbox()
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        var lease = await pool.RentAsync(Token);
        var sandbox = lease.Sandbox;
        var spinning = sandbox.CallAsync("Spin");
        await WaitFor(() => Busy(sandbox));

        lease.Dispose();

        var failure = await Assert.ThrowsAsync<GuestCallCanceledException>(() => spinning.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Equal(CallCancellationReason.Killed, failure.Reason);
        Assert.Equal(1, pool.Retired);
        Assert.Throws<ObjectDisposedException>(() => lease.Sandbox);
        using var next = await pool.RentAsync(Token);
        Assert.NotSame(sandbox, next.Sandbox);
    }

    [KvmFact]
    public async Task DisposingThePoolFailsWaitersAndDisposesReturnedSandboxes()
    {
        var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1 });
        var held = await pool.RentAsync(Token);
        var waiting = pool.RentAsync(Token).AsTask();

        pool.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.RentAsync(Token));
        var sandbox = held.Sandbox;
        Assert.Equal(3, await sandbox.CallAsync<int>("Add", 1, 2));
        held.Dispose();
        Assert.Equal(SandboxState.Disposed, sandbox.State);
        pool.Dispose();
    }

    [KvmFact]
    public async Task APoolNeverLooksEmptyWhileItReplacesARetiredSandbox()
    {
        // A health probe reads Count from another thread; while a retired sandbox is disposed its replacement must
        // already count, or a pool of one answers 503 between the two.
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 1, MinIdle = 1, MaxUses = 1 });
        await pool.WarmUpAsync(Token);
        using var stop = new CancellationTokenSource();
        var emptySeen = 0;
        var probe = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (pool.Count == 0)
                {
                    Interlocked.Increment(ref emptySeen);
                }
            }
        }, Token);

        for (var i = 0; i < 100; i++)
        {
            await using var lease = await pool.RentAsync(Token);
            Assert.Equal(3, await lease.Sandbox.CallAsync<int>("Add", 1, 2));
        }

        await stop.CancelAsync();
        await probe;
        Assert.Equal(100L, pool.Retired);
        Assert.Equal(0, emptySeen);
    }

    [KvmFact]
    public async Task DisposingThePoolWaitsForTheSandboxesBeingCreated()
    {
        // Three of the four are still being created on HyperSharp's threads when Dispose starts.
        var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 4, MinIdle = 4 });
        Assert.Equal(4, pool.Count);
        pool.Dispose();
        Assert.Equal(0, pool.Count);

        var other = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = 4, MinIdle = 4 });
        await other.DisposeAsync();
        Assert.Equal(0, other.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => other.WarmUpAsync(Token));
    }

    [KvmFact]
    public async Task APoolOverASnapshotLeavesTheSnapshotToItsOwner()
    {
        using var origin = Sandbox.Create(Guests.SimpleGuest);
        await origin.CallAsync("SetStatic", 9);
        using var snapshot = origin.Snapshot();
        using (var pool = SandboxPool.Create(snapshot, options: new SandboxPoolOptions { MaxSize = 2 }))
        {
            using var lease = await pool.RentAsync(Token);
            Assert.Equal(9, await lease.Sandbox.CallAsync<int>("GetStatic"));
            Assert.Same(snapshot, pool.Snapshot);
        }

        using var later = Sandbox.FromSnapshot(snapshot);
        Assert.Equal(9, later.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void ASnapshotThatDoesNotFitFailsWhenThePoolIsCreated()
    {
        var host = TestHostFunctions.Create();
        using var origin = Sandbox.Create(Guests.SimpleGuest, host);
        using var snapshot = origin.Snapshot();
        Assert.Throws<SnapshotMismatchException>(() => SandboxPool.Create(snapshot, new HostFunctions()));
    }

    public static TheoryData<string, SandboxPoolOptions> BadOptions => new()
    {
        { "MaxSize", new SandboxPoolOptions { MaxSize = 0 } },
        { "MaxSize", new SandboxPoolOptions { MaxSize = SandboxPoolOptions.MaxPoolSize + 1 } },
        { "MinIdle", new SandboxPoolOptions { MaxSize = 2, MinIdle = 3 } },
        { "MinIdle", new SandboxPoolOptions { MinIdle = -1 } },
        { "MaxUses", new SandboxPoolOptions { MaxUses = 0 } },
        { "RentTimeout", new SandboxPoolOptions { RentTimeout = TimeSpan.Zero } },
        { "Name", new SandboxPoolOptions { Name = "" } },
        { "Name", new SandboxPoolOptions { Name = "a\nb" } },
        { "CallTimeout", new SandboxPoolOptions { Sandbox = new SandboxOptions { CallTimeout = TimeSpan.Zero } } },
    };

    [KvmTheory]
    [MemberData(nameof(BadOptions))]
    public void OptionsOutOfRangeAreNamed(string option, SandboxPoolOptions options)
    {
        var failure = Assert.Throws<ArgumentOutOfRangeException>(() => SandboxPool.Create(Guests.SimpleGuest, options: options));
        Assert.EndsWith(option, failure.ParamName, StringComparison.Ordinal);
    }

    /// <summary>Whether a call is running in <paramref name="sandbox"/>, found without disturbing it.</summary>
    private static bool Busy(Sandbox sandbox)
    {
        try
        {
            sandbox.Restore();
            return false;
        }
        catch (SandboxBusyException)
        {
            return true;
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pool did not get there within 30 s");
            await Task.Delay(5, Token);
        }
    }
}
