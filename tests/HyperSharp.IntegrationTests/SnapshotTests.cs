using Xunit;

namespace HyperSharp.IntegrationTests;

public sealed class SnapshotTests
{
    private static Sandbox NewSandbox(SandboxOptions? options = null) => Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), options);

    [KvmFact]
    public void RestoreReturnsStaticStateToTheSnapshot()
    {
        using var sandbox = NewSandbox();
        sandbox.Call("SetStatic", 7);
        using var snapshot = sandbox.Snapshot();
        sandbox.Call("SetStatic", 99);
        Assert.Equal(99, sandbox.Call<int>("GetStatic"));
        sandbox.Restore();
        Assert.Equal(7, sandbox.Call<int>("GetStatic"));
        sandbox.Call("SetStatic", 100);
        sandbox.Restore(snapshot);
        Assert.Equal(7, sandbox.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void RestoreRollsBackHeapAllocations()
    {
        using var sandbox = NewSandbox();
        var before = sandbox.Call<int>("Allocations");
        using var snapshot = sandbox.Snapshot();
        sandbox.Call<int>("Leak", 100_000);
        Assert.True(sandbox.Call<int>("Allocations") >= before + 100_000);
        sandbox.Restore();
        Assert.Equal(before, sandbox.Call<int>("Allocations"));
    }

    [KvmFact]
    public void SnapshotsChainAndAnOlderOneCanBeRestoredAfterANewerOne()
    {
        using var sandbox = NewSandbox();
        sandbox.Call("SetStatic", 1);
        using var first = sandbox.Snapshot();
        sandbox.Call("SetStatic", 2);
        using var second = sandbox.Snapshot();
        sandbox.Call("SetStatic", 3);
        using var third = sandbox.Snapshot();
        Assert.Equal([1UL, 2UL, 3UL], new[] { first.Generation, second.Generation, third.Generation });

        sandbox.Restore(first);
        Assert.Equal(1, sandbox.Call<int>("GetStatic"));
        sandbox.Restore(third);
        Assert.Equal(3, sandbox.Call<int>("GetStatic"));
        sandbox.Restore(second);
        Assert.Equal(2, sandbox.Call<int>("GetStatic"));
        Assert.Equal(2UL, sandbox.Generation);
        sandbox.Call("SetStatic", 50);
        sandbox.Restore();
        Assert.Equal(2, sandbox.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void ASnapshotRestoresIntoAnotherSandbox()
    {
        using var source = NewSandbox();
        using var target = NewSandbox();
        source.Call("SetStatic", 4242);
        using var snapshot = source.Snapshot();
        target.Restore(snapshot);
        Assert.Equal(4242, target.Call<int>("GetStatic"));
        Assert.Equal(4242, source.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void AnIncompatibleLayoutIsRejectedAndTheTargetStaysUsable()
    {
        using var source = NewSandbox(new SandboxOptions { HeapSize = 2UL << 20 });
        using var target = NewSandbox();
        target.Call("SetStatic", 5);
        using var snapshot = source.Snapshot();
        var e = Assert.Throws<SnapshotMismatchException>(() => target.Restore(snapshot));
        Assert.Contains("HeapSize is 2097152 in the snapshot but 1048576 here", e.Mismatches);
        Assert.Equal(SandboxState.Ready, target.State);
        Assert.Equal(5, target.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void HostFunctionMismatchesAreRejectedByRestoreAndFromSnapshot()
    {
        using var source = NewSandbox();
        using var snapshot = source.Snapshot();
        var other = TestHostFunctions.Create();
        other.Remove("HostVoid");
        other.Define("HostAdd", (long a, long b) => a + b);
        using var target = Sandbox.Create(Guests.SimpleGuest, other);

        var restore = Assert.Throws<SnapshotMismatchException>(() => target.Restore(snapshot));
        Assert.Contains(restore.Mismatches, m => m.Contains("HostVoid", StringComparison.Ordinal));
        Assert.Contains(restore.Mismatches, m => m.Contains("HostAdd", StringComparison.Ordinal));
        Assert.Equal(3, target.Call<int>("Add", 1, 2));

        var create = Assert.Throws<SnapshotMismatchException>(() => Sandbox.FromSnapshot(snapshot, other));
        Assert.Equal(2, create.Mismatches.Count);
    }

    [KvmFact]
    public void FromSnapshotThenRestoreThenCallWorks()
    {
        using var source = NewSandbox();
        source.Call("SetStatic", 11);
        using var snapshot = source.Snapshot();

        using var sandbox = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        Assert.Equal(11, sandbox.Call<int>("GetStatic"));
        sandbox.Call("SetStatic", 12);
        sandbox.Restore();
        Assert.Equal(11, sandbox.Call<int>("GetStatic"));
        Assert.Equal("hi", sandbox.Call<string>("Echo", "hi"));
        Assert.Equal(7, sandbox.Call<int>("CallHostAdd", 3, 4));
        Assert.Equal(snapshot.Generation, sandbox.Generation);
        Assert.Equal(source.GuestFunctions, sandbox.GuestFunctions);
    }

    [KvmFact]
    public void FromSnapshotRejectsOptionsThatDisagreeWithTheSnapshot()
    {
        using var source = NewSandbox();
        using var snapshot = source.Snapshot();
        var e = Assert.Throws<ArgumentException>(() => Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create(), new SandboxOptions { HeapSize = 8UL << 20 }));
        Assert.Contains("SandboxOptions.HeapSize", e.Message, StringComparison.Ordinal);
        using var same = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create(), new SandboxOptions());
        Assert.Equal(3, same.Call<int>("Add", 1, 2));
    }

    [KvmFact]
    public void RestoreRecoversAPoisonedSandboxRepeatedly()
    {
        using var sandbox = NewSandbox();
        sandbox.Call("SetStatic", 3);
        using var snapshot = sandbox.Snapshot();
        for (var i = 0; i < 100; i++)
        {
            Assert.Throws<GuestFaultException>(() => sandbox.Call("Ud2"));
            Assert.Equal(SandboxState.Poisoned, sandbox.State);
            Assert.Throws<SandboxPoisonedException>(() => sandbox.Snapshot());
            sandbox.Restore();
            Assert.Equal(SandboxState.Ready, sandbox.State);
            Assert.Equal(3, sandbox.Call<int>("GetStatic"));
        }
    }

    [KvmFact]
    public void RestoreWithoutASnapshotIsRefused()
    {
        using var sandbox = NewSandbox();
        Assert.Throws<InvalidOperationException>(() => sandbox.Restore());
    }

    [KvmFact]
    public void FpuAndSseStateDoNotLeakAcrossARestore()
    {
        using var sandbox = NewSandbox();
        var control = sandbox.Call<int>("GetFpuControl");
        var mxcsr = sandbox.Call<uint>("GetMxcsr");
        var xmm15 = sandbox.Call<ulong>("GetXmm15");
        using var snapshot = sandbox.Snapshot();

        sandbox.Call("SetFpuControl", 0x0C7F);
        sandbox.Call("SetMxcsr", 0x7F80u);
        sandbox.Call("SetXmm15", 0xDEAD_BEEF_CAFE_F00DUL);
        Assert.Equal(0x0C7F, sandbox.Call<int>("GetFpuControl"));
        Assert.Equal(0x7F80u, sandbox.Call<uint>("GetMxcsr"));
        Assert.Equal(0xDEAD_BEEF_CAFE_F00DUL, sandbox.Call<ulong>("GetXmm15"));

        sandbox.Restore();
        Assert.Equal(control, sandbox.Call<int>("GetFpuControl"));
        Assert.Equal(mxcsr, sandbox.Call<uint>("GetMxcsr"));
        Assert.Equal(xmm15, sandbox.Call<ulong>("GetXmm15"));
    }

    [KvmTheory]
    [InlineData(0)] // MSR
    [InlineData(1)] // debug register
    [InlineData(2)] // XCR0
    [InlineData(3)] // control register
    public void GuestCodeCannotChangePrivilegedState(int which)
    {
        // Guest code runs in ring 3, so MSRs, debug registers, XCR0 and control registers cannot be
        // left behind for a restore to miss; the hypervisor-level tests restore them anyway.
        using var sandbox = NewSandbox();
        Assert.Equal(13, Assert.Throws<GuestFaultException>(() => sandbox.Call("PrivilegedWrite", which)).Vector);
    }

    [KvmFact]
    public void RandomSequencesDifferAcrossRestoresAndFromSnapshotSandboxes()
    {
        using var source = NewSandbox();
        using var snapshot = source.Snapshot();
        using var a = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        using var b = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        var fromA = a.Call<ulong>("Random");
        Assert.NotEqual(fromA, b.Call<ulong>("Random"));
        a.Restore();
        Assert.NotEqual(fromA, a.Call<ulong>("Random"));
    }

    [KvmFact]
    public void DisposingASnapshotLeavesSandboxesMadeFromItWorking()
    {
        using var source = NewSandbox();
        source.Call("SetStatic", 8);
        var snapshot = source.Snapshot();
        using var sandbox = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        snapshot.Dispose();
        Assert.Equal(8, sandbox.Call<int>("GetStatic"));
        sandbox.Call("SetStatic", 9);
        sandbox.Restore();
        Assert.Equal(8, sandbox.Call<int>("GetStatic"));
        Assert.Throws<ObjectDisposedException>(() => Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create()));
        using var other = NewSandbox();
        Assert.Throws<ObjectDisposedException>(() => other.Restore(snapshot));
    }

    [KvmFact]
    public void SandboxesFromOneSnapshotRunOnManyThreads()
    {
        using var source = NewSandbox();
        source.Call("SetStatic", 21);
        using var snapshot = source.Snapshot();
        var results = new int[8];
        Parallel.For(0, 8, i =>
        {
            for (var j = 0; j < 10; j++)
            {
                using var sandbox = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
                sandbox.Call("SetStatic", sandbox.Call<int>("GetStatic") + i);
                results[i] = sandbox.Call<int>("GetStatic");
            }
        });
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 21 + i), results);
        Assert.Equal(21, source.Call<int>("GetStatic"));
    }
}

public sealed class UnrecoverableRestoreTests
{
    [KvmFact]
    public void ARestoreThatFailsHalfwayLeavesTheSandboxUnrecoverable()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        using var good = sandbox.Snapshot();

        // A snapshot that also carries an MSR no CPU has, which passes every check made before the restore starts:
        // memory and the first registers are replaced before KVM_SET_MSRS refuses it, so the sandbox is neither its old
        // self nor the snapshot.
        var state = good.Vcpu;
        var broken = new HyperSharp.Hypervisors.VcpuState
        {
            Registers = state.Registers,
            SpecialRegisters = state.SpecialRegisters,
            Xsave = state.Xsave,
            Xcr0 = state.Xcr0,
            DebugRegisters = state.DebugRegisters,
            Msrs = [.. state.Msrs, new HyperSharp.Hypervisors.MsrValue(0xDEAD_BEEF, 1)],
            Events = state.Events,
        };
        using var bad = new Snapshot(good.Memory, good.Layout, broken, good.GuestFunctionTable, good.HostFunctions, good.Generation);

        Assert.Throws<SandboxUnrecoverableException>(() => sandbox.Restore(bad));
        Assert.Equal(SandboxState.Unrecoverable, sandbox.State);
        Assert.Throws<SandboxUnrecoverableException>(() => sandbox.Call<int>("Add", 1, 2));
        Assert.Throws<SandboxUnrecoverableException>(() => sandbox.Restore(good));
        Assert.Throws<SandboxUnrecoverableException>(() => sandbox.Snapshot());
    }
}

public sealed class RestoreExactnessTests
{
    [KvmFact]
    public void RestoreLeavesEveryByteAsTheSnapshotHadIt()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        sandbox.Call("SetStatic", 1);
        using var snapshot = sandbox.Snapshot();
        using var pristine = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        var expected = MemoryOf(pristine).ToArray();

        for (var round = 0; round < 10; round++)
        {
            sandbox.Call<int>("DirtyPages", 7 + (round * 13));
            sandbox.Call("SetStatic", round);
            sandbox.Call<string>("Echo", new string('x', 1000 * round));
            sandbox.Call<int>("CallHostAdd", round, 1);
            if (round % 3 == 0)
            {
                Assert.Throws<GuestFaultException>(() => sandbox.Call<int>("StackOverflow"));
            }

            sandbox.Restore();
            AssertSameExceptPeb(expected, MemoryOf(sandbox), round);
        }
    }

    [KvmFact]
    public void APageWrittenOnEveryCallIsRestoredEveryTimeThoughItIsLeftWritable()
    {
        // From the second restore on, the page holding the guest's static is written in every interval, so the dirty
        // log leaves it writable; past 64 restores every page is protected again and the pattern starts over.
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        using var snapshot = sandbox.Snapshot();
        for (var i = 1; i <= 150; i++)
        {
            sandbox.Call("SetStatic", i);
            Assert.Equal(i, sandbox.Call<int>("GetStatic"));
            sandbox.Restore();
            Assert.Equal(0, sandbox.Call<int>("GetStatic"));
            if (i % 3 == 0)
            {
                // An interval in which the page is only read: still copied back, and a later write still undone.
                sandbox.Restore();
            }

            sandbox.Restore();
        }

        sandbox.Call("SetStatic", 7);
        using var other = sandbox.Snapshot();
        sandbox.Call("SetStatic", 8);
        sandbox.Restore(snapshot);
        Assert.Equal(0, sandbox.Call<int>("GetStatic"));
        sandbox.Restore(other);
        Assert.Equal(7, sandbox.Call<int>("GetStatic"));
        sandbox.Call("SetStatic", 9);
        sandbox.Restore();
        Assert.Equal(7, sandbox.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void RestoringAgainWithNothingRunInBetweenKeepsTheSnapshotsState()
    {
        // A pool restores a returned sandbox that its renter (a script lease) already restored: the second restore has
        // nothing to undo, and whatever runs next must still start from the snapshot and be undone by the next restore.
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        using var snapshot = sandbox.Snapshot();
        sandbox.Restore();
        for (var i = 1; i <= 5; i++)
        {
            sandbox.Call("SetStatic", i);
            sandbox.Restore();
            sandbox.Restore();
            using var canceled = new CancellationTokenSource();
            canceled.Cancel();
            Assert.Throws<GuestCallCanceledException>(() => sandbox.Call<int>("GetStatic", canceled.Token));
            sandbox.Restore(snapshot);
            Assert.Equal(0, sandbox.Call<int>("GetStatic"));
        }

        sandbox.Call("SetStatic", 3);
        using var three = sandbox.Snapshot();
        sandbox.Restore();
        sandbox.Call("SetStatic", 4);
        sandbox.Restore();
        sandbox.Restore();
        Assert.Equal(3, sandbox.Call<int>("GetStatic"));
        sandbox.Restore(snapshot);
        sandbox.Restore(snapshot);
        Assert.Equal(0, sandbox.Call<int>("GetStatic"));
    }

    [KvmFact]
    public void RestoreCopiesBackEveryInputBufferByteTheHostWroteAndNoMore()
    {
        // The host's writes to the input buffer are not in KVM's dirty log; a restore copies back as far as the host
        // wrote since the snapshot. The snapshot here holds a large call's bytes, so a shorter call leaves them half
        // overwritten, and a host-call reply lands past the call: each must come back exactly.
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        sandbox.Call<string>("Echo", new string('s', 20_000));
        using var snapshot = sandbox.Snapshot();
        using var pristine = Sandbox.FromSnapshot(snapshot, TestHostFunctions.Create());
        var expected = MemoryOf(pristine).ToArray();

        string[] arguments = ["", "short", new string('y', 5_000), new string('z', 30_000)];
        for (var round = 0; round < arguments.Length; round++)
        {
            sandbox.Call<string>("Echo", arguments[round]);
            sandbox.Call<int>("CallHostAdd", round, 2);
            sandbox.Restore();
            AssertSameExceptPeb(expected, MemoryOf(sandbox), round);
        }
    }

    /// <summary>The PEB differs by design: every restore writes a new random seed into it.</summary>
    private static void AssertSameExceptPeb(byte[] expected, ReadOnlySpan<byte> actual, int round)
    {
        const int peb = 0x2000;
        Assert.True(expected.AsSpan(0, peb).SequenceEqual(actual[..peb]), $"round {round}: memory below the PEB differs");
        var rest = peb + 0x1000;
        var mismatch = expected.AsSpan(rest).CommonPrefixLength(actual[rest..]);
        Assert.True(mismatch == expected.Length - rest, $"round {round}: first difference at 0x{rest + mismatch:x}");
    }

    private static ReadOnlySpan<byte> MemoryOf(Sandbox sandbox)
    {
        var memory = SandboxInternals.MemoryOf(sandbox);
        return memory.GetSpan(0, memory.Size);
    }
}
