using CsCheck;
using HyperSharp.Calls;
using HyperSharp.Execution;
using HyperSharp.Memory;
using HyperSharp.Tests.Fuzzing;
using Xunit;

namespace HyperSharp.Tests.Calls;

/// <summary>
/// Fuzzes every route by which the host decodes what a guest wrote into its output buffer — a call's result, the
/// function list after init, an abort text, and a host-call request served by the real
/// <see cref="HostCallDispatcher"/> over real guest memory — with mutated valid messages (bit flips, length-field lies,
/// truncations, splices, garbage after the message) and some random bytes. Property: the host either decodes a
/// well-formed value or throws <see cref="GuestProtocolException"/> (or, for a host call whose reply cannot fit,
/// <see cref="HostFunctionException"/>); nothing else escapes and nothing outside the reply area is written.
/// </summary>
/// <remarks>
/// Long mode: <c>HYPERSHARP_FUZZ_ITERATIONS=1000000 dotnet test --project tests/HyperSharp.Tests -- --filter-trait Category=Fuzz</c>.
/// </remarks>
[Trait(FuzzIterations.Trait, FuzzIterations.Category)]
public sealed class GuestOutputFuzzTests : IDisposable
{
    private const long DefaultIterations = 10_000;

    /// <summary>Bytes the input buffer holds before the reply: the guest call's own message, which a reply must never overwrite.</summary>
    private const byte Canary = 0xC5;

    private static readonly Gen<byte[]> Seed = Gen.Frequency((9, WireGenerators.Message), (1, Gen.Byte.Array[0, 96]));

    private readonly MemoryLayout _layout;
    private readonly GuestMemory _memory;
    private readonly HostCallDispatcher _dispatcher;

    // Both outcomes must occur, or the mutations never reach past the header and the test proves little.
    private int _accepted;
    private int _refused;

    public GuestOutputFuzzTests()
    {
        // The smallest buffers the options allow, so that large replies and lying sizes meet the buffer's end often.
        var options = new SandboxOptions { HeapSize = 4096, StackSize = 16 << 10, InputBufferSize = 4096, OutputBufferSize = 4096 };
        _layout = MemoryLayout.Create(0x1000, options);
        _memory = GuestMemory.Allocate(_layout.MemorySize);
        var host = new HostFunctions();
        host.Define("HostAdd", (int a, int b) => a + b);
        host.Define("HostEcho", (string s) => s);
        host.Define("HostBytes", (byte[] b) => b);
        host.Define("HostRepeat", (int n) => new string('x', Math.Clamp(n, 0, 8192)));
        host.Define("HostVoid", () => { });
        host.Define("Throws", int () => throw new InvalidOperationException("host function exploded"));
        // No sandbox exists here (no VM is needed to decode); none of these host functions asks for its Caller.
        _dispatcher = new HostCallDispatcher(new GuestBuffers(_memory, _layout), host.Freeze().Functions, caller: null!);
    }

    /// <summary>Valid CALLs of the host functions above, sometimes with a wrong name, arity, argument or return type.</summary>
    private static Gen<byte[]> HostCall { get; } = Gen.OneOf(
        Gen.Select(Gen.Int, Gen.Int, (a, b) => Call("HostAdd", GuestValueType.Int, a, b)),
        WireGenerators.Text.Select(s => Call("HostEcho", GuestValueType.String, s)),
        Gen.Byte.Array[0, 64].Select(b => Call("HostBytes", GuestValueType.Bytes, b)),
        Gen.Int[0, 5000].Select(n => Call("HostRepeat", GuestValueType.String, n)),
        Gen.Const(0).Select(_ => Call("HostVoid", GuestValueType.Void)),
        Gen.Const(0).Select(_ => Call("Throws", GuestValueType.Int)),
        Gen.Select(WireGenerators.Name, WireGenerators.ReturnType, WireGenerators.Arguments,
            (name, ret, args) => WireGenerators.Write(span => (MessageWriter.TryWriteCall(span, name, ret, args, out var n), n))));

    public void Dispose() => _memory.Dispose();

    [Fact]
    public void MutatedResultsAndFunctionListsDecodeOrFailWithGuestProtocolException()
    {
        Gen.Select(Seed, WireGenerators.Message, WireMutator.Mutation.Array[0, 4], WireGenerators.ReturnType).Sample(
            (message, donor, mutations, expected) =>
            {
                var output = WireMutator.Apply(message, donor, mutations);
                DecodeAsResult(output, expected);
                DecodeAsFunctionList(output);
                DecodeAsAbortText(output);
            },
            iter: FuzzIterations.Get(DefaultIterations),
            print: c => $"{Convert.ToHexStringLower(c.Item1)} expected {c.Item4}: {string.Join(", ", c.Item3.Select(m => m.ToString()))}");
        AssertBothOutcomesOccurred();
    }

