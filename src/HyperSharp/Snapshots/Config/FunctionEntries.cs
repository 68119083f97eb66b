using System.Text;
using System.Text.Json;

namespace HyperSharp.Snapshots.Config;

/// <summary>
/// One function of a config's <c>guest_functions</c> or <c>host_functions</c>: <c>{"name", "return_type",
/// "parameter_types"}</c>, each exactly once, none null, type names only as written (<c>int</c>, <c>u_long</c>,
/// <c>bytes</c>, …, snake case).
/// </summary>
internal static class FunctionEntries
{
    private static readonly (GuestValueType Type, byte[] Name)[] s_typeNames =
        [.. Enum.GetValues<GuestValueType>().Select(t => (t, Encoding.UTF8.GetBytes(JsonNamingPolicy.SnakeCaseLower.ConvertName(t.ToString()))))];

    /// <summary>Reads the function object the reader is on.</summary>
    public static GuestFunctionSignature Read(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "a function object");
        string? name = null;
        GuestValueType? returnType = null;
        List<GuestValueType>? parameterTypes = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Once(name is null, "name");
                reader.Read();
                Expect(ref reader, JsonTokenType.String, "a string for name");
                name = reader.GetString();
            }
            else if (reader.ValueTextEquals("return_type"u8))
            {
                Once(returnType is null, "return_type");
                reader.Read();
                returnType = ReadType(ref reader);
            }
            else if (reader.ValueTextEquals("parameter_types"u8))
            {
                Once(parameterTypes is null, "parameter_types");
                reader.Read();
                Expect(ref reader, JsonTokenType.StartArray, "an array for parameter_types");
                parameterTypes = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    parameterTypes.Add(ReadType(ref reader));
                }
            }
            else
            {
                throw new JsonException($"A function has the unknown property '{reader.GetString()}'.");
            }
        }

        return new GuestFunctionSignature(
            name ?? throw Missing("name"),
            returnType ?? throw Missing("return_type"),
            parameterTypes ?? throw Missing("parameter_types"));
    }

    public static void Write(Utf8JsonWriter writer, GuestFunctionSignature function)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, function.Name);
        writer.WriteString("return_type"u8, NameOf(function.ReturnType));
        writer.WriteStartArray("parameter_types"u8);
        foreach (var type in function.ParameterTypes)
        {
            writer.WriteStringValue(NameOf(type));
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static GuestValueType ReadType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            foreach (var (type, name) in s_typeNames)
            {
                if (reader.ValueTextEquals(name))
                {
                    return type;
                }
            }
        }

        throw new JsonException($"Expected a value type name ({string.Join(", ", s_typeNames.Select(n => Encoding.UTF8.GetString(n.Name)))}).");
    }

    private static byte[] NameOf(GuestValueType type)
    {
        foreach (var (candidate, name) in s_typeNames)
        {
            if (candidate == type)
            {
                return name;
            }
        }

        throw new JsonException($"{type} is not a value type.");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {what}, found {reader.TokenType}.");
        }
    }

    private static void Once(bool first, string property)
    {
        if (!first)
        {
            throw new JsonException($"A function has '{property}' twice.");
        }
    }

    private static JsonException Missing(string property) => new($"A function lacks '{property}'.");
}
