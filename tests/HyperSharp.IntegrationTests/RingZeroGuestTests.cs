using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// A guest binary runs its entry point in ring 0, so a hostile one can skip the SDK, never ask for ring 3 and load
/// page tables of its own. guest/tests/ring0guest does exactly that; each thing ring 0 can reach that ring 3 cannot
/// must still end in a typed error, and <see cref="Sandbox.Restore()"/> must bring back a working sandbox.
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
        using var sandbox = Sandbox.Create(Guests.RingZeroGuest);
        using var clean = sandbox.Snapshot();
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
}
