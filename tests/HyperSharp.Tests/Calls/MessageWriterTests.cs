using HyperSharp.Calls;
using Xunit;

namespace HyperSharp.Tests.Calls;

public sealed class MessageWriterTests
{
    private static readonly GuestValue[] s_mixedArgs = [1, "héllo", new byte[] { 1, 2, 3 }, 2.5, true, ulong.MaxValue];

    public static TheoryData<string> Writers => ["call", "return", "return-void", "error", "functions"];

    [Theory]
    [MemberData(nameof(Writers))]
    public void TryWriteFailsWithoutTouchingTooSmallDestinations(string writer)
    {
        var size = Write(writer, new byte[4096]);
        for (var length = 0; length < size; length++)
        {
            var destination = new byte[length];
            Array.Fill(destination, (byte)0xAA);
            Assert.Equal(-1, Write(writer, destination));
            Assert.All(destination, b => Assert.Equal(0xAA, b));
        }

        Assert.Equal(size, Write(writer, new byte[size]));
    }

    [Theory]
    [MemberData(nameof(Writers))]
    public void TryWriteZeroesEveryPaddingByteOfADirtyDestination(string writer)
    {
        var clean = new byte[4096];
        var dirty = new byte[4096];
        Array.Fill(dirty, (byte)0xFF);
        var size = Write(writer, clean);
        Assert.Equal(size, Write(writer, dirty));
        Assert.Equal(clean.AsSpan(0, size).ToArray(), dirty.AsSpan(0, size).ToArray());
    }

    [Fact]
    public void MeasureCallIsExact()
    {
        string[] names = ["", "F", "Echo123", "EchoI64x", "Grüße✓", new string('N', 256)];
        GuestValue[][] argLists = [[], [1], s_mixedArgs, [.. Enumerable.Range(0, 32).Select(i => (GuestValue)new string('x', i))]];
        foreach (var name in names)
        {
            foreach (var args in argLists)
            {
                var size = MessageWriter.MeasureCall(name, args);
                Assert.True(MessageWriter.TryWriteCall(new byte[size], name, GuestValueType.Int, args, out var written));
                Assert.Equal(size, written);
                Assert.False(MessageWriter.TryWriteCall(new byte[size - 1], name, GuestValueType.Int, args, out written));
                Assert.Equal(0, written);
            }
        }
    }

    [Fact]
    public void MeasureCallCountsEveryPart()
    {
        // header 16 + name "F" 8 + INT 16 + STRING "ab"(+NUL) 16 + empty BYTES 8 + 9-byte BYTES 24
        Assert.Equal(88, MessageWriter.MeasureCall("F", [1, "ab", Array.Empty<byte>(), new byte[9]]));
        Assert.Equal(16 + 8 + 16, MessageWriter.MeasureCall("EchoI64x", [""]));
    }

    [Fact]
    public void InvalidCallsThrowArgumentExceptions()
    {
        var buffer = new byte[4096];
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteCall(buffer, "F", GuestValueType.Void, [default], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteCall(buffer, "F", GuestValueType.Void, new GuestValue[33], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteCall(buffer, new string('N', 257), GuestValueType.Void, [], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteCall(buffer, new string('é', 129), GuestValueType.Void, [], out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageWriter.TryWriteCall(buffer, "F", (GuestValueType)10, [], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteFunctions(buffer, [new("F", GuestValueType.Int, [GuestValueType.Void])], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteFunctions(buffer, [new("F", GuestValueType.Int, new GuestValueType[33])], out _));
        Assert.Throws<ArgumentException>(() => MessageWriter.TryWriteFunctions(buffer, [.. Enumerable.Repeat(new GuestFunctionSignature("F", GuestValueType.Void, []), 1025)], out _));
    }

    [Fact]
    public void LoneSurrogatesAreWrittenAsReplacementCharacters()
    {
        var buffer = new byte[64];
        Assert.True(MessageWriter.TryWriteReturn(buffer, GuestValue.FromString("a\ud800b"), out var written));
        Assert.Equal("61efbfbd62", Convert.ToHexStringLower(buffer.AsSpan(24, 5)));
        MessageReader.Open(buffer.AsSpan(0, written)).ReadReturn(GuestValueType.String, out var value);
        Assert.Equal("a\ufffdb", value.AsString());
    }

    [Fact]
    public void ErrorCodesKeepAllThirtyTwoBits()
    {
        var buffer = new byte[64];
        Assert.True(MessageWriter.TryWriteError(buffer, -1, "x", out _));
        Assert.Equal("ffffffff", Convert.ToHexStringLower(buffer.AsSpan(8, 4)));
        Assert.Equal((-1, "x"), MessageReader.Open(buffer).ReadError());
    }

    [Fact]
    public void ScalarCallAndReturnAllocateNothingOnceWarm()
    {
        var input = new byte[4096];
        var output = new byte[4096];
        GuestValue[] args = [1];
        Assert.True(MessageWriter.TryWriteReturn(output, GuestValue.FromInt32(1), out _));

        RoundTrip(input, output, args);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RoundTrip(input, output, args);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void RoundTrip(byte[] input, byte[] output, GuestValue[] args)
        {
            // Host side of Call<int>("EchoI32", 1): write the CALL, read the guest's RETURN.
            MessageWriter.TryWriteCall(input, "EchoI32", GuestValueType.Int, args, out _);
            MessageReader.Open(output).ReadReturn(GuestValueType.Int, out var result);

            // Host side of a scalar host call: read the CALL by its UTF-8 name, write the RETURN.
            var call = MessageReader.Open(input);
            if (call.CallNameUtf8.SequenceEqual("EchoI32"u8))
            {
                var argument = call.ReadValue();
                call.EnsureEnd();
                MessageWriter.TryWriteReturn(output, argument.AsInt32() + result.AsInt32() - 1, out _);
            }
        }
    }

    /// <summary>Writes one sample message of the given kind; returns its size, or -1 if it did not fit.</summary>
    private static int Write(string writer, Span<byte> destination)
    {
        int written;
        var ok = writer switch
        {
            "call" => MessageWriter.TryWriteCall(destination, "Mixed", GuestValueType.String, s_mixedArgs, out written),
            "return" => MessageWriter.TryWriteReturn(destination, GuestValue.FromString("result"), out written),
            "return-void" => MessageWriter.TryWriteReturn(destination, default, out written),
            "error" => MessageWriter.TryWriteError(destination, 1, "went wrong", out written),
            _ => MessageWriter.TryWriteFunctions(destination, [new("A", GuestValueType.Int, [GuestValueType.Int]), new("Bb", GuestValueType.Void, [])], out written),
        };
        Assert.Equal(ok, written != 0);
        return ok ? written : -1;
    }
}
