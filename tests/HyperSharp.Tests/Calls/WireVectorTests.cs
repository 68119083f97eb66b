using HyperSharp.Calls;
using Xunit;

namespace HyperSharp.Tests.Calls;

/// <summary>The C# codec against the byte-exact vectors shared with the C codec.</summary>
public sealed class WireVectorTests
{
    public static TheoryData<string> OkVectors => [.. WireVector.All.Values.Where(v => v.Ok).Select(v => v.Name)];

    public static TheoryData<string> BadVectors => [.. WireVector.All.Values.Where(v => !v.Ok).Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(OkVectors))]
    public void OkVectorDecodesToItsRendering(string name)
    {
        var vector = WireVector.All[name];
        Assert.Equal(vector.Rendering, DecodedMessage.Decode(vector.Bytes).Render());
    }

    [Theory]
    [MemberData(nameof(OkVectors))]
    public void OkVectorReencodesByteIdentically(string name)
    {
        var vector = WireVector.All[name];
        var reencoded = DecodedMessage.Decode(vector.Bytes).Encode(vector.Bytes.Length);
        Assert.Equal(Convert.ToHexStringLower(vector.Bytes), Convert.ToHexStringLower(reencoded));
    }

    [Theory]
    [MemberData(nameof(BadVectors))]
    public void BadVectorIsRejected(string name)
    {
        var vector = WireVector.All[name];
        var exception = Assert.Throws<GuestProtocolException>(() => DecodedMessage.Decode(vector.Bytes));
        Assert.StartsWith("Malformed ", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileHasEnoughVectorsOfEachKind()
    {
        var ok = WireVector.All.Values.Where(v => v.Ok).ToList();
        Assert.True(ok.Count >= 40, $"{ok.Count} ok vectors");
        Assert.True(WireVector.All.Count - ok.Count >= 30, $"{WireVector.All.Count - ok.Count} bad vectors");
        foreach (var kind in Enum.GetValues<MessageKind>())
        {
            Assert.Contains(ok, v => v.Bytes[WireFormat.HeaderKindOffset] == (byte)kind);
        }

        foreach (var type in Enum.GetValues<GuestValueType>().Where(t => t != GuestValueType.Void))
        {
            Assert.Contains(ok, v => v.Rendering!.Contains($"{DecodedMessage.TypeName(type)}:", StringComparison.Ordinal));
        }
    }
}
