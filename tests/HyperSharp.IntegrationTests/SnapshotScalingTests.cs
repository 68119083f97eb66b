using HyperSharp.IntegrationTests.Control;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>A snapshot of a big guest that used little of its memory reads only what the guest used.</summary>
[Collection(typeof(ProcessWideCollection))]
public sealed class SnapshotScalingTests
{
    public SnapshotScalingTests() => ProcessWideCollection.RequireRunningAlone();

    [KvmFact]
    public void SnapshottingAOneGibibyteGuestReadsOnlyThePagesItUsed()
    {
        var host = TestHostFunctions.Create();
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host, new SandboxOptions { HeapSize = 1UL << 30 });
        Assert.Equal(64, sandbox.Call<int>("DirtyPages", 64));
        sandbox.Call("SetStatic", 1234);
        var faultsBefore = ProcessResources.MinorFaults();

        using var first = sandbox.Snapshot();
        sandbox.Call("SetStatic", 99);
        using var second = sandbox.Snapshot();

        // Reading every page, as a naive copy does, would fault in all 262,144 pages of the heap, twice.
        Assert.InRange(ProcessResources.MinorFaults() - faultsBefore, 0, 50_000);
        Assert.InRange(first.Memory.DataPages, 64UL, 2048UL);
        Assert.InRange(second.Memory.DataPages, 64UL, 2048UL);

        // Nothing was lost: sandboxes from either snapshot see the state it was taken in.
        using var fromFirst = Sandbox.FromSnapshot(first, host);
        Assert.Equal(1234, fromFirst.Call<int>("GetStatic"));
        using var fromSecond = Sandbox.FromSnapshot(second, host);
        Assert.Equal(99, fromSecond.Call<int>("GetStatic"));
        Assert.Equal(64, fromSecond.Call<int>("DirtyPages", 64));
        sandbox.Restore(first);
        Assert.Equal(1234, sandbox.Call<int>("GetStatic"));
    }
}
