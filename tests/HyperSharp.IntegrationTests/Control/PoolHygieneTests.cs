using Xunit;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// 10,000 rent, call, return cycles from 4 concurrent callers: every answer right, every lease clean, and afterwards
/// no sandbox, descriptor, mapping or resident memory left behind.
/// </summary>
[Collection(typeof(ProcessWideCollection))]
public sealed class PoolHygieneTests
{
    public PoolHygieneTests() => ProcessWideCollection.RequireRunningAlone();

    private const int Callers = 4;
    private const int CyclesPerCaller = 2_500;

    [KvmFact]
    public async Task TenThousandLeasesOnFourCallersAreAllRightAndLeaveNothingBehind()
    {
        var token = TestContext.Current.CancellationToken;
        await Cycle(cycles: 20, maxUses: 7, token);
        Collect();
        var before = ProcessResources.Read();
        using var recorder = new TelemetryRecorder();

        var (created, retired) = await Cycle(CyclesPerCaller, maxUses: 100, token);

        Collect();
        var after = ProcessResources.Read();
        Assert.Equal(0, recorder.Sum("hypersharp.sandbox.count"));
        Assert.Equal(retired, recorder.Sum("hypersharp.pool.sandbox.retirements"));
        // Worn-out (every 100 uses) and poisoned (every 500th lease) sandboxes were replaced, one new one for each.
        Assert.InRange(retired, Callers * CyclesPerCaller / 100, (Callers * CyclesPerCaller / 100) + (Callers * CyclesPerCaller / 500) + Callers);
        Assert.InRange(created - retired, 1, Callers);
        Assert.InRange(after.FileDescriptors, 0, before.FileDescriptors + 8);
        Assert.InRange(after.Mappings, 0, before.Mappings + 16);
        Assert.InRange(after.ResidentBytes, 0, before.ResidentBytes + (128L << 20));
    }

    /// <summary>Runs <paramref name="cycles"/> leases on each of 4 callers against a fresh 4-sandbox pool; returns what the pool created and retired.</summary>
    private static async Task<(long Created, long Retired)> Cycle(int cycles, int maxUses, CancellationToken token)
    {
        using var pool = SandboxPool.Create(Guests.SimpleGuest, options: new SandboxPoolOptions { MaxSize = Callers, MinIdle = Callers, MaxUses = maxUses });
        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < cycles; i++)
            {
                await using var lease = await pool.RentAsync(token);
                // The sandbox must come back from the previous lease exactly as the snapshot left it.
                Assert.Equal(0, await lease.Sandbox.CallAsync<int>("GetStatic"));
                await lease.Sandbox.CallAsync("SetStatic", caller + 1);
                Assert.Equal(caller + i, await lease.Sandbox.CallAsync<int>("Add", caller, i));
                if (i % 500 == 499)
                {
                    await Assert.ThrowsAsync<GuestAbortedException>(() => lease.Sandbox.CallAsync("Abort", 1));
                }
            }
        }, token)).ToArray();
        await Task.WhenAll(callers);
        Assert.Equal(0, pool.Rented);
        Assert.Equal(0, pool.Waiting);
        Assert.InRange(pool.Count, 1, Callers);
        return (pool.Created, pool.Retired);
    }

    private static void Collect()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
