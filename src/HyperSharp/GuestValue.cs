using System.Globalization;

namespace HyperSharp;

/// <summary>
/// One argument or result of a guest or host function: a tagged union of the supported types.
/// Implicit conversions from <see cref="int"/>, <see cref="uint"/>, <see cref="long"/>,
/// <see cref="ulong"/>, <see cref="float"/>, <see cref="double"/>, <see cref="bool"/>,
/// <see cref="string"/> and <c>byte[]</c> let calls pass plain values without boxing.
/// </summary>
public readonly struct GuestValue : IEquatable<GuestValue>
{
    private readonly ulong _bits;
    private readonly object? _reference;

    private GuestValue(GuestValueType type, ulong bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _reference = reference;
    }

    /// <summary>The type of the value; <see cref="GuestValueType.Void"/> for <c>default</c>.</summary>
    public GuestValueType Type { get; }

    /// <summary>Creates an <see cref="GuestValueType.Int"/> value.</summary>
    public static GuestValue FromInt32(int value) => new(GuestValueType.Int, (uint)value, null);

    /// <summary>Creates a <see cref="GuestValueType.UInt"/> value.</summary>
    public static GuestValue FromUInt32(uint value) => new(GuestValueType.UInt, value, null);

    /// <summary>Creates a <see cref="GuestValueType.Long"/> value.</summary>
    public static GuestValue FromInt64(long value) => new(GuestValueType.Long, (ulong)value, null);

    /// <summary>Creates a <see cref="GuestValueType.ULong"/> value.</summary>
    public static GuestValue FromUInt64(ulong value) => new(GuestValueType.ULong, value, null);

    /// <summary>Creates a <see cref="GuestValueType.Float"/> value.</summary>
    public static GuestValue FromSingle(float value) => new(GuestValueType.Float, BitConverter.SingleToUInt32Bits(value), null);

    /// <summary>Creates a <see cref="GuestValueType.Double"/> value.</summary>
    public static GuestValue FromDouble(double value) => new(GuestValueType.Double, BitConverter.DoubleToUInt64Bits(value), null);

    /// <summary>Creates a <see cref="GuestValueType.Bool"/> value.</summary>
    public static GuestValue FromBoolean(bool value) => new(GuestValueType.Bool, value ? 1UL : 0UL, null);

    /// <summary>Creates a <see cref="GuestValueType.String"/> value.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static GuestValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GuestValueType.String, 0, value);
    }

    /// <summary>Creates a <see cref="GuestValueType.Bytes"/> value. The array is not copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static GuestValue FromBytes(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GuestValueType.Bytes, 0, value);
    }

    /// <summary>Converts an <see cref="int"/>.</summary>
    public static implicit operator GuestValue(int value) => FromInt32(value);

    /// <summary>Converts a <see cref="uint"/>.</summary>
    public static implicit operator GuestValue(uint value) => FromUInt32(value);

    /// <summary>Converts a <see cref="long"/>.</summary>
    public static implicit operator GuestValue(long value) => FromInt64(value);

    /// <summary>Converts a <see cref="ulong"/>.</summary>
    public static implicit operator GuestValue(ulong value) => FromUInt64(value);

    /// <summary>Converts a <see cref="float"/>.</summary>
    public static implicit operator GuestValue(float value) => FromSingle(value);

    /// <summary>Converts a <see cref="double"/>.</summary>
    public static implicit operator GuestValue(double value) => FromDouble(value);

    /// <summary>Converts a <see cref="bool"/>.</summary>
    public static implicit operator GuestValue(bool value) => FromBoolean(value);

    /// <summary>Converts a <see cref="string"/>.</summary>
    public static implicit operator GuestValue(string value) => FromString(value);

    /// <summary>Converts a byte array.</summary>
    public static implicit operator GuestValue(byte[] value) => FromBytes(value);

    /// <summary>The value as an <see cref="int"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public int AsInt32() => (int)(uint)Expect(GuestValueType.Int);

    /// <summary>The value as a <see cref="uint"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public uint AsUInt32() => (uint)Expect(GuestValueType.UInt);

    /// <summary>The value as a <see cref="long"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public long AsInt64() => (long)Expect(GuestValueType.Long);

    /// <summary>The value as a <see cref="ulong"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public ulong AsUInt64() => Expect(GuestValueType.ULong);

    /// <summary>The value as a <see cref="float"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public float AsSingle() => BitConverter.UInt32BitsToSingle((uint)Expect(GuestValueType.Float));

    /// <summary>The value as a <see cref="double"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public double AsDouble() => BitConverter.UInt64BitsToDouble(Expect(GuestValueType.Double));

    /// <summary>The value as a <see cref="bool"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public bool AsBoolean() => Expect(GuestValueType.Bool) != 0;

    /// <summary>The value as a <see cref="string"/>.</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public string AsString()
    {
        Expect(GuestValueType.String);
        return (string)_reference!;
    }

    /// <summary>The value as a byte array (not a copy).</summary>
    /// <exception cref="InvalidCastException">The value is of another type.</exception>
    public byte[] AsBytes()
    {
        Expect(GuestValueType.Bytes);
        return (byte[])_reference!;
    }

    /// <summary>The raw bits of a scalar value, zero-extended; 0 for strings, byte arrays and void.</summary>
    internal ulong ScalarBits => _bits;

    /// <summary>The string or byte array of a reference value; null otherwise.</summary>
    internal object? Reference => _reference;

    internal static GuestValue FromScalarBits(GuestValueType type, ulong bits) => new(type, bits, null);

    /// <summary>The boxed .NET value: <see cref="int"/>, <see cref="string"/>, … or null for void.</summary>
    public object? ToObject() => Type switch
    {
        GuestValueType.Void => null,
        GuestValueType.Int => AsInt32(),
        GuestValueType.UInt => AsUInt32(),
        GuestValueType.Long => AsInt64(),
        GuestValueType.ULong => AsUInt64(),
        GuestValueType.Float => AsSingle(),
        GuestValueType.Double => AsDouble(),
        GuestValueType.Bool => AsBoolean(),
        _ => _reference,
    };

    /// <inheritdoc />
    public bool Equals(GuestValue other) =>
        Type == other.Type && _bits == other._bits && Type switch
        {
            GuestValueType.String => string.Equals((string?)_reference, (string?)other._reference, StringComparison.Ordinal),
            GuestValueType.Bytes => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            _ => true,
        };

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GuestValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, _bits, Type == GuestValueType.String ? _reference : null);

    /// <summary>Compares two values by type and content.</summary>
    public static bool operator ==(GuestValue left, GuestValue right) => left.Equals(right);

    /// <summary>Compares two values by type and content.</summary>
    public static bool operator !=(GuestValue left, GuestValue right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        GuestValueType.Void => "void",
        GuestValueType.String => $"\"{AsString()}\"",
        GuestValueType.Bytes => $"byte[{AsBytes().Length}]",
        GuestValueType.Bool => AsBoolean() ? "true" : "false",
        _ => string.Format(CultureInfo.InvariantCulture, "{0}", ToObject()),
    };

    private ulong Expect(GuestValueType expected)
    {
        if (Type != expected)
        {
            ThrowWrongType(expected);
        }

        return _bits;
    }

    private void ThrowWrongType(GuestValueType expected) =>
        throw new InvalidCastException($"The value is {Type}, not {expected}.");
}
