using Xunit;
namespace HyperSharp.IntegrationTests;

public sealed class CallErrorTests(SimpleGuestFixture fixture) : IClassFixture<SimpleGuestFixture>
{
    private Sandbox Sandbox => fixture.Sandbox;

    [KvmFact]
    public void UnknownFunctionIsNotFound()
    {
        var e = Assert.Throws<GuestFunctionNotFoundException>(() => Sandbox.Call<int>("NoSuchFunction"));
        Assert.Equal("NoSuchFunction", e.FunctionName);
        Assert.Equal(SandboxState.Ready, Sandbox.State);
    }

    [KvmFact]
    public void WrongParameterCountIsRefusedWithAnExactMessage()
    {
        var e = Assert.Throws<GuestArgumentException>(() => Sandbox.Call<string>("Echo", "a", "b"));
        Assert.Equal("Function 'Echo' takes 1 parameter(s), but the call passed 2.", e.Message);
    }

    [KvmFact]
    public void WrongParameterTypeIsRefusedWithAnExactMessage()
    {
        var e = Assert.Throws<GuestArgumentException>(() => Sandbox.Call<string>("Echo", 5));
        Assert.Equal("Parameter 0 of function 'Echo' is String, but the call passed Int.", e.Message);
    }

    [KvmFact]
    public void WrongReturnTypeIsRefused()
    {
        var e = Assert.Throws<GuestArgumentException>(() => Sandbox.Call<int>("Echo", "x"));
        Assert.Equal("Function 'Echo' returns String, but the call expects Int.", e.Message);
    }

    [KvmFact]
    public void UnsupportedResultTypeIsRefused() => Assert.Throws<ArgumentException>(() => Sandbox.Call<decimal>("Echo", "x"));

    [KvmFact]
    public void ArgumentsLargerThanTheInputBufferFailBeforeTheGuestRuns()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { InputBufferSize = 8192 });
        var e = Assert.Throws<GuestArgumentException>(() => sandbox.Call<byte[]>("EchoBytes", new byte[10_000]));
        Assert.Contains("input buffer holds 8192 bytes (SandboxOptions.InputBufferSize)", e.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.Equal(3, sandbox.Call<int>("Add", 1, 2));
    }

    [KvmFact]
    public void ResultLargerThanTheOutputBufferIsAGuestError()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { OutputBufferSize = 8192 });
        var e = Assert.Throws<GuestErrorException>(() => sandbox.Call<string>("ReturnLargeString", 10_000));
        Assert.Equal(3, e.ErrorCode);
        Assert.Equal(new string('a', 100), sandbox.Call<string>("ReturnLargeString", 100));
    }

    [KvmFact]
    public void NullArgumentsAreRejected()
    {
        Assert.Throws<ArgumentNullException>(() => Sandbox.Call<string>(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => Sandbox.Call<string>("Echo", (string)null!));
    }
}
