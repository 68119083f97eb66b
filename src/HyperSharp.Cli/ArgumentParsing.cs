using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace HyperSharp.Cli;

/// <summary>
/// Turns command-line text into <see cref="GuestValue"/>s of a declared type, and results back into text.
/// The two directions agree: whatever <see cref="Format"/> prints, <see cref="TryParse"/> reads back.
/// </summary>
internal static class ArgumentParsing
{
    private const string HexPrefix = "0x";

    /// <summary>The largest <c>@file</c> argument: no input buffer holds more (<c>SandboxOptions.InputBufferSize</c>).</summary>
    private const long MaxFileArgumentSize = (long)SandboxOptions.MaxBufferSize;

    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Parses <paramref name="text"/> as a <paramref name="type"/> value.</summary>
    /// <param name="text">Integers in invariant decimal or <c>0x</c> hex (the bit pattern, so <c>0xffffffff</c> is -1 as an Int);
    /// floats in invariant notation or <c>nan</c>, <c>inf</c>, <c>-inf</c>; bools as <c>true</c>, <c>false</c>, <c>1</c>, <c>0</c>;
    /// strings as they are; bytes as <c>0x</c> hex or <c>@path</c> to read a file.</param>
    /// <param name="type">The declared parameter type; never <see cref="GuestValueType.Void"/>.</param>
    /// <param name="value">The parsed value.</param>
    /// <param name="error">Why the text is not a <paramref name="type"/>, naming the type and the accepted forms.</param>
    public static bool TryParse(string text, GuestValueType type, out GuestValue value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var parsed = type switch
        {
            GuestValueType.Int => TryParseInteger<int>(text, GuestValue.FromInt32, out value),
            GuestValueType.UInt => TryParseInteger<uint>(text, GuestValue.FromUInt32, out value),
            GuestValueType.Long => TryParseInteger<long>(text, GuestValue.FromInt64, out value),
            GuestValueType.ULong => TryParseInteger<ulong>(text, GuestValue.FromUInt64, out value),
            GuestValueType.Float => TryParseFloat<float>(text, GuestValue.FromSingle, out value),
            GuestValueType.Double => TryParseFloat<double>(text, GuestValue.FromDouble, out value),
            GuestValueType.Bool => TryParseBool(text, out value),
            GuestValueType.String => Parsed(GuestValue.FromString(text), out value),
            GuestValueType.Bytes => TryParseBytes(text, out value, out error),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Only value types can be parsed."),
        };

        if (!parsed)
        {
            error ??= $"'{text}' is not {Describe(type)}.";
        }

        return parsed;
    }

