using System.Globalization;
using System.Text;
using Xunit;

namespace HyperSharp.IntegrationTests;

public sealed class CallTests(SimpleGuestFixture fixture) : IClassFixture<SimpleGuestFixture>
{
    private Sandbox Sandbox => fixture.Sandbox;

    public static TheoryData<string> Strings => new() { "hello", "", "12345678", "ünïcødé ✓ 漢字 🎉", new string('x', 100_000) };

    [KvmTheory]
    [MemberData(nameof(Strings))]
    public void EchoReturnsTheSameString(string text) => Assert.Equal(text, Sandbox.Call<string>("Echo", text));

    [KvmTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void EchoI32ReturnsTheSameInt(int value) => Assert.Equal(value, Sandbox.Call<int>("EchoI32", value));

    [KvmTheory]
    [InlineData(0u)]
    [InlineData(uint.MaxValue)]
    public void EchoU32ReturnsTheSameUInt(uint value) => Assert.Equal(value, Sandbox.Call<uint>("EchoU32", value));

    [KvmTheory]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(-42L)]
    public void EchoI64ReturnsTheSameLong(long value) => Assert.Equal(value, Sandbox.Call<long>("EchoI64", value));

    [KvmTheory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    public void EchoU64ReturnsTheSameULong(ulong value) => Assert.Equal(value, Sandbox.Call<ulong>("EchoU64", value));

    [KvmTheory]
    [InlineData(0x0000_0000u)] // 0
    [InlineData(0x8000_0000u)] // -0
    [InlineData(0x3FC0_0000u)] // 1.5
    [InlineData(0x7FC0_0000u)] // NaN
    [InlineData(0x7FC0_1234u)] // NaN with payload
    [InlineData(0x7F80_0000u)] // +inf
    [InlineData(0xFF80_0000u)] // -inf
    [InlineData(0x7F7F_FFFFu)] // max
    [InlineData(0x0000_0001u)] // smallest subnormal
    public void EchoFloatKeepsEveryBit(uint bits) =>
        Assert.Equal(bits, BitConverter.SingleToUInt32Bits(Sandbox.Call<float>("EchoFloat", BitConverter.UInt32BitsToSingle(bits))));

    [KvmTheory]
    [InlineData(0x0000_0000_0000_0000UL)] // 0
    [InlineData(0x8000_0000_0000_0000UL)] // -0
    [InlineData(0x4009_21FB_5444_2D18UL)] // pi
    [InlineData(0x7FF8_0000_0000_0000UL)] // NaN
    [InlineData(0x7FF0_0000_0000_0000UL)] // +inf
    [InlineData(0xFFF0_0000_0000_0000UL)] // -inf
    [InlineData(0x7FEF_FFFF_FFFF_FFFFUL)] // max
    [InlineData(0x0000_0000_0000_0001UL)] // smallest subnormal
    public void EchoDoubleKeepsEveryBit(ulong bits) =>
        Assert.Equal(bits, BitConverter.DoubleToUInt64Bits(Sandbox.Call<double>("EchoDouble", BitConverter.UInt64BitsToDouble(bits))));

    [KvmTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void EchoBoolReturnsTheSameBool(bool value) => Assert.Equal(value, Sandbox.Call<bool>("EchoBool", value));

    [KvmTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void EchoBytesReturnsTheSameBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        Assert.Equal(bytes, Sandbox.Call<byte[]>("EchoBytes", bytes));
    }

    [KvmFact]
    public void EchoFirst8KiBReturnsTheFirst8KiBOf24KiB()
    {
        var bytes = new byte[24 << 10];
        new Random(24).NextBytes(bytes);
        Assert.Equal(bytes.AsSpan(0, 8 << 10).ToArray(), Sandbox.Call<byte[]>("EchoFirst8KiB", bytes));
    }

    [KvmFact]
    public void VoidFunctionReturnsNothing()
    {
        Sandbox.Call("Nothing");
        Assert.Equal(GuestValueType.Void, Sandbox.Call("Nothing", GuestValueType.Void).Type);
    }

    [KvmFact]
    public void AddAddsTwoInts() => Assert.Equal(42, Sandbox.Call<int>("Add", 40, 2));

    [KvmFact]
    public void StatePersistsAcrossCalls()
    {
        Sandbox.Call("SetStatic", 1234);
        Assert.Equal(1234, Sandbox.Call<int>("GetStatic"));
        var first = Sandbox.Call<int>("IncrementCounter");
        Assert.Equal(first + 1, Sandbox.Call<int>("IncrementCounter"));
        Assert.Equal(first + 2, Sandbox.Call<int>("IncrementCounter"));
    }

    [KvmTheory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(16)]
    public void MixedParametersArriveInOrder(int count)
    {
        var args = MixedArguments(count);
        Assert.Equal(Describe(args), Sandbox.Call<string>($"MixedArgs{count}", args));
    }

    [KvmFact]
    public void GetFunctionBindsATypedDelegate()
    {
        var add = Sandbox.GetFunction<int, int, int>("Add");
        var echo = Sandbox.GetFunction<string, string>("Echo");
        var nothing = Sandbox.GetAction("Nothing");
        Assert.Equal(3, add(1, 2));
        Assert.Equal("hi", echo("hi"));
        nothing();
    }

    [KvmFact]
    public void GetFunctionRefusesAMismatchedDelegate()
    {
        var e = Assert.Throws<GuestArgumentException>(() => Sandbox.GetFunction<string, int>("Echo"));
        Assert.Contains("String Echo(String)", e.Message, StringComparison.Ordinal);
        Assert.Throws<GuestFunctionNotFoundException>(() => Sandbox.GetFunction<int>("NoSuchFunction"));
    }

    [KvmFact]
    public void GuestFunctionsListsWhatTheGuestAnnounced()
    {
        var echo = Assert.Single(Sandbox.GuestFunctions, f => f.Name == "Echo");
        Assert.Equal(new GuestFunctionSignature("Echo", GuestValueType.String, [GuestValueType.String]), echo);
        Assert.Contains(Sandbox.GuestFunctions, f => f.Name == "MixedArgs16" && f.ParameterTypes.Count == 16);
    }

    [KvmFact]
    public void RandomValuesDiffer()
    {
        var values = Enumerable.Range(0, 16).Select(_ => Sandbox.Call<ulong>("Random")).ToHashSet();
        Assert.True(values.Count > 14);
    }

    private static readonly GuestValueType[] s_cycle =
    [
        GuestValueType.String, GuestValueType.Int, GuestValueType.Long, GuestValueType.Bool, GuestValueType.Double,
        GuestValueType.UInt, GuestValueType.ULong, GuestValueType.Float, GuestValueType.Bytes,
    ];

    internal static GuestValue[] MixedArguments(int count) =>
        [.. Enumerable.Range(0, count).Select(i => s_cycle[i % s_cycle.Length] switch
        {
            GuestValueType.String => (GuestValue)$"s{i}-ü",
            GuestValueType.Int => -1000 * (i + 1),
            GuestValueType.Long => long.MinValue + i,
            GuestValueType.Bool => i % 2 == 0,
            GuestValueType.Double => i + 0.25,
            GuestValueType.UInt => uint.MaxValue - (uint)i,
            GuestValueType.ULong => ulong.MaxValue - (ulong)i,
            GuestValueType.Float => i * -1.5f,
            _ => new byte[i],
        })];

    /// <summary>The text MixedArgsN builds in the guest (guest/tests/simpleguest/main.c).</summary>
    internal static string Describe(GuestValue[] args) => string.Join(",", args.Select(a => a.Type switch
    {
        GuestValueType.String => a.AsString(),
        GuestValueType.Bool => a.AsBoolean() ? "true" : "false",
        GuestValueType.Float => BitConverter.SingleToUInt32Bits(a.AsSingle()).ToString("x8", CultureInfo.InvariantCulture),
        GuestValueType.Double => BitConverter.DoubleToUInt64Bits(a.AsDouble()).ToString("x16", CultureInfo.InvariantCulture),
        GuestValueType.Bytes => "#" + a.AsBytes().Length.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(a.ToObject(), CultureInfo.InvariantCulture)!,
    }));

    [KvmFact]
    public void PrintGoesThroughHostPrint()
    {
        var output = new StringWriter();
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(output));
        Assert.Equal(5, sandbox.Call<int>("Print", "hello"));
        sandbox.Call<int>("PrintFormatted", 42, "ok");
        Assert.Equal("hellon=42 s=ok x=2a", output.ToString());
    }

    [KvmFact]
    public void DefaultHostPrintWritesToConsoleOut()
    {
        var original = Console.Out;
        var output = new StringWriter();
        try
        {
            Console.SetOut(output);
            using var sandbox = Sandbox.Create(Guests.SimpleGuest);
            Assert.Equal(Encoding.UTF8.GetByteCount("héllo"), sandbox.Call<int>("Print", "héllo"));
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal("héllo", output.ToString());
    }
}
