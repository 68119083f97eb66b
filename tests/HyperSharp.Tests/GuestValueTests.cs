using Xunit;
namespace HyperSharp.Tests;

public sealed class GuestValueTests
{
    [Fact]
    public void ImplicitConversionsTagTheType()
    {
        Assert.Equal(GuestValueType.Int, ((GuestValue)1).Type);
        Assert.Equal(GuestValueType.UInt, ((GuestValue)1u).Type);
        Assert.Equal(GuestValueType.Long, ((GuestValue)1L).Type);
        Assert.Equal(GuestValueType.ULong, ((GuestValue)1UL).Type);
        Assert.Equal(GuestValueType.Float, ((GuestValue)1f).Type);
        Assert.Equal(GuestValueType.Double, ((GuestValue)1d).Type);
        Assert.Equal(GuestValueType.Bool, ((GuestValue)true).Type);
        Assert.Equal(GuestValueType.String, ((GuestValue)"x").Type);
        Assert.Equal(GuestValueType.Bytes, ((GuestValue)new byte[1]).Type);
        Assert.Equal(GuestValueType.Void, default(GuestValue).Type);
    }

    [Fact]
    public void AccessorsRefuseOtherTypes()
    {
        GuestValue value = 5;
        Assert.Equal(5, value.AsInt32());
        Assert.Throws<InvalidCastException>(() => value.AsInt64());
        Assert.Throws<InvalidCastException>(() => value.AsString());
    }

    [Fact]
    public void EqualityComparesContent()
    {
        Assert.Equal((GuestValue)new byte[] { 1, 2 }, (GuestValue)new byte[] { 1, 2 });
        Assert.NotEqual((GuestValue)1, (GuestValue)1u);
        Assert.Equal((GuestValue)"a", (GuestValue)"a");
        Assert.Equal("\"a\"", ((GuestValue)"a").ToString());
    }
}
