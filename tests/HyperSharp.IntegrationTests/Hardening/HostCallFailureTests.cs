using Xunit;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>
/// A host function is user code and may fail in any way, even in how it describes its failure. The guest must get its
/// reply all the same, and no failure on the host-call path may leave the sandbox ready while the guest still waits
/// inside <c>hs_call_host</c>.
/// </summary>
public sealed class HostCallFailureTests
{
    /// <summary>An exception whose <see cref="Exception.Message"/> itself throws.</summary>
    private sealed class UnprintableException : Exception
    {
        public override string Message => throw new FormatException("no message for you");
    }

    private static HostFunctions HostWithUnprintableFailure()
    {
        var host = TestHostFunctions.Create();
        host.Define("Throws", int () => throw new UnprintableException());
        return host;
    }

    [KvmFact]
    public void AnExceptionWhoseMessageThrowsStillReachesTheCallerAndTheSandboxStaysReady()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, HostWithUnprintableFailure());
        var e = Assert.Throws<HostFunctionException>(() => sandbox.Call<int>("CallHostByName", "Throws"));
        Assert.IsType<UnprintableException>(e.InnerException);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal(5, sandbox.Call<int>("Add", 2, 3));
    }

    [KvmFact]
    public void TheGuestLearnsWhatKindOfExceptionItWas()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, HostWithUnprintableFailure());
        var text = sandbox.Call<string>("CallHostCatch", "Throws");
        Assert.Contains(typeof(UnprintableException).FullName!, text, StringComparison.Ordinal);
        Assert.Contains("its Message threw System.FormatException", text, StringComparison.Ordinal);
        Assert.Equal(5, sandbox.Call<int>("Add", 2, 3));
    }
}
