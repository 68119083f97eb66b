using System.Runtime.CompilerServices;

namespace HyperSharp.Calls;

/// <summary>
/// Maps .NET types to <see cref="GuestValueType"/> and converts without boxing: each branch tests
/// <c>typeof(T)</c>, which the JIT folds to a constant per instantiation.
/// </summary>
internal static class ValueConversion
{
    /// <summary>The wire type of <typeparamref name="T"/>, or null when <typeparamref name="T"/> is not supported.</summary>
    public static GuestValueType? TryGetType<T>() => TryGetType(typeof(T));

    public static GuestValueType? TryGetType(Type type) =>
        type == typeof(int) ? GuestValueType.Int
        : type == typeof(uint) ? GuestValueType.UInt
        : type == typeof(long) ? GuestValueType.Long
        : type == typeof(ulong) ? GuestValueType.ULong
        : type == typeof(float) ? GuestValueType.Float
        : type == typeof(double) ? GuestValueType.Double
        : type == typeof(bool) ? GuestValueType.Bool
        : type == typeof(string) ? GuestValueType.String
        : type == typeof(byte[]) ? GuestValueType.Bytes
        : null;

    /// <summary>The wire type of <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a supported type.</exception>
    public static GuestValueType GetType<T>() => TryGetType<T>() ?? throw Unsupported(typeof(T));

    public static ArgumentException Unsupported(Type type) =>
        new($"Type {type} cannot cross the sandbox boundary; supported types are int, uint, long, ulong, float, double, bool, string and byte[].");

    public static GuestValue ToValue<T>(T value)
    {
        if (typeof(T) == typeof(int))
        {
            return Unsafe.As<T, int>(ref value);
        }

        if (typeof(T) == typeof(uint))
        {
            return Unsafe.As<T, uint>(ref value);
        }

        if (typeof(T) == typeof(long))
        {
            return Unsafe.As<T, long>(ref value);
        }

        if (typeof(T) == typeof(ulong))
        {
            return Unsafe.As<T, ulong>(ref value);
        }

        if (typeof(T) == typeof(float))
        {
            return Unsafe.As<T, float>(ref value);
        }

        if (typeof(T) == typeof(double))
        {
            return Unsafe.As<T, double>(ref value);
        }

        if (typeof(T) == typeof(bool))
        {
            return Unsafe.As<T, bool>(ref value);
        }

        if (typeof(T) == typeof(string))
        {
            return GuestValue.FromString((string)(object)value!);
        }

        if (typeof(T) == typeof(byte[]))
        {
            return GuestValue.FromBytes((byte[])(object)value!);
        }

        throw Unsupported(typeof(T));
    }

    public static T FromValue<T>(in GuestValue value)
    {
        if (typeof(T) == typeof(int))
        {
            var x = value.AsInt32();
            return Unsafe.As<int, T>(ref x);
        }

        if (typeof(T) == typeof(uint))
        {
            var x = value.AsUInt32();
            return Unsafe.As<uint, T>(ref x);
        }

        if (typeof(T) == typeof(long))
        {
            var x = value.AsInt64();
            return Unsafe.As<long, T>(ref x);
        }

        if (typeof(T) == typeof(ulong))
        {
            var x = value.AsUInt64();
            return Unsafe.As<ulong, T>(ref x);
        }

        if (typeof(T) == typeof(float))
        {
            var x = value.AsSingle();
            return Unsafe.As<float, T>(ref x);
        }

        if (typeof(T) == typeof(double))
        {
            var x = value.AsDouble();
            return Unsafe.As<double, T>(ref x);
        }

        if (typeof(T) == typeof(bool))
        {
            var x = value.AsBoolean();
            return Unsafe.As<bool, T>(ref x);
        }

        if (typeof(T) == typeof(string))
        {
            return (T)(object)value.AsString();
        }

        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)value.AsBytes();
        }

        throw Unsupported(typeof(T));
    }
}
