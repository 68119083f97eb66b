using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Reads and writes one <see cref="SnapshotConfigFunction"/> by hand, with the same rules the generated contract
/// applies everywhere else in the config: exactly the three fields, each once, none null, type names only as written.
/// A snapshot's function table has an entry per guest export (80 for the test guest), and the generated
/// metadata path spent most of a snapshot file's load time on them.
/// </summary>
internal sealed class SnapshotConfigFunctionConverter : JsonConverter<SnapshotConfigFunction>
{
    /// <summary>Each type's name as the config spells it: snake_case (<c>int</c>, <c>u_long</c>, <c>bytes</c>, …).</summary>
    private static readonly (GuestValueType Type, byte[] Name)[] s_typeNames =
        [.. Enum.GetValues<GuestValueType>().Select(t => (t, Encoding.UTF8.GetBytes(JsonNamingPolicy.SnakeCaseLower.ConvertName(t.ToString()))))];

    public override SnapshotConfigFunction Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadFunction(ref reader);

    /// <summary>Reads the function object the reader is on; <see cref="SnapshotConfigReader"/> calls this directly.</summary>
    public static SnapshotConfigFunction ReadFunction(ref Utf8JsonReader reader)
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

        return new SnapshotConfigFunction
        {
            Name = name ?? throw Missing("name"),
            ReturnType = returnType ?? throw Missing("return_type"),
            ParameterTypes = parameterTypes ?? throw Missing("parameter_types"),
        };
    }

    public override void Write(Utf8JsonWriter writer, SnapshotConfigFunction value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, value.Name);
        writer.WriteString("return_type"u8, NameOf(value.ReturnType));
        writer.WriteStartArray("parameter_types"u8);
        foreach (var type in value.ParameterTypes)
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
