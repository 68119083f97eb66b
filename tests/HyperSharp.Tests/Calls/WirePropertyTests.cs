using CsCheck;
using HyperSharp.Calls;
using HyperSharp.Tests.Fuzzing;
using Xunit;

namespace HyperSharp.Tests.Calls;

/// <summary>Random round trips through writer and reader, and random corruption of valid messages.</summary>
/// <remarks>The corruption tests honour <c>HYPERSHARP_FUZZ_ITERATIONS</c> (see <see cref="FuzzIterations"/>).</remarks>
[Trait(FuzzIterations.Trait, FuzzIterations.Category)]
public sealed class WirePropertyTests
{
    [Fact]
    public void CallRoundTripsAndMeasuresExactly() =>
        Gen.Select(WireGenerators.Name, WireGenerators.ReturnType, WireGenerators.Arguments).Sample((name, returnType, args) =>
        {
            var size = MessageWriter.MeasureCall(name, args);
            var buffer = new byte[size];
            Assert.True(MessageWriter.TryWriteCall(buffer, name, returnType, args, out var written));
            Assert.Equal(size, written);

            var reader = MessageReader.Open(buffer);
            Assert.Equal(MessageKind.Call, reader.Kind);
            Assert.Equal(size, reader.Size);
            Assert.Equal(returnType, reader.ReturnType);
            Assert.Equal(name, reader.ReadCallName());
            var values = new GuestValue[reader.Count];
            reader.ReadValues(values);
            Assert.Equal(args, values);
        }, iter: 2000);

    [Fact]
    public void ReturnRoundTrips() =>
        Gen.Frequency((1, Gen.Const(default(GuestValue))), (8, WireGenerators.Value)).Sample(value =>
        {
            var size = MessageWriter.MeasureReturn(value);
            var buffer = new byte[size];
            Assert.True(MessageWriter.TryWriteReturn(buffer, value, out var written));
            Assert.Equal(size, written);
            MessageReader.Open(buffer).ReadReturn(value.Type, out var read);
            Assert.Equal(value, read);
        }, iter: 2000);

    [Fact]
    public void ErrorRoundTrips() =>
        Gen.Select(Gen.Int, WireGenerators.Text).Sample((code, text) =>
        {
            var size = MessageWriter.MeasureError(text);
            var buffer = new byte[size];
            Assert.True(MessageWriter.TryWriteError(buffer, code, text, out var written));
            Assert.Equal(size, written);
            Assert.Equal((code, text), MessageReader.Open(buffer).ReadError());
        }, iter: 1000);

    [Fact]
    public void FunctionsRoundTrip() =>
        WireGenerators.Signature.Array[0, 8].Sample(functions =>
        {
            var bytes = WireGenerators.Write(span => (MessageWriter.TryWriteFunctions(span, functions, out var n), n));
            Assert.Equal(functions, MessageReader.Open(bytes).ReadFunctions());
        }, iter: 500);

    [Fact]
    public void CorruptedMessagesFailOnlyWithGuestProtocolExceptionOrDecodeCanonically() =>
        Gen.Select(WireGenerators.Message, Gen.Select(Gen.Int[0, 1 << 16], Gen.Byte).Array[1, 4], Gen.Int[-8, 8])
            .Sample((message, edits, resize) =>
            {
                var length = Math.Max(0, message.Length + resize);
                var corrupted = new byte[length];
                message.AsSpan(0, Math.Min(length, message.Length)).CopyTo(corrupted);
                foreach (var (position, value) in edits)
                {
                    if (length > 0)
                    {
                        corrupted[position % length] = value;
                    }
                }

                AssertRejectedOrCanonical(corrupted);
            }, iter: FuzzIterations.Get(20000));

    [Fact]
    public void CorruptedHeadersAndSizesFailOnlyWithGuestProtocolException() =>
        Gen.Select(WireGenerators.Message, Gen.Int[0, 15], Gen.Byte, Gen.UInt).Sample((message, position, value, size) =>
        {
            var corrupted = (byte[])message.Clone();
            corrupted[position] = value;
            AssertRejectedOrCanonical(corrupted);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(corrupted, size);
            AssertRejectedOrCanonical(corrupted);
        }, iter: FuzzIterations.Get(20000));

    [Fact]
    public void RandomBytesFailOnlyWithGuestProtocolException() =>
        Gen.Byte.Array[0, 96].Sample(AssertRejectedOrCanonical, iter: FuzzIterations.Get(20000));

    /// <summary>
    /// The only exception the reader may throw is <see cref="GuestProtocolException"/>; and because the format
    /// has exactly one encoding per content, anything it accepts must re-encode to the same bytes.
    /// </summary>
    private static void AssertRejectedOrCanonical(byte[] buffer)
    {
        DecodedMessage decoded;
        try
        {
            decoded = DecodedMessage.Decode(buffer);
        }
        catch (GuestProtocolException)
        {
            return;
        }

        var size = MessageReader.Open(buffer).Size;
        Assert.Equal(Convert.ToHexStringLower(buffer.AsSpan(0, size)), Convert.ToHexStringLower(decoded.Encode(size)));
    }
}