    /// <summary>Text for a result: strings raw, bytes as <c>0x</c> hex, floats shortest round-trippable; empty for void.</summary>
    public static string Format(GuestValue value) => value.Type switch
    {
        GuestValueType.Void => string.Empty,
        GuestValueType.Int => value.AsInt32().ToString(CultureInfo.InvariantCulture),
        GuestValueType.UInt => value.AsUInt32().ToString(CultureInfo.InvariantCulture),
        GuestValueType.Long => value.AsInt64().ToString(CultureInfo.InvariantCulture),
        GuestValueType.ULong => value.AsUInt64().ToString(CultureInfo.InvariantCulture),
        GuestValueType.Float => FormatFloat(value.AsSingle()),
        GuestValueType.Double => FormatFloat(value.AsDouble()),
        GuestValueType.Bool => value.AsBoolean() ? "true" : "false",
        GuestValueType.String => value.AsString(),
        GuestValueType.Bytes => HexPrefix + Convert.ToHexStringLower(value.AsBytes()),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.Type, "Unknown value type."),
    };

    /// <summary>What a <paramref name="type"/> argument looks like on the command line, for error messages.</summary>
    public static string Describe(GuestValueType type) => type switch
    {
        GuestValueType.Int => DescribeInteger<int>("an Int (32-bit signed"),
        GuestValueType.UInt => DescribeInteger<uint>("a UInt (32-bit unsigned"),
        GuestValueType.Long => DescribeInteger<long>("a Long (64-bit signed"),
        GuestValueType.ULong => DescribeInteger<ulong>("a ULong (64-bit unsigned"),
        GuestValueType.Float => "a Float (32-bit, finite within ±3.4028235E+38, or nan, inf, -inf)",
        GuestValueType.Double => "a Double (64-bit, finite within ±1.7976931348623157E+308, or nan, inf, -inf)",
        GuestValueType.Bool => "a Bool (true, false, 1 or 0)",
        GuestValueType.String => "a String",
        GuestValueType.Bytes => "Bytes (0x-prefixed hex with two digits per byte, e.g. 0x0a0b, or @path to read a file)",
        _ => type.ToString(),
    };

    private static string DescribeInteger<T>(string kind)
        where T : IMinMaxValue<T> =>
        string.Create(CultureInfo.InvariantCulture, $"{kind} integer from {T.MinValue} to {T.MaxValue}, in decimal or 0x hex)");

    /// <summary>Hex is the type's bit pattern: .NET's hex parsing of a signed type is two's complement.</summary>
    private static bool TryParseInteger<T>(string text, Func<T, GuestValue> wrap, out GuestValue value)
        where T : IBinaryInteger<T>
    {
        var parsed = text.StartsWith(HexPrefix, StringComparison.OrdinalIgnoreCase)
            ? T.TryParse(text.AsSpan(HexPrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number)
            : T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
        value = parsed ? wrap(number!) : default;
        return parsed;
    }

    /// <summary>Rejects finite text that overflows: .NET would silently round <c>1e39</c> to a Float infinity.</summary>
    private static bool TryParseFloat<T>(string text, Func<T, GuestValue> wrap, out GuestValue value)
        where T : IBinaryFloatingPointIeee754<T>
    {
        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        T? number;
        switch (text.ToUpperInvariant())
        {
            case "NAN":
                number = T.NaN;
                break;
            case "INF" or "+INF" or "INFINITY" or "+INFINITY":
                number = T.PositiveInfinity;
                break;
            case "-INF" or "-INFINITY":
                number = T.NegativeInfinity;
                break;
            default:
                if (!T.TryParse(text, style, CultureInfo.InvariantCulture, out number) || !T.IsFinite(number))
                {
                    value = default;
                    return false;
                }

                break;
        }

        value = wrap(number);
        return true;
    }

    private static bool TryParseBool(string text, out GuestValue value)
    {
        var isTrue = text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase);
        var isFalse = text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase);
        value = isTrue || isFalse ? GuestValue.FromBoolean(isTrue) : default;
        return isTrue || isFalse;
    }

    private static bool Parsed(GuestValue parsed, out GuestValue value)
    {
        value = parsed;
        return true;
    }

    private static bool TryParseBytes(string text, out GuestValue value, out string? error)
    {
        value = default;
        error = null;
        if (text.StartsWith('@'))
        {
            return TryReadFile(text[1..], out value, out error);
        }

        var digits = text.AsSpan();
        if (!digits.StartsWith(HexPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        digits = digits[HexPrefix.Length..];
        if (digits.Length % 2 != 0 || digits.ContainsAnyExcept(s_hexDigits))
        {
            return false;
        }

        value = GuestValue.FromBytes(Convert.FromHexString(digits));
        return true;
    }

    /// <summary>
    /// Reads an <c>@path</c> argument: a regular file of at most <see cref="MaxFileArgumentSize"/> bytes, the largest
    /// input buffer. A FIFO, device or directory is refused without blocking or reading without end (<c>@/dev/zero</c>).
    /// </summary>
    private static bool TryReadFile(string path, out GuestValue value, out string? error)
    {
        value = default;
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            error = $"'@{path}' does not name a file.";
            return false;
        }

        try
        {
            value = GuestValue.FromBytes(UntrustedFiles.ReadAllBytes(path, MaxFileArgumentSize));
            error = null;
            return true;
        }
        catch (SandboxIOException e)
        {
            error = $"cannot read '{path}': {e.Message}";
            return false;
        }
    }

    /// <summary>Spells the non-finite values the way <see cref="TryParseFloat"/> reads them.</summary>
    private static string FormatFloat<T>(T value)
        where T : IBinaryFloatingPointIeee754<T> =>
        T.IsNaN(value) ? "nan"
        : T.IsPositiveInfinity(value) ? "inf"
        : T.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
