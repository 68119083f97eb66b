using Xunit;

namespace HyperSharp.Cli.Tests;

public sealed class ArgumentParsingTests
{
    private static GuestValue Parse(string text, GuestValueType type)
    {
        Assert.True(ArgumentParsing.TryParse(text, type, out var value, out var error), error);
        Assert.Equal(type, value.Type);
        return value;
    }

    private static string Reject(string text, GuestValueType type)
    {
        Assert.False(ArgumentParsing.TryParse(text, type, out _, out var error));
        return error;
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("42", 42)]
    [InlineData("-1", -1)]
    [InlineData("+7", 7)]
    [InlineData("007", 7)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("0x2a", 42)]
    [InlineData("0X2A", 42)]
    [InlineData("0x7fffffff", int.MaxValue)]
    [InlineData("0xffffffff", -1)]
    [InlineData("0x80000000", int.MinValue)]
    public void ParsesInt(string text, int expected) => Assert.Equal(expected, Parse(text, GuestValueType.Int).AsInt32());

    [Theory]
    [InlineData("2147483648")]
    [InlineData("-2147483649")]
    [InlineData("0x100000000")]
    [InlineData("x")]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("1_000")]
    [InlineData("0x")]
    [InlineData("-0x1")]
    public void RejectsBadInt(string text)
    {
        var error = Reject(text, GuestValueType.Int);
        Assert.Equal($"'{text}' is not an Int (32-bit signed integer from -2147483648 to 2147483647, in decimal or 0x hex).", error);
    }

    [Theory]
    [InlineData("0", 0u)]
    [InlineData("4294967295", uint.MaxValue)]
    [InlineData("0xffffffff", uint.MaxValue)]
    public void ParsesUInt(string text, uint expected) => Assert.Equal(expected, Parse(text, GuestValueType.UInt).AsUInt32());

    [Theory]
    [InlineData("-1")]
    [InlineData("4294967296")]
    public void RejectsBadUInt(string text) => Assert.Contains("is not a UInt (32-bit unsigned integer from 0 to 4294967295", Reject(text, GuestValueType.UInt), StringComparison.Ordinal);

    [Theory]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0xffffffffffffffff", -1L)]
    [InlineData("0x8000000000000000", long.MinValue)]
    public void ParsesLong(string text, long expected) => Assert.Equal(expected, Parse(text, GuestValueType.Long).AsInt64());

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("0x10000000000000000")]
    public void RejectsBadLong(string text) => Assert.Contains("is not a Long (64-bit signed", Reject(text, GuestValueType.Long), StringComparison.Ordinal);

    [Theory]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0xFFFFFFFFFFFFFFFF", ulong.MaxValue)]
    [InlineData("0", 0UL)]
    public void ParsesULong(string text, ulong expected) => Assert.Equal(expected, Parse(text, GuestValueType.ULong).AsUInt64());

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("-1")]
    public void RejectsBadULong(string text) => Assert.Contains("is not a ULong (64-bit unsigned integer from 0 to 18446744073709551615", Reject(text, GuestValueType.ULong), StringComparison.Ordinal);

    [Theory]
    [InlineData("1.5", 1.5f)]
    [InlineData("-2", -2f)]
    [InlineData(".5", 0.5f)]
    [InlineData("1e3", 1000f)]
    [InlineData("3.4028235e38", float.MaxValue)]
    [InlineData("-3.4028235E+38", float.MinValue)]
    [InlineData("1e-45", float.Epsilon)]
    [InlineData("inf", float.PositiveInfinity)]
    [InlineData("+inf", float.PositiveInfinity)]
    [InlineData("Infinity", float.PositiveInfinity)]
    [InlineData("-inf", float.NegativeInfinity)]
    [InlineData("-INFINITY", float.NegativeInfinity)]
    public void ParsesFloat(string text, float expected) => Assert.Equal(expected, Parse(text, GuestValueType.Float).AsSingle());

    [Theory]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("NAN")]
    public void ParsesNaN(string text)
    {
        Assert.True(float.IsNaN(Parse(text, GuestValueType.Float).AsSingle()));
        Assert.True(double.IsNaN(Parse(text, GuestValueType.Double).AsDouble()));
    }

    [Fact]
    public void KeepsNegativeZero()
    {
        Assert.True(float.IsNegative(Parse("-0", GuestValueType.Float).AsSingle()));
        Assert.True(double.IsNegative(Parse("-0.0", GuestValueType.Double).AsDouble()));
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e39")]
    [InlineData("1,5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("-nan")]
    [InlineData("0x10")]
    public void RejectsBadFloat(string text) =>
        Assert.Equal($"'{text}' is not a Float (32-bit, finite within ±3.4028235E+38, or nan, inf, -inf).", Reject(text, GuestValueType.Float));

    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData("1e308", 1e308)]
    [InlineData("-1.7976931348623157e308", double.MinValue)]
    [InlineData("5e-324", double.Epsilon)]
    [InlineData("1e39", 1e39)]
    [InlineData("-inf", double.NegativeInfinity)]
    public void ParsesDouble(string text, double expected) => Assert.Equal(expected, Parse(text, GuestValueType.Double).AsDouble());

    [Theory]
    [InlineData("1e309")]
    [InlineData("1.0.0")]
    public void RejectsBadDouble(string text) => Assert.Contains("is not a Double (64-bit", Reject(text, GuestValueType.Double), StringComparison.Ordinal);

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    public void ParsesBool(string text, bool expected) => Assert.Equal(expected, Parse(text, GuestValueType.Bool).AsBoolean());

    [Theory]
    [InlineData("yes")]
    [InlineData("2")]
    [InlineData("")]
    [InlineData("01")]
    public void RejectsBadBool(string text) => Assert.Equal($"'{text}' is not a Bool (true, false, 1 or 0).", Reject(text, GuestValueType.Bool));

    [Theory]
    [InlineData("")]
    [InlineData("hello world")]
    [InlineData("ünïcødé ✓ 🎉")]
    [InlineData("-1")]
    [InlineData("@file")]
    [InlineData("0x10")]
    public void TakesStringsAsTheyAre(string text) => Assert.Equal(text, Parse(text, GuestValueType.String).AsString());

    [Theory]
    [InlineData("0x", new byte[0])]
    [InlineData("0x00", new byte[] { 0 })]
    [InlineData("0x0a0B", new byte[] { 10, 11 })]
    [InlineData("0XFF7f", new byte[] { 255, 127 })]
    public void ParsesHexBytes(string text, byte[] expected) => Assert.Equal(expected, Parse(text, GuestValueType.Bytes).AsBytes());

    [Fact]
    public void ReadsBytesFromAFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [1, 2, 3, 0xff]);
            Assert.Equal([1, 2, 3, 0xff], Parse("@" + path, GuestValueType.Bytes).AsBytes());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SaysWhyAFileCannotBeRead()
    {
        var error = Reject("@/nonexistent/input.bin", GuestValueType.Bytes);
        Assert.StartsWith("cannot read '/nonexistent/input.bin': ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0a0b")]
    [InlineData("0x0a0")]
    [InlineData("0xzz")]
    [InlineData("0x 0a")]
    [InlineData("")]
    public void RejectsBadBytes(string text) =>
        Assert.Equal($"'{text}' is not Bytes (0x-prefixed hex with two digits per byte, e.g. 0x0a0b, or @path to read a file).", Reject(text, GuestValueType.Bytes));

    [Fact]
    public void VoidIsNotAnArgumentType() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ArgumentParsing.TryParse("1", GuestValueType.Void, out _, out _));

    public static TheoryData<GuestValue, string> Formatted => new()
    {
        { default, "" },
        { -42, "-42" },
        { uint.MaxValue, "4294967295" },
        { long.MinValue, "-9223372036854775808" },
        { ulong.MaxValue, "18446744073709551615" },
        { 0.1f, "0.1" },
        { -0f, "-0" },
        { float.NaN, "nan" },
        { float.PositiveInfinity, "inf" },
        { float.NegativeInfinity, "-inf" },
        { 0.1, "0.1" },
        { 1.0 / 3, "0.3333333333333333" },
        { 1e300, "1E+300" },
        { double.NegativeInfinity, "-inf" },
        { true, "true" },
        { false, "false" },
        { "ü\nraw \"text\"", "ü\nraw \"text\"" },
        { new byte[] { 0x0a, 0xff }, "0x0aff" },
        { Array.Empty<byte>(), "0x" },
    };

    [Theory]
    [MemberData(nameof(Formatted))]
    public void FormatsResults(GuestValue value, string expected) => Assert.Equal(expected, ArgumentParsing.Format(value));

    [Fact]
    public void EveryFloatAndDoubleRoundTripsThroughText()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var single = BitConverter.Int32BitsToSingle((int)random.NextInt64());
            var back = Parse(ArgumentParsing.Format(single), GuestValueType.Float).AsSingle();
            Assert.True(single.Equals(back), $"{single:R} came back as {back:R}");

            var number = BitConverter.Int64BitsToDouble(random.NextInt64());
            var again = Parse(ArgumentParsing.Format(number), GuestValueType.Double).AsDouble();
            Assert.True(number.Equals(again), $"{number:R} came back as {again:R}");
        }
    }

    [Theory]
    [InlineData(GuestValueType.Int, "-7")]
    [InlineData(GuestValueType.UInt, "7")]
    [InlineData(GuestValueType.Long, "-9223372036854775808")]
    [InlineData(GuestValueType.ULong, "18446744073709551615")]
    [InlineData(GuestValueType.Bool, "true")]
    [InlineData(GuestValueType.Bytes, "0x00ff")]
    [InlineData(GuestValueType.String, "text")]
    public void FormattedTextParsesBack(GuestValueType type, string text) => Assert.Equal(text, ArgumentParsing.Format(Parse(text, type)));
}
