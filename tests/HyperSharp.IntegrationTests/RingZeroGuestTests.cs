using HyperSharp.IntegrationTests.Hardening;
using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// No guest runs in ring 0 on its own: the host starts every guest in ring 3. A crafted snapshot can put one there,
/// though (docs/security.md), and guest/tests/ring0guest then uses what ring 0 can reach and ring 3 cannot: any port,
/// HLT, page tables of its own that map memory outside the VM's slot. Each must still end in a typed error, and
/// <see cref="Sandbox.Restore()"/> must bring back a working sandbox.
/// </summary>
public sealed class RingZeroGuestTests
{
    [KvmTheory]
    [InlineData(1, typeof(GuestProtocolException), "I/O port 0x1234, which is not a HyperSharp port")]
    [InlineData(2, typeof(GuestProtocolException), "read from I/O port 0x6800")]
    [InlineData(3, typeof(GuestProtocolException), "executed HLT")]
    [InlineData(4, typeof(GuestAccessViolationException), "0x20000000")]
    [InlineData(5, typeof(GuestAccessViolationException), "0x20000000")]
    public void WhatRingZeroCanReachStillEndsInATypedErrorAndRestoreRecovers(int act, Type expected, string fragment)
    {
        using var directory = new TemporaryDirectory();
        using var ring3 = Sandbox.Create(Guests.RingZeroGuest);
        using var crafted = CraftedSnapshots.InRingZero(ring3, directory.Path);
        using var sandbox = Sandbox.FromSnapshot(crafted);
        Assert.Equal(0, sandbox.Call<int>("Act", 0));

        var e = Assert.Throws(expected, () => sandbox.Call<int>("Act", act));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        if (e is GuestAccessViolationException violation)
        {
            Assert.Equal(0x2000_0000UL, violation.Address);
            Assert.Equal(act == 5, violation.IsWrite);
        }

        Assert.Equal(SandboxState.Poisoned, sandbox.State);
        sandbox.Restore();
        Assert.Equal(0, sandbox.Call<int>("Act", 0));
    }

    [KvmFact]
    public void InRingThreeTheSameGuestFaultsOnItsFirstRingZeroAct()
    {
        using var sandbox = Sandbox.Create(Guests.RingZeroGuest);
        Assert.Equal(13, Assert.Throws<GuestFaultException>(() => sandbox.Call<int>("Act", 1)).Vector);
    }
}
