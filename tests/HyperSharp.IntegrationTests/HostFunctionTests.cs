using Xunit;
namespace HyperSharp.IntegrationTests;

public sealed class HostFunctionTests(SimpleGuestFixture fixture) : IClassFixture<SimpleGuestFixture>
{
    private Sandbox Sandbox => fixture.Sandbox;

    [KvmFact]
    public void EveryTypeRoundTripsThroughTheHost()
    {
        Assert.Equal(int.MinValue, Sandbox.Call<int>("RoundTripInt", int.MinValue));
        Assert.Equal(uint.MaxValue, Sandbox.Call<uint>("RoundTripUInt", uint.MaxValue));
        Assert.Equal(long.MinValue, Sandbox.Call<long>("RoundTripLong", long.MinValue));
        Assert.Equal(ulong.MaxValue, Sandbox.Call<ulong>("RoundTripULong", ulong.MaxValue));
        Assert.True(float.IsNaN(Sandbox.Call<float>("RoundTripFloat", float.NaN)));
        Assert.Equal(double.NegativeInfinity, Sandbox.Call<double>("RoundTripDouble", double.NegativeInfinity));
        Assert.True(Sandbox.Call<bool>("RoundTripBool", true));
        Assert.Equal("ü漢🎉", Sandbox.Call<string>("RoundTripString", "ü漢🎉"));
        Assert.Equal("", Sandbox.Call<string>("RoundTripString", ""));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 255 }, Sandbox.Call<byte[]>("RoundTripBytes", new byte[] { 1, 2, 3, 0, 255 }));
        Assert.Empty(Sandbox.Call<byte[]>("RoundTripBytes", Array.Empty<byte>()));
    }

    [KvmFact]
    public void HostFunctionsWithSeveralParametersAndVoidWork()
    {
        Assert.Equal(7, Sandbox.Call<int>("CallHostAdd", 3, 4));
        Assert.Equal(1, Sandbox.Call<int>("CallHostVoid"));
    }

    [KvmFact]
    public void ManyHostCallsInOneGuestCallWork() =>
        Assert.Equal(Enumerable.Range(0, 10_000).Sum(i => i + 1), Sandbox.Call<int>("CallHostManyTimes", 10_000));

    [KvmFact]
    public void HostExceptionReachesTheCallerAsInnerException()
    {
        var e = Assert.Throws<HostFunctionException>(() => Sandbox.Call<int>("CallHostByName", "Throws"));
        Assert.Equal("Throws", e.FunctionName);
        var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal("host function exploded", inner.Message);
        Assert.Equal(SandboxState.Ready, Sandbox.State);
        Assert.Equal(5, Sandbox.Call<int>("Add", 2, 3));
    }

    [KvmFact]
    public void HostErrorReachesTheGuestAsData()
    {
        Assert.Equal("error:Host function 'Throws' failed: host function exploded", Sandbox.Call<string>("CallHostCatch", "Throws"));
        Assert.Equal(SandboxState.Ready, Sandbox.State);
    }

    [KvmFact]
    public void UnknownHostFunctionIsATypedError()
    {
        var e = Assert.Throws<HostFunctionException>(() => Sandbox.Call<int>("CallHostByName", "NoSuchHostFunction"));
        Assert.IsType<ArgumentException>(e.InnerException);
        Assert.Contains("'NoSuchHostFunction', which is not defined", e.InnerException!.Message, StringComparison.Ordinal);
    }

    [KvmFact]
    public void HostCallWithWrongArgumentsIsATypedError()
    {
        var e = Assert.Throws<HostFunctionException>(() => Sandbox.Call<int>("CallHostWrongArgs"));
        Assert.Equal("Host function 'HostAdd' takes 2 parameter(s), but the guest passed 1.", e.InnerException!.Message);
        Assert.Equal(5, Sandbox.Call<int>("Add", 2, 3));
    }

    [KvmFact]
    public void RepeatedHostErrorsDoNotExhaustTheBuffers()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.Throws<HostFunctionException>(() => Sandbox.Call<int>("CallHostByName", "Throws"));
        }

        Assert.Equal(7, Sandbox.Call<int>("CallHostAdd", 3, 4));
    }

    [KvmFact]
    public void OneRegistryServesManySandboxesAndLaterChangesDoNotLeakIn()
    {
        var host = TestHostFunctions.Create();
        using var first = Sandbox.Create(Guests.SimpleGuest, host);
        host.Define("HostAdd", (int a, int b) => a * b);
        using var second = Sandbox.Create(Guests.SimpleGuest, host);
        Assert.Equal(7, first.Call<int>("CallHostAdd", 3, 4));
        Assert.Equal(12, second.Call<int>("CallHostAdd", 3, 4));
    }

    [Fact]
    public void UnsupportedTypesAreRejectedAtRegistration()
    {
        var host = new HostFunctions();
        Assert.Throws<ArgumentException>(() => host.Define("Bad", (decimal d) => 1));
        Assert.Throws<ArgumentException>(() => host.Define("Bad", () => DateTime.Now));
        Assert.Throws<ArgumentException>(() => host.Define("", () => 1));
        Assert.Throws<ArgumentException>(() => host.Define(new string('n', 300), () => 1));
    }

    [Fact]
    public void MoreThanThirtyTwoParametersAreRejectedAtRegistration()
    {
        var host = new HostFunctions();
        host.Define("ThirtyTwo", GuestValueType.Void, Enumerable.Repeat(GuestValueType.Int, 32).ToArray(), _ => default);
        var error = Assert.Throws<ArgumentException>(() =>
            host.Define("ThirtyThree", GuestValueType.Void, Enumerable.Repeat(GuestValueType.Int, 33).ToArray(), _ => default));
        Assert.Contains("33 parameters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Signatures, s => s.Name == "ThirtyThree");
    }

    [Fact]
    public void NamesThatAreNotValidUtf16AreRejectedAtRegistration()
    {
        var host = new HostFunctions();
        foreach (var name in new[] { "Lone\uD800", "\uDC00Trail", "Reversed\uDC00\uD800" })
        {
            Assert.Throws<ArgumentException>(() => host.Define(name, () => 1));
            Assert.Throws<ArgumentException>(() => host.Define(name, GuestValueType.Int, [], _ => GuestValue.FromInt32(1)));
        }

        host.Define("Pair\uD83D\uDE00", () => 1);
        Assert.Contains(host.Signatures, s => s.Name == "Pair\U0001F600");
    }

    [Fact]
    public void RegistryRecordsSignatures()
    {
        var host = new HostFunctions();
        host.Define("F", (int a, string b, byte[] c, bool d, float e, double f, ulong g, uint h) => 1L);
        var signature = Assert.Single(host.Signatures, s => s.Name == "F");
        Assert.Equal(GuestValueType.Long, signature.ReturnType);
        Assert.Equal(
            [GuestValueType.Int, GuestValueType.String, GuestValueType.Bytes, GuestValueType.Bool, GuestValueType.Float, GuestValueType.Double, GuestValueType.ULong, GuestValueType.UInt],
            signature.ParameterTypes);
        Assert.Contains(host.Signatures, s => s.Name == HostFunctions.HostPrintName);
        Assert.Contains(new GuestFunctionSignature(HostFunctions.HostPrintErrorName, GuestValueType.Int, [GuestValueType.String]), host.Signatures);
    }
}
