using System.Text;
using CsCheck;
using HyperSharp.Calls;

namespace HyperSharp.Tests.Calls;

/// <summary>CsCheck generators for values and messages the writer accepts.</summary>
internal static class WireGenerators
{
    /// <summary>Any UTF-16 string (surrogates included), normalised the way the writer encodes it (lone surrogates → U+FFFD).</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
            (3, Gen.Char.Array[0, 24]),
            (1, Gen.Char['a', 'z'].Array[0, 40]),
            (1, Gen.Char['\u0000', '\u00ff'].Array[0, 16]))
        .Select(chars => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(new string(chars))));

    /// <summary>A function name of at most <see cref="WireFormat.MaxNameSize"/> UTF-8 bytes.</summary>
    public static readonly Gen<string> Name = Gen.Frequency(
            (4, Text),
            (1, Gen.Char['A', 'Z'].Array[WireFormat.MaxNameSize].Select(chars => new string(chars))))
        .Where(name => Encoding.UTF8.GetByteCount(name) <= WireFormat.MaxNameSize);

    /// <summary>A value of every type, with scalar bit patterns drawn uniformly (so NaN payloads and -0 occur).</summary>
    public static readonly Gen<GuestValue> Value = Gen.OneOf(
        Gen.Int.Select(GuestValue.FromInt32),
        Gen.UInt.Select(GuestValue.FromUInt32),
        Gen.Long.Select(GuestValue.FromInt64),
        Gen.ULong.Select(GuestValue.FromUInt64),
        Gen.UInt.Select(bits => GuestValue.FromScalarBits(GuestValueType.Float, bits)),
        Gen.ULong.Select(bits => GuestValue.FromScalarBits(GuestValueType.Double, bits)),
        Gen.Bool.Select(GuestValue.FromBoolean),
        Text.Select(GuestValue.FromString),
        Gen.Byte.Array[0, 40].Select(GuestValue.FromBytes));

    public static readonly Gen<GuestValueType> ReturnType = Gen.Int[0, (int)WireFormat.MaxType].Select(i => (GuestValueType)i);

    public static readonly Gen<GuestValueType> ParameterType = Gen.Int[1, (int)WireFormat.MaxType].Select(i => (GuestValueType)i);

    public static readonly Gen<GuestValue[]> Arguments = Gen.Frequency(
        (4, Value.Array[0, 4]),
        (1, Value.Array[0, WireFormat.MaxParameters]));

    public static readonly Gen<GuestFunctionSignature> Signature =
        Gen.Select(Name, ReturnType, ParameterType.Array[0, WireFormat.MaxParameters], (name, ret, parameters) => new GuestFunctionSignature(name, ret, parameters));

    /// <summary>The bytes of a valid message of any kind, written by <see cref="MessageWriter"/>.</summary>
    public static readonly Gen<byte[]> Message = Gen.OneOf(
        Gen.Select(Name, ReturnType, Arguments, (name, ret, args) => Write((span) => (MessageWriter.TryWriteCall(span, name, ret, args, out var n), n))),
        Gen.Frequency((1, Gen.Const(default(GuestValue))), (8, Value)).Select(value => Write((span) => (MessageWriter.TryWriteReturn(span, value, out var n), n))),
        Gen.Select(Gen.Int, Text, (code, text) => Write((span) => (MessageWriter.TryWriteError(span, code, text, out var n), n))),
        Signature.Array[0, 6].Select(functions => Write((span) => (MessageWriter.TryWriteFunctions(span, functions, out var n), n))));

    public delegate (bool Ok, int Written) SpanWriter(Span<byte> destination);

    public static byte[] Write(SpanWriter write)
    {
        var buffer = new byte[64 * 1024];
        var (ok, written) = write(buffer);
        return ok ? buffer[..written] : throw new InvalidOperationException("A generated message did not fit 64 KiB.");
    }
}
