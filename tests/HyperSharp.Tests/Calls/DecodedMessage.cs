using System.Globalization;
using System.Text;
using HyperSharp.Calls;

namespace HyperSharp.Tests.Calls;

/// <summary>
/// A fully decoded message, the canonical text rendering shared with the C checker (tests/vectors/wire.txt), and
/// re-encoding through <see cref="MessageWriter"/>.
/// </summary>
internal sealed record DecodedMessage(
    MessageKind Kind,
    GuestValueType ReturnType,
    string? Name,
    byte[] NameUtf8,
    GuestValue[] Values,
    int ErrorCode,
    GuestFunctionSignature[] Functions)
{
    /// <summary>Decodes every part of the message with <see cref="MessageReader"/>; throws what the reader throws.</summary>
    public static DecodedMessage Decode(ReadOnlySpan<byte> buffer)
    {
        var reader = MessageReader.Open(buffer);
        switch (reader.Kind)
        {
            case MessageKind.Call:
                var name = reader.ReadCallName();
                var nameUtf8 = reader.CallNameUtf8.ToArray();
                var values = new GuestValue[reader.Count];
                reader.ReadValues(values);
                return new(reader.Kind, reader.ReturnType, name, nameUtf8, values, 0, []);
            case MessageKind.Return:
                reader.ReadReturn(reader.ReturnType, out var value);
                return new(reader.Kind, reader.ReturnType, null, [], value.Type == GuestValueType.Void ? [] : [value], 0, []);
            case MessageKind.Error:
                var (code, message) = reader.ReadError();
                return new(reader.Kind, GuestValueType.Void, null, [], [GuestValue.FromString(message)], code, []);
            default:
                return new(reader.Kind, GuestValueType.Void, null, [], [], 0, reader.ReadFunctions());
        }
    }

    /// <summary>The canonical one-line rendering (see the header of tests/vectors/wire.txt).</summary>
    public string Render() => Kind switch
    {
        MessageKind.Call => $"CALL {Hex(NameUtf8)} {TypeName(ReturnType)} [{string.Join(' ', Values.Select(RenderValue))}]",
        MessageKind.Return => $"RETURN {TypeName(ReturnType)} [{string.Join(' ', Values.Select(RenderValue))}]",
        MessageKind.Error => string.Create(CultureInfo.InvariantCulture, $"ERROR {unchecked((uint)ErrorCode)} [{RenderValue(Values[0])}]"),
        _ => $"FUNCTIONS [{string.Join(',', Functions.Select(RenderSignature))}]",
    };

    /// <summary>Re-encodes with <see cref="MessageWriter"/> into a buffer of exactly <paramref name="size"/> bytes.</summary>
    public byte[] Encode(int size)
    {
        var buffer = new byte[size];
        var ok = Kind switch
        {
            MessageKind.Call => MessageWriter.TryWriteCall(buffer, Name!, ReturnType, Values, out var written) && written == size,
            MessageKind.Return => MessageWriter.TryWriteReturn(buffer, Values.Length == 0 ? default : Values[0], out var written) && written == size,
            MessageKind.Error => MessageWriter.TryWriteError(buffer, ErrorCode, Values[0].AsString(), out var written) && written == size,
            _ => MessageWriter.TryWriteFunctions(buffer, Functions, out var written) && written == size,
        };
        return ok ? buffer : throw new InvalidOperationException($"The writer did not produce exactly {size} bytes.");
    }

    public static string RenderValue(GuestValue value) => value.Type switch
    {
        GuestValueType.Int => Invariant($"INT:{value.AsInt32()}"),
        GuestValueType.UInt => Invariant($"UINT:{value.AsUInt32()}"),
        GuestValueType.Long => Invariant($"LONG:{value.AsInt64()}"),
        GuestValueType.ULong => Invariant($"ULONG:{value.AsUInt64()}"),
        GuestValueType.Float => Invariant($"FLOAT:0x{BitConverter.SingleToUInt32Bits(value.AsSingle()):x8}"),
        GuestValueType.Double => Invariant($"DOUBLE:0x{BitConverter.DoubleToUInt64Bits(value.AsDouble()):x16}"),
        GuestValueType.Bool => value.AsBoolean() ? "BOOL:true" : "BOOL:false",
        GuestValueType.String => $"STRING:{Hex(Encoding.UTF8.GetBytes(value.AsString()))}",
        GuestValueType.Bytes => $"BYTES:{Hex(value.AsBytes())}",
        _ => throw new ArgumentException($"{value.Type} is not a value type.", nameof(value)),
    };

    public static string TypeName(GuestValueType type) => type.ToString().ToUpperInvariant();

    private static string RenderSignature(GuestFunctionSignature signature) =>
        $"{TypeName(signature.ReturnType)}:{Hex(Encoding.UTF8.GetBytes(signature.Name))}({string.Join(',', signature.ParameterTypes.Select(TypeName))})";

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
