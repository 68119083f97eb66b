using HyperSharp.Hypervisors;
using HyperSharp.Tests.Snapshots;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// A vCPU state from a CPU with another XSAVE area size or more XSAVE features than this host's KVM is a host mismatch,
/// refused with <see cref="SnapshotMismatchException"/> before any VM is touched: at load (KVM is here), at
/// <see cref="Sandbox.FromSnapshot"/> and at <see cref="Sandbox.Restore(Snapshot)"/>.
/// </summary>
public sealed class HostMismatchTests : IDisposable
{
    private readonly SnapshotLayoutFixture _layout = new();

    public void Dispose() => _layout.Dispose();

    [KvmFact]
    public void ALargerXsaveAreaIsRefusedAtLoad()
    {
        SaveSimpleGuest();
        _layout.EditConfig(config =>
        {
            var xsave = Convert.FromBase64String((string)config["vcpu"]!["xsave"]!);
            config["vcpu"]!["xsave"] = Convert.ToBase64String([.. xsave, .. new byte[64]]);
        });

        var error = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Load(_layout.Layout, "t"));

        Assert.Contains("the XSAVE area is ", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Mismatches);
    }

    [KvmFact]
    public void XsaveFeaturesThisHostLacksAreRefusedAtLoad()
    {
        SaveSimpleGuest();
        _layout.EditConfig(config => config["vcpu"]!["xcr0"] = (ulong)config["vcpu"]!["xcr0"]! | (1UL << 62));

        var error = Assert.Throws<SnapshotMismatchException>(() => Snapshot.Load(_layout.Layout, "t"));

        Assert.Contains("this host's KVM supports only", error.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void FromSnapshotAndRestoreRefuseAForeignVcpuStateAndChangeNothing()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        sandbox.Call("SetStatic", 5);
        using var snapshot = sandbox.Snapshot();
        var v = snapshot.Vcpu;
        foreach (var foreign in new[]
        {
            With(v, [.. v.Xsave, .. new byte[64]], v.Xcr0),
            With(v, [.. v.Xsave.AsSpan(0, v.Xsave.Length - 64)], v.Xcr0),
            With(v, v.Xsave, v.Xcr0 | (1UL << 62)),
        })
        {
            var crafted = new Snapshot(snapshot.Memory, snapshot.Layout, foreign, snapshot.GuestFunctionTable, snapshot.HostFunctions, snapshot.Generation);
            Assert.Throws<SnapshotMismatchException>(() => Sandbox.FromSnapshot(crafted));
            sandbox.Call("SetStatic", 6);
            Assert.Throws<SnapshotMismatchException>(() => sandbox.Restore(crafted));
            Assert.Equal(SandboxState.Ready, sandbox.State);
            Assert.Equal(6, sandbox.Call<int>("GetStatic"));
        }

        sandbox.Restore();
        Assert.Equal(5, sandbox.Call<int>("GetStatic"));
    }

    private void SaveSimpleGuest()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = sandbox.Snapshot();
        snapshot.Save(_layout.Layout, "t");
    }

    private static VcpuState With(VcpuState state, System.Collections.Immutable.ImmutableArray<byte> xsave, ulong xcr0) => new()
    {
        Registers = state.Registers,
        SpecialRegisters = state.SpecialRegisters,
        Xsave = xsave,
        Xcr0 = xcr0,
        DebugRegisters = state.DebugRegisters,
        Msrs = state.Msrs,
        Events = state.Events,
    };
}