    [Fact]
    public void MutatedHostCallsAreServedOrRefusedWithTypedErrors()
    {
        Gen.Select(HostCall, WireGenerators.Message, WireMutator.Mutation.Array[0, 3], Gen.Int[0, 4096 / 8]).Sample(
            (request, donor, mutations, replySlot) => Dispatch(WireMutator.Apply(request, donor, mutations), replySlot * 8),
            iter: FuzzIterations.Get(DefaultIterations),
            threads: 1, // one dispatcher and one guest memory
            print: c => $"{Convert.ToHexStringLower(c.Item1)} reply at {c.Item4 * 8}: {string.Join(", ", c.Item3.Select(m => m.ToString()))}");
        AssertBothOutcomesOccurred();
    }

    /// <summary>What <c>Sandbox</c> does after <c>HS_PORT_DONE</c> of a call: an ERROR is data, anything else must be the expected RETURN.</summary>
    private void DecodeAsResult(byte[] output, GuestValueType expected)
    {
        try
        {
            var reader = MessageReader.Open(output);
            if (reader.Kind == MessageKind.Error)
            {
                Assert.NotNull(reader.ReadError().Message);
                Interlocked.Increment(ref _accepted);
                return;
            }

            reader.ReadReturn(expected, out var value);
            Assert.Equal(expected, value.Type);
            Interlocked.Increment(ref _accepted);
        }
        catch (GuestProtocolException e)
        {
            AssertNamesTheGuest(e);
        }
    }

    /// <summary>What <c>Sandbox</c> does after init: a FUNCTIONS message whose signatures are all well-formed.</summary>
    private void DecodeAsFunctionList(byte[] output)
    {
        try
        {
            var reader = MessageReader.Open(output);
            if (reader.Kind != MessageKind.Functions)
            {
                return;
            }

            foreach (var signature in reader.ReadFunctions())
            {
                Assert.True(signature.ParameterTypes.Count <= WireFormat.MaxParameters);
                Assert.All(signature.ParameterTypes, t => Assert.True(WireFormat.IsValueType(t)));
                Assert.True(WireFormat.IsReturnType(signature.ReturnType));
            }
        }
        catch (GuestProtocolException e)
        {
            AssertNamesTheGuest(e);
        }
    }

    /// <summary>What the run loop does after <c>HS_PORT_ABORT</c>: read the ERROR text if there is one.</summary>
    private void DecodeAsAbortText(byte[] output)
    {
        try
        {
            var reader = MessageReader.Open(output);
            if (reader.Kind == MessageKind.Error)
            {
                _ = reader.ReadError();
            }
        }
        catch (GuestProtocolException e)
        {
            AssertNamesTheGuest(e);
        }
    }

    private void Dispatch(byte[] request, int replyOffset)
    {
        var output = _memory.GetSpan(_layout.OutputBase, _layout.OutputSize);
        output.Clear();
        request.AsSpan(0, Math.Min(request.Length, output.Length)).CopyTo(output);
        var input = _memory.GetSpan(_layout.InputBase, _layout.InputSize);
        input.Fill(Canary);
        _dispatcher.ClearParkedFailure();

        try
        {
            _dispatcher.Dispatch(replyOffset);
        }
        catch (GuestProtocolException e)
        {
            AssertNamesTheGuest(e);
            return;
        }
        catch (HostFunctionException e)
        {
            // Only when not even an empty ERROR fits behind the guest call's message.
            Assert.True(input.Length - replyOffset < MessageWriter.MeasureError(string.Empty), e.Message);
            return;
        }

        _accepted++;
        Assert.True(input[..replyOffset].IndexOfAnyExcept(Canary) < 0, "the reply overwrote the guest call's message");
        var reply = MessageReader.Open(input[replyOffset..]);
        if (reply.Kind == MessageKind.Error)
        {
            Assert.Equal((int)WireErrorCode.HostFunction, reply.ReadError().Code);
            Assert.NotNull(_dispatcher.ParkedException);
        }
        else
        {
            Assert.Equal(MessageKind.Return, reply.Kind);
            reply.ReadReturn(reply.ReturnType, out _);
            Assert.Null(_dispatcher.ParkedException);
        }
    }

    private void AssertNamesTheGuest(GuestProtocolException e)
    {
        Interlocked.Increment(ref _refused);
        Assert.True(e.Message.Contains("guest", StringComparison.Ordinal), e.Message);
    }

    private void AssertBothOutcomesOccurred()
    {
        Assert.True(_accepted > 0, "no case was accepted");
        Assert.True(_refused > 0, "no case was refused");
    }

    private static byte[] Call(string name, GuestValueType returnType, params GuestValue[] args) =>
        WireGenerators.Write(span => (MessageWriter.TryWriteCall(span, name, returnType, args, out var n), n));
}
