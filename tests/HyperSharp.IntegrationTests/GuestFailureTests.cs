using Xunit;
namespace HyperSharp.IntegrationTests;

/// <summary>Aborts, CPU faults and heap exhaustion: each a typed exception that poisons the sandbox.</summary>
public sealed class GuestFailureTests
{
    private static Sandbox NewSandbox() => Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create());

    private static T ThrowsAndPoisons<T>(string function, params GuestValue[] args)
        where T : SandboxException
    {
        using var sandbox = NewSandbox();
        var e = Assert.Throws<T>(() => sandbox.Call(function, sandbox.GuestFunctions.Single(f => f.Name == function).ReturnType, args));
        Assert.Equal(SandboxState.Poisoned, sandbox.State);
        var poisoned = Assert.Throws<SandboxPoisonedException>(() => sandbox.Call<int>("Add", 1, 2));
        Assert.Same(e, poisoned.InnerException);
        return e;
    }

    [KvmFact]
    public void AbortCarriesTheCode()
    {
        var e = ThrowsAndPoisons<GuestAbortedException>("Abort", 13);
        Assert.Equal(13, e.ErrorCode);
        Assert.Equal("", e.GuestMessage);
    }

    [KvmFact]
    public void AbortCarriesTheMessage()
    {
        var e = ThrowsAndPoisons<GuestAbortedException>("AbortWithMessage", 25, "Oh no ✗");
        Assert.Equal(25, e.ErrorCode);
        Assert.Equal("Oh no ✗", e.GuestMessage);
    }

    [KvmFact]
    public void OverlongAbortMessageIsCutAt1024Bytes()
    {
        var e = ThrowsAndPoisons<GuestAbortedException>("AbortLongMessage", 5000);
        Assert.Equal(7, e.ErrorCode);
        Assert.Equal(new string('x', 1024), e.GuestMessage);
    }

    [KvmFact]
    public void FailedAssertionAbortsWithTheExpression()
    {
        var e = ThrowsAndPoisons<GuestAbortedException>("AssertFalse");
        Assert.Equal(1001, e.ErrorCode);
        Assert.Contains("0 == 1", e.GuestMessage, StringComparison.Ordinal);
    }

    [KvmFact]
    public void HeapExhaustionReturnsNullAndLeavesTheSandboxReady()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), new SandboxOptions { HeapSize = 1UL << 20 });
        var blocks = sandbox.Call<int>("HeapExhaust");

        // 1 MiB holds fifteen 64 KiB blocks and their headers, not sixteen; all were freed again.
        Assert.Equal(15, blocks);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal(blocks, sandbox.Call<int>("HeapExhaust"));
    }

    [KvmFact]
    public void DivideByZeroIsVector0()
    {
        var e = ThrowsAndPoisons<GuestFaultException>("DivideByZero");
        Assert.Equal(0, e.Vector);
        Assert.NotEqual(0UL, e.Rip);
    }

    [KvmFact]
    public void Ud2IsInvalidOpcode() => Assert.Equal(6, ThrowsAndPoisons<GuestFaultException>("Ud2").Vector);

    [KvmFact]
    public void NonCanonicalAddressIsGeneralProtection() => Assert.Equal(13, ThrowsAndPoisons<GuestFaultException>("NonCanonical").Vector);

    [KvmFact]
    public void NullDereferenceIsAPageFaultAtZero()
    {
        var e = ThrowsAndPoisons<GuestFaultException>("NullDeref");
        Assert.Equal(14, e.Vector);
        Assert.Equal(0UL, e.FaultAddress);
        Assert.Contains("NULL pointer", e.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void WriteToCodeIsAProtectionFault()
    {
        var e = ThrowsAndPoisons<GuestFaultException>("WriteToCode");
        Assert.Equal(14, e.Vector);
        Assert.Equal(3UL, e.ErrorCode & 3); // present and write
        Assert.Contains("read-only page", e.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void ExecutingTheHeapIsRefusedByNx()
    {
        var e = ThrowsAndPoisons<GuestFaultException>("ExecuteHeap");
        Assert.Equal(14, e.Vector);
        Assert.NotEqual(0UL, e.ErrorCode & 16); // instruction fetch
        Assert.Equal(e.FaultAddress, e.Rip);
    }

    [KvmFact]
    public void StackOverflowHitsTheGuardPage()
    {
        var e = ThrowsAndPoisons<GuestFaultException>("StackOverflow");
        Assert.Equal(14, e.Vector);
        Assert.True(e.IsStackOverflow, e.Message);
        Assert.Contains("stack overflow", e.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void InfiniteRecursionHitsTheGuardPage() => Assert.True(ThrowsAndPoisons<GuestFaultException>("InfiniteRecursion").IsStackOverflow);

    [KvmFact]
    public void HeapAllocationsWorkAndPersist()
    {
        using var sandbox = NewSandbox();
        Assert.NotEqual(0, sandbox.Call<int>("AllocateAndFree", 2000));
        Assert.NotEqual(0, sandbox.Call<int>("AllocateAndFree", 512 * 1024));
        Assert.Equal(1, sandbox.Call<int>("CallocRealloc"));
        var before = sandbox.Call<int>("Allocations");
        sandbox.Call<int>("Leak", 1000);
        Assert.True(sandbox.Call<int>("Allocations") >= before + 1000);
    }
}
