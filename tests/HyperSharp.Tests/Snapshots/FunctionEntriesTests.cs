using System.Text;
using System.Text.Json;
using HyperSharp.Snapshots.Config;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>A config's function entries keep the config's rules: three fields, once each, no nulls, exact type names.</summary>
public sealed class FunctionEntriesTests
{
    [Fact]
    public void WritesAndReadsBackEveryType()
    {
        var function = new GuestFunctionSignature("Mixed", GuestValueType.ULong, [.. Enum.GetValues<GuestValueType>().Where(t => t != GuestValueType.Void)]);
        var json = Write(function);
        Assert.Contains("\"return_type\":\"u_long\"", json, StringComparison.Ordinal);

        var read = Read(json);
        Assert.Equal(function.Name, read.Name);
        Assert.Equal(function.ReturnType, read.ReturnType);
        Assert.Equal(function.ParameterTypes, read.ParameterTypes);
    }

    [Theory]
    [InlineData("""{"name":"F","return_type":"int","parameter_types":[],"extra":1}""")]
    [InlineData("""{"name":"F","name":"G","return_type":"int","parameter_types":[]}""")]
    [InlineData("""{"name":null,"return_type":"int","parameter_types":[]}""")]
    [InlineData("""{"name":"F","return_type":"int"}""")]
    [InlineData("""{"return_type":"int","parameter_types":[]}""")]
    [InlineData("""{"name":"F","parameter_types":[]}""")]
    [InlineData("""{"name":"F","return_type":"Int","parameter_types":[]}""")]
    [InlineData("""{"name":"F","return_type":"int","parameter_types":["string",1]}""")]
    [InlineData("""{"name":"F","return_type":"int","parameter_types":null}""")]
    [InlineData("""["F","int",[]]""")]
    public void RefusesWhatTheConfigRulesRefuse(string json) => Assert.Throws<JsonException>(() => Read(json));

    private static GuestFunctionSignature Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return FunctionEntries.Read(ref reader);
    }

    private static string Write(GuestFunctionSignature function)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            FunctionEntries.Write(writer, function);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
