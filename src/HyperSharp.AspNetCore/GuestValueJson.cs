using System.Text.Json;

namespace HyperSharp.AspNetCore;

/// <summary>
/// Guest values to and from JSON, by the guest function's signature: integers and floating-point numbers as JSON
/// numbers (in range for their type), booleans, strings, and byte arrays as base64 strings. A float that JSON cannot
/// hold (NaN, an infinity) is written as the string <c>"NaN"</c>, <c>"Infinity"</c> or <c>"-Infinity"</c>.
/// </summary>
internal static class GuestValueJson
{
    /// <summary>The arguments of <paramref name="signature"/> from a JSON array, or a message saying what is wrong.</summary>
    public static bool TryReadArguments(JsonElement array, GuestFunctionSignature signature, out GuestValue[] arguments, out string problem)
    {
        arguments = [];
        if (array.ValueKind != JsonValueKind.Array)
        {
            problem = $"The body must be a JSON array of the arguments of {signature}.";
            return false;
        }

        var count = array.GetArrayLength();
        if (count != signature.ParameterTypes.Count)
        {
            problem = $"{signature.Name} takes {signature.ParameterTypes.Count} argument(s), but the body has {count}: {signature}.";
            return false;
        }

        arguments = new GuestValue[count];
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            var type = signature.ParameterTypes[i];
            if (!TryRead(element, type, out arguments[i]))
            {
                problem = $"Argument {i + 1} of {signature.Name} must be {Describe(type)}; got {element.ValueKind}: {signature}.";
                return false;
            }

            i++;
        }

        problem = "";
        return true;
    }

    /// <summary>Writes <paramref name="value"/> as its JSON form (null for void).</summary>
    public static void Write(Utf8JsonWriter writer, GuestValue value)
    {
        switch (value.Type)
        {
            case GuestValueType.Void:
                writer.WriteNullValue();
                break;
            case GuestValueType.Int:
                writer.WriteNumberValue(value.AsInt32());
                break;
            case GuestValueType.UInt:
                writer.WriteNumberValue(value.AsUInt32());
                break;
            case GuestValueType.Long:
                writer.WriteNumberValue(value.AsInt64());
                break;
            case GuestValueType.ULong:
                writer.WriteNumberValue(value.AsUInt64());
                break;
            case GuestValueType.Float:
                WriteFloatingPoint(writer, value.AsSingle());
                break;
            case GuestValueType.Double:
                WriteFloatingPoint(writer, value.AsDouble());
                break;
            case GuestValueType.Bool:
                writer.WriteBooleanValue(value.AsBoolean());
                break;
            case GuestValueType.String:
                writer.WriteStringValue(value.AsString());
                break;
            case GuestValueType.Bytes:
                writer.WriteBase64StringValue(value.AsBytes());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Type, "Unknown guest value type.");
        }
    }

    private static void WriteFloatingPoint(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static bool TryRead(JsonElement element, GuestValueType type, out GuestValue value)
    {
        value = default;
        switch (type)
        {
            case GuestValueType.Int when element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var i):
                value = i;
                return true;
            case GuestValueType.UInt when element.ValueKind == JsonValueKind.Number && element.TryGetUInt32(out var u):
                value = u;
                return true;
            case GuestValueType.Long when element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var l):
                value = l;
                return true;
            case GuestValueType.ULong when element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out var ul):
                value = ul;
                return true;
            case GuestValueType.Float when element.ValueKind == JsonValueKind.Number && element.TryGetSingle(out var f) && float.IsFinite(f):
                value = f;
                return true;
            case GuestValueType.Double when element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && double.IsFinite(d):
                value = d;
                return true;
            case GuestValueType.Bool when element.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = element.GetBoolean();
                return true;
            case GuestValueType.String when element.ValueKind == JsonValueKind.String:
                return TryReadString(element, out value);
            case GuestValueType.Bytes when element.ValueKind == JsonValueKind.String && element.TryGetBytesFromBase64(out var bytes):
                value = bytes;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A JSON string as a guest string; one escaping an unpaired surrogate (<c>"\ud800"</c>) is no UTF-16 text, and refused.</summary>
    private static bool TryReadString(JsonElement element, out GuestValue value)
    {
        try
        {
            value = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static string Describe(GuestValueType type) => type switch
    {
        GuestValueType.Int => "a 32-bit integer",
        GuestValueType.UInt => "an unsigned 32-bit integer",
        GuestValueType.Long => "a 64-bit integer",
        GuestValueType.ULong => "an unsigned 64-bit integer",
        GuestValueType.Float or GuestValueType.Double => "a finite number",
        GuestValueType.Bool => "true or false",
        GuestValueType.String => "a string of whole UTF-16 characters",
        GuestValueType.Bytes => "a base64 string",
        _ => type.ToString(),
    };
}
