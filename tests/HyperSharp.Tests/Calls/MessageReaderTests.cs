using HyperSharp.Calls;
using Xunit;

namespace HyperSharp.Tests.Calls;

public sealed class MessageReaderTests
{
    [Theory]
    [InlineData("bool_two", "BOOL value 0 at offset 16 is 2, not 0 or 1")]
    [InlineData("size_exceeds_buffer", "size 24 at offset 0 exceeds the 16-byte buffer")]
    [InlineData("size_max_u32", "size 4294967295 at offset 0 is not a multiple of 8")]
    [InlineData("size_max_aligned", "size 4294967288 at offset 0 exceeds the 32-byte buffer")]
    [InlineData("string_size_max_u32", "STRING value 0 at offset 16 with size 4294967295 runs past the end of the 32-byte message")]
    [InlineData("string_surrogate", "STRING value 0 at offset 24 is not valid UTF-8 (first bad byte at offset 24)")]
    [InlineData("string_without_nul", "the NUL after STRING value 0 at offset 32 is 0x78, not 0")]
    [InlineData("int_padding_nonzero", "padding of value 0 at offset 31 is 0x01, not 0")]
    [InlineData("call_name_padding_nonzero", "padding of function name at offset 22 is 0x01, not 0")]
    [InlineData("trailing_bytes", "8 bytes at offset 32 follow the last part of the 40-byte message")]
    [InlineData("signature_void_param", "parameter 0 of signature 0 at offset 24 has type VOID, which is only a return type")]
    [InlineData("return_type_mismatch", "value 0 at offset 16 is INT, but the header says UINT")]
    public void RejectionsNameTheRuleAndTheOffset(string vector, string detail)
    {
        var exception = Assert.Throws<GuestProtocolException>(() => DecodedMessage.Decode(WireVector.All[vector].Bytes));
        Assert.Contains(detail, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageMayBeShorterThanItsBuffer()
    {
        var buffer = new byte[256];
        Array.Fill(buffer, (byte)0xEE);
        Assert.True(MessageWriter.TryWriteReturn(buffer, GuestValue.FromInt64(-5), out var written));
        var reader = MessageReader.Open(buffer);
        Assert.Equal(written, reader.Size);
        reader.ReadReturn(GuestValueType.Long, out var value);
        Assert.Equal(-5L, value.AsInt64());
    }

    [Fact]
    public void ReadReturnRejectsAnotherExpectedType()
    {
        var bytes = WireVector.All["return_int_max"].Bytes;
        var exception = Assert.Throws<GuestProtocolException>(() => MessageReader.Open(bytes).ReadReturn(GuestValueType.Long, out _));
        Assert.Contains("return type INT at offset 5 is not the expected LONG", exception.Message, StringComparison.Ordinal);
        Assert.Throws<GuestProtocolException>(() => MessageReader.Open(WireVector.All["return_void"].Bytes).ReadReturn(GuestValueType.Int, out _));
    }

    [Fact]
    public void ReadingTheWrongKindIsAProtocolError()
    {
        var call = WireVector.All["call_int_one_arg"].Bytes;
        Assert.Throws<GuestProtocolException>(() => MessageReader.Open(call).ReadReturn(GuestValueType.Int, out _));
        Assert.Throws<GuestProtocolException>(() => MessageReader.Open(call).ReadError());
        Assert.Throws<GuestProtocolException>(() => MessageReader.Open(call).ReadFunctions());
        Assert.Throws<GuestProtocolException>(() => MessageReader.Open(WireVector.All["return_void"].Bytes).ReadCallName());
    }

    [Fact]
    public void MisuseIsAnInvalidOperation()
    {
        var call = WireVector.All["call_int_one_arg"].Bytes;
        Assert.Throws<InvalidOperationException>(() => MessageReader.Open(call).EnsureEnd());
        Assert.Throws<InvalidOperationException>(() =>
        {
            var reader = MessageReader.Open(call);
            reader.ReadValue();
            reader.ReadValue();
        });
        Assert.Throws<InvalidOperationException>(() => MessageReader.Open(WireVector.All["functions_one_no_params"].Bytes).ReadValue());
    }

    [Fact]
    public void CallExposesItsHeaderAndName()
    {
        var reader = MessageReader.Open(WireVector.All["call_name_utf8"].Bytes);
        Assert.Equal(MessageKind.Call, reader.Kind);
        Assert.Equal(GuestValueType.Bool, reader.ReturnType);
        Assert.Equal(1, reader.Count);
        Assert.Equal("Grüße✓"u8.ToArray(), reader.CallNameUtf8.ToArray());
        Assert.Equal("Grüße✓", reader.ReadCallName());
        Assert.True(reader.ReadValue().AsBoolean());
        reader.EnsureEnd();
    }
}
