using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// Every size that crosses the boundary has a limit with a typed error at its exact edge: arguments against the input
/// buffer (in UTF-8 bytes, checked before the guest runs), results against the output buffer, parameter counts and
/// name lengths. Lengths the guest claims beyond its output buffer, and host-call re-entry, are in
/// <see cref="HostileGuestTableTests"/>.
/// </summary>
public sealed class LimitTests
{
    private const ulong SmallBuffer = 8192;

    /// <summary>A CALL of EchoBytes is 16 (header) + 16 (name, padded) + 8 (value header) + the payload padded to 8.</summary>
    private const int LargestEchoBytesPayload = (int)SmallBuffer - 16 - 16 - 8;

    /// <summary>A RETURN of a STRING is 16 + 8 + the text and its NUL, padded to 8.</summary>
    private const int LargestReturnedString = (int)SmallBuffer - 16 - 8 - 1;

    [KvmFact]
    public void ArgumentsThatExactlyFillTheInputBufferPassAndOneByteMoreIsRefusedBeforeTheGuestRuns()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { InputBufferSize = SmallBuffer });
        Assert.Equal(LargestEchoBytesPayload, sandbox.Call<byte[]>("EchoBytes", new byte[LargestEchoBytesPayload]).Length);

        var e = Assert.Throws<GuestArgumentException>(() => sandbox.Call<byte[]>("EchoBytes", new byte[LargestEchoBytesPayload + 1]));
        Assert.Contains($"need {SmallBuffer + 8} bytes, but the input buffer holds {SmallBuffer} bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void StringArgumentsAreMeasuredInUtf8BytesNotCharacters()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { InputBufferSize = SmallBuffer });
        var fits = new string('€', 2000); // 6,000 UTF-8 bytes
        Assert.Equal(fits, sandbox.Call<string>("Echo", fits));

        var tooLong = new string('€', 3000); // 3,000 characters, but 9,000 UTF-8 bytes
        var e = Assert.Throws<GuestArgumentException>(() => sandbox.Call<string>("Echo", tooLong));
        Assert.Contains($"the input buffer holds {SmallBuffer} bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void AResultThatExactlyFillsTheOutputBufferPassesAndOneByteMoreIsAGuestError()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, options: new SandboxOptions { OutputBufferSize = SmallBuffer });
        Assert.Equal(LargestReturnedString, sandbox.Call<string>("ReturnLargeString", LargestReturnedString).Length);

        var e = Assert.Throws<GuestErrorException>(() => sandbox.Call<string>("ReturnLargeString", LargestReturnedString + 1));
        Assert.Equal(3, e.ErrorCode); // HS_ERROR_RESULT_TOO_LARGE
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void MoreArgumentsThanTheWireFormatAllowsAreRefusedBeforeTheGuestRuns()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var args = Enumerable.Range(0, 33).Select(i => (GuestValue)i).ToArray();
        var e = Assert.Throws<GuestArgumentException>(() => sandbox.Call<string>("MixedArgs16", args));
        Assert.Equal("Function 'MixedArgs16' takes 16 parameter(s), but the call passed 33.", e.Message);
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void AFunctionNameLongerThanTheWireFormatAllowsIsNotFound()
    {
        using var sandbox = Sandbox.Create(Guests.SimpleGuest);
        var name = new string('n', 1000);
        Assert.Equal(name, Assert.Throws<GuestFunctionNotFoundException>(() => sandbox.Call<int>(name)).FunctionName);
        Assert.Equal(SandboxState.Ready, sandbox.State);
    }

    [KvmFact]
    public void AHostFunctionCannotCallBackIntoTheSandboxThatIsCallingIt()
    {
        // Nesting depth is 1: the sandbox is busy for the whole guest call, host calls included, so a host function
        // that calls, snapshots or restores it gets SandboxBusyException, which the guest passes on as a host error.
        Sandbox? sandbox = null;
        var attempts = new List<Exception>();
        var host = TestHostFunctions.Create();
        host.Define("HostInt", (int x) =>
        {
            attempts.Add(Assert.ThrowsAny<SandboxException>(() => sandbox!.Call<int>("Add", 1, 2)));
            attempts.Add(Assert.ThrowsAny<SandboxException>(() => sandbox!.Snapshot().Dispose()));
            attempts.Add(Assert.ThrowsAny<SandboxException>(() => sandbox!.Restore()));
            return x;
        });
        sandbox = Sandbox.Create(Guests.SimpleGuest, host);
        using (sandbox)
        {
            using var clean = sandbox.Snapshot();
            Assert.Equal(7, sandbox.Call<int>("RoundTripInt", 7));
            Assert.Equal(3, attempts.Count(a => a is SandboxBusyException));
            Assert.Equal(3, sandbox.Call<int>("Add", 1, 2));
        }
    }
}
