using Xunit;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>
/// A guest that stops at an exit the host refuses (an IN, a string IN or OUT, an MMIO access) leaves the hypervisor
/// with work to finish at the next run: an IN's value for RAX, an INS's bytes for memory, a string OUT's next
/// iterations. None of it may reach the sandbox a restore hands to the next request: after every restore, memory and
/// registers equal the snapshot's, byte for byte.
/// </summary>
public sealed class PendingExitRestoreTests
{
    public enum RestoreKind
    {
        /// <summary><see cref="Sandbox.Restore()"/> to the snapshot just taken (the dirty-page path).</summary>
        Current,

        /// <summary><see cref="Sandbox.Restore(Snapshot)"/> to an older snapshot (the remap path).</summary>
        Other,

        /// <summary><see cref="Sandbox.Restore()"/> of a sandbox made by <see cref="Sandbox.FromSnapshot"/>.</summary>
        FromSnapshot,
    }

    public static TheoryData<int, RestoreKind> Acts()
    {
        var data = new TheoryData<int, RestoreKind>();
        foreach (var act in new[] { 1, 2, 3, 4, 5 })
        {
            foreach (var kind in Enum.GetValues<RestoreKind>())
            {
                data.Add(act, kind);
            }
        }

        return data;
    }

    [KvmTheory]
    [MemberData(nameof(Acts))]
    public void NothingOfARefusedPortExitCrossesARestore(int act, RestoreKind kind)
    {
        using var created = Sandbox.Create(Guests.HostileGuest);
        using var clean = created.Snapshot();
        using var fromSnapshot = kind == RestoreKind.FromSnapshot ? Sandbox.FromSnapshot(clean) : null;
        var sandbox = fromSnapshot ?? created;
        using var newer = kind == RestoreKind.Other ? sandbox.Snapshot() : null;

        Assert.Throws<GuestProtocolException>(() => sandbox.Call<int>("LeaveExitPending", act));
        Restore(sandbox, kind, clean);

        using var after = sandbox.Snapshot();
        SnapshotComparison.AssertSame(clean, after);
        Assert.Equal("clean", sandbox.Call<string>("Echo", "clean"));
    }

    [KvmTheory]
    [InlineData(4, RestoreKind.Current)]
    [InlineData(4, RestoreKind.Other)]
    [InlineData(5, RestoreKind.Current)]
    [InlineData(5, RestoreKind.Other)]
    public void NothingOfARefusedMmioExitCrossesARestore(int act, RestoreKind kind)
    {
        using var directory = new TemporaryDirectory();
        using var ring3 = Sandbox.Create(Guests.RingZeroGuest);
        using var crafted = CraftedSnapshots.InRingZero(ring3, directory.Path);
        using var sandbox = Sandbox.FromSnapshot(crafted);
        using var newer = kind == RestoreKind.Other ? sandbox.Snapshot() : null;

        Assert.Throws<GuestAccessViolationException>(() => sandbox.Call<int>("Act", act));
        Restore(sandbox, kind, crafted);

        using var after = sandbox.Snapshot();
        SnapshotComparison.AssertSame(crafted, after);
        Assert.Equal(0, sandbox.Call<int>("Act", 0));
    }

    private static void Restore(Sandbox sandbox, RestoreKind kind, Snapshot clean)
    {
        if (kind == RestoreKind.Other)
        {
            sandbox.Restore(clean);
        }
        else
        {
            sandbox.Restore();
        }
    }
}
