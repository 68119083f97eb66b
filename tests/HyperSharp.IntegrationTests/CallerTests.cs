using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>A host function that takes a <see cref="Caller"/> learns which sandbox called it, and what the application attached.</summary>
public sealed class CallerTests
{
    private sealed class Tally
    {
        public int Sum { get; set; }
    }

    private static HostFunctions TallyingHost()
    {
        var host = TestHostFunctions.Create();
        host.Define("HostAdd", (Caller caller, int a, int b) =>
        {
            var tally = (Tally)caller.Data!;
            tally.Sum += a + b;
            return tally.Sum;
        });
        return host;
    }

    [KvmFact]
    public void EachSandboxOfOneRegistrySeesItsOwnData()
    {
        var host = TallyingHost();
        using var first = Sandbox.Create(Guests.SimpleGuest, host);
        using var second = Sandbox.Create(Guests.SimpleGuest, host);
        first.Data = new Tally();
        second.Data = new Tally { Sum = 1000 };

        Assert.Equal(3, first.Call<int>("CallHostAdd", 1, 2));
        Assert.Equal(1003, second.Call<int>("CallHostAdd", 1, 2));
        Assert.Equal(10, first.Call<int>("CallHostAdd", 3, 4));
    }

    [KvmFact]
    public void TheCallerIsTheSandboxThatCalls()
    {
        Sandbox? seen = null;
        var host = TestHostFunctions.Create();
        host.Define("HostVoid", (Caller caller) => { seen = caller.Sandbox; });
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        Assert.Equal(1, sandbox.Call<int>("CallHostVoid"));
        Assert.Same(sandbox, seen);
    }

    [KvmFact]
    public void SandboxesFromASnapshotAreTheirOwnCallers()
    {
        var host = TallyingHost();
        using var origin = Sandbox.Create(Guests.SimpleGuest, host);
        using var snapshot = origin.Snapshot();
        using var twin = Sandbox.FromSnapshot(snapshot, host);
        twin.Data = new Tally { Sum = 5 };
        Assert.Equal(8, twin.Call<int>("CallHostAdd", 1, 2));
    }

    [KvmFact]
    public void ACallbackWithACallerAllocatesNothing()
    {
        var host = TestHostFunctions.Create();
        host.Define("HostAdd", (Caller caller, int a, int b) => a + b + (caller.Data is null ? 0 : 1));
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        for (var i = 0; i < 100; i++)
        {
            sandbox.Call<int>("CallHostAdd", i, 1);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sandbox.Call<int>("CallHostAdd", i, 1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [KvmFact]
    public void UntypedHostFunctionsGetTheCallerToo()
    {
        var host = TestHostFunctions.Create();
        host.Define("HostAdd", GuestValueType.Int, [GuestValueType.Int, GuestValueType.Int],
            (caller, args) => args[0].AsInt32() + args[1].AsInt32() + (int)caller.Data!);
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        sandbox.Data = 100;
        Assert.Equal(103, sandbox.Call<int>("CallHostAdd", 1, 2));
    }
}
