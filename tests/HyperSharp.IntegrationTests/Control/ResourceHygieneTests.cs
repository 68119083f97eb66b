using Xunit;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>
/// Runs alone: its tests count the whole process's file descriptors, mappings and page faults, which other tests would
/// disturb. Members name it by type (<c>[Collection(typeof(ProcessWideCollection))]</c>): by name, xunit v3 makes a
/// separate collection that does run in parallel, which made these counts fail on a busy machine.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    /// <summary>Fails the test unless it runs in this collection, alone.</summary>
    public static void RequireRunningAlone()
    {
        var collection = (Xunit.v3.IXunitTestCollection)TestContext.Current.TestCollection!;
        Assert.True(collection.DisableParallelization, $"collection '{collection.TestCollectionDisplayName}' runs in parallel with other tests");
    }
}

/// <summary>
/// Creating and disposing thousands of sandboxes, or forgetting to dispose them, leaves the process's file
/// descriptors, memory mappings and resident memory where they started.
/// </summary>
[Collection(typeof(ProcessWideCollection))]
public sealed class ResourceHygieneTests
{
    public ResourceHygieneTests() => ProcessWideCollection.RequireRunningAlone();

    private const int Sandboxes = 10_000;

    /// <summary>
    /// Resident memory the runtime itself may grow by meanwhile (the GC keeps what it committed). Each sandbox touches
    /// over 100 KiB, so leaking the 10,000 would show as more than 1 GiB.
    /// </summary>
    private const long ResidentSlack = 128L << 20;

    /// <summary>
    /// Sandbox descriptors (KVM fds, memfds) that other tests' sandboxes may still hold or release meanwhile, until their
    /// owners are collected; leaking ours would show as 20,000 (a VM and a vCPU each; 400 for the forgotten ones).
    /// </summary>
    private const int DescriptorSlack = 8;

    /// <summary>
    /// Sandbox mappings (memfds, kvm_run pages) that other tests' sandboxes may still hold or release meanwhile, until
    /// their owners are collected; leaking ours would show as 30,000 (600 for the forgotten ones).
    /// </summary>
    private const int MappingSlack = 16;

    [KvmFact]
    public void TenThousandSandboxesFromElfLeaveNothingBehind()
    {
        var elf = File.ReadAllBytes(Guests.NoopGuest);
        AssertNothingLeaks(() =>
        {
            using var sandbox = Sandbox.Create(elf);
        });
    }

    [KvmFact]
    public void TenThousandSandboxesFromASnapshotLeaveNothingBehind()
    {
        using var source = Sandbox.Create(Guests.SimpleGuest);
        source.Call<string>("Echo", "warm");
        using var snapshot = source.Snapshot();
        AssertNothingLeaks(() =>
        {
            using var sandbox = Sandbox.FromSnapshot(snapshot);
            sandbox.Call<int>("Add", 1, 2);
        });
    }

    [KvmFact]
    public void ForgottenSandboxesAreReleasedByTheirFinalizers()
    {
        using var source = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = source.Snapshot();
        Warm(() => Abandon(snapshot));
        var before = ProcessResources.Read();
        var targetsBefore = ProcessResources.DescriptorTargets();

        for (var i = 0; i < 200; i++)
        {
            Abandon(snapshot);
        }

        var during = ProcessResources.Read();
        Assert.True(during.FileDescriptors > before.FileDescriptors, "the abandoned sandboxes should hold descriptors until collected");
        Assert.True(during.Mappings > before.Mappings, "the abandoned sandboxes should hold mappings until collected");
        CollectEverything();
        var after = ProcessResources.Read();
        AssertDescriptorsBack(before, after, targetsBefore);
        Assert.InRange(after.Mappings, 0, before.Mappings + MappingSlack);
    }

    /// <summary>
    /// Descriptors are back where they were, give or take the slack; the message counts the new ones by target (most are
    /// the same few anon-inode names, so a set difference would list nothing).
    /// </summary>
    private static void AssertDescriptorsBack(ProcessResources before, ProcessResources after, List<string> targetsBefore)
    {
        if (after.FileDescriptors <= before.FileDescriptors + DescriptorSlack)
        {
            return;
        }

        var added = ProcessResources.DescriptorTargets().CountBy(target => target)
            .Select(pair => (Target: pair.Key, Added: pair.Value - targetsBefore.Count(target => target == pair.Key)))
            .Where(pair => pair.Added > 0)
            .Select(pair => $"{pair.Target} x{pair.Added}");
        Assert.Fail($"{after.FileDescriptors - before.FileDescriptors} more descriptors: {string.Join(", ", added)}");
    }

    /// <summary>Creates a sandbox and drops it without disposing, in a frame of its own so no reference survives.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Abandon(Snapshot snapshot) => Sandbox.FromSnapshot(snapshot).Call<int>("Add", 1, 2);

    private static void AssertNothingLeaks(Action createUseDispose)
    {
        Warm(createUseDispose);
        var before = ProcessResources.Read();
        var targetsBefore = ProcessResources.DescriptorTargets();
        for (var i = 0; i < Sandboxes; i++)
        {
            createUseDispose();
        }

        CollectEverything();
        var after = ProcessResources.Read();
        AssertDescriptorsBack(before, after, targetsBefore);
        Assert.InRange(after.Mappings, 0, before.Mappings + MappingSlack);
        Assert.InRange(after.ResidentBytes, 0, before.ResidentBytes + ResidentSlack);
    }

    /// <summary>Lets the JIT, the shared /dev/kvm fd and the kick signal settle before the baseline is read.</summary>
    private static void Warm(Action action)
    {
        for (var i = 0; i < 50; i++)
        {
            action();
        }

        CollectEverything();
    }

    private static void CollectEverything()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
