using Xunit;
namespace HyperSharp.IntegrationTests;

/// <summary>A guest that lies to the host gets a typed error and a poisoned sandbox; the host stays up.</summary>
public sealed class HostileGuestTests
{
    private static GuestProtocolException Violation(string function, params GuestValue[] args)
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());
        var returnType = sandbox.GuestFunctions.Single(f => f.Name == function).ReturnType;
        var e = Assert.Throws<GuestProtocolException>(() => sandbox.Call(function, returnType, args));
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
        Assert.Throws<SandboxPoisonedException>(() => sandbox.Call<int>("Add", 1, 2));
        return e;
    }

    [KvmFact]
    public void WriteToAnUnopenedPortFaults()
    {
        // Ring-3 guest code may only use the ports the TSS I/O bitmap opens (0x6800-0x6805).
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var e = Assert.Throws<GuestFaultException>(() => sandbox.Call("OutToPort", 0x1234));
        Assert.Equal(13, e.Vector);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmFact]
    public void WriteToAClosedPortIsAGeneralProtectionFault()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        Assert.Equal(13, Assert.Throws<GuestFaultException>(() => sandbox.Call("OutToPort", 0x6808)).Vector);
    }

    [KvmFact]
    public void ReadFromAPortIsRefused() => Assert.Contains("read from I/O port", Violation("ReadPort").Message, StringComparison.Ordinal);

    [KvmFact]
    public void HaltIsPrivilegedForGuestCode()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        Assert.Equal(13, Assert.Throws<GuestFaultException>(() => sandbox.Call("Halt")).Vector);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }

    [KvmTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void CorruptResultIsDetected(int mode) => Violation("CorruptOutput", mode);

    [KvmTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CorruptHostCallIsDetected(int mode) => Violation("CorruptHostCall", mode);

    [KvmFact]
    public void AbortWithAGarbageMessageStillReportsTheCode()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var e = Assert.Throws<GuestAbortedException>(() => sandbox.Call("LyingAbort"));
        Assert.Contains("unreadable", e.GuestMessage, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
    }
}
