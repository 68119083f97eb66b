using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace HyperSharp.Calls;

/// <summary>
/// Encodes wire messages (docs/guest-abi.md §6) into a caller-supplied span, usually the guest's input buffer.
/// Nothing is allocated: names and strings are encoded straight into the destination, and every padding and
/// reserved byte is written as zero, so the destination's previous contents never leak into a message.
/// </summary>
/// <remarks>
/// Each <c>TryWrite*</c> returns <see langword="false"/> with <c>written = 0</c> when the message does not fit,
/// leaving the destination untouched. Inputs the caller must have validated already (VOID or unknown value types,
/// more than <see cref="WireFormat.MaxParameters"/> values, names longer than <see cref="WireFormat.MaxNameSize"/>
/// UTF-8 bytes) throw <see cref="ArgumentException"/>. Strings holding unpaired surrogates are encoded with
/// U+FFFD replacement, like <see cref="Encoding.UTF8"/>, so what is written is always valid UTF-8.
/// </remarks>
internal static class MessageWriter
{
    /// <summary>Writes a CALL of <paramref name="name"/> with <paramref name="args"/>, expecting <paramref name="returnType"/>.</summary>
    public static bool TryWriteCall(Span<byte> destination, string name, GuestValueType returnType, ReadOnlySpan<GuestValue> args, out int written)
    {
        if (!WireFormat.IsReturnType(returnType))
        {
            throw new ArgumentOutOfRangeException(nameof(returnType), returnType, "Not a wire return type.");
        }

        var nameSize = ValidateName(name, nameof(name));
        var size = MeasureCallCore(nameSize, args);
        if (size > destination.Length)
        {
            written = 0;
            return false;
        }

        WriteHeader(destination, (int)size, MessageKind.Call, returnType, args.Length, (uint)nameSize);
        var position = WireFormat.HeaderSize + WriteName(destination[WireFormat.HeaderSize..], name, nameSize);
        foreach (ref readonly var arg in args)
        {
            position += WriteValue(destination, position, arg);
        }

        Debug.Assert(position == size, "MeasureCallCore and the writer disagree.");
        written = (int)size;
        return true;
    }

    /// <summary>
    /// The exact size of the CALL <see cref="TryWriteCall"/> would write, saturated at <see cref="int.MaxValue"/>
    /// (larger than any buffer), so callers can report how far arguments exceed the input buffer.
    /// </summary>
    public static int MeasureCall(string name, ReadOnlySpan<GuestValue> args)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Saturate(MeasureCallCore(Encoding.UTF8.GetByteCount(name), args));
    }

    /// <summary>Writes a RETURN of <paramref name="value"/>; a <see cref="GuestValueType.Void"/> value writes count 0.</summary>
    public static bool TryWriteReturn(Span<byte> destination, in GuestValue value, out int written)
    {
        var isVoid = value.Type == GuestValueType.Void;
        var size = WireFormat.HeaderSize + (isVoid ? 0 : MeasureValue(value));
        if (size > destination.Length)
        {
            written = 0;
            return false;
        }

        WriteHeader(destination, (int)size, MessageKind.Return, value.Type, isVoid ? 0 : 1, 0);
        if (!isVoid)
        {
            WriteValue(destination, WireFormat.HeaderSize, value);
        }

        written = (int)size;
        return true;
    }

    /// <summary>The exact size of the RETURN <see cref="TryWriteReturn"/> would write, saturated at <see cref="int.MaxValue"/>.</summary>
    public static int MeasureReturn(in GuestValue value) =>
        Saturate(WireFormat.HeaderSize + (value.Type == GuestValueType.Void ? 0 : MeasureValue(value)));

    /// <summary>Writes an ERROR with <paramref name="code"/> (stored as its 32-bit pattern) and <paramref name="message"/>.</summary>
    public static bool TryWriteError(Span<byte> destination, int code, string message, out int written)
    {
        ArgumentNullException.ThrowIfNull(message);
        var value = GuestValue.FromString(message);
        var size = WireFormat.HeaderSize + MeasureValue(value);
        if (size > destination.Length)
        {
            written = 0;
            return false;
        }

        WriteHeader(destination, (int)size, MessageKind.Error, GuestValueType.Void, 1, unchecked((uint)code));
        WriteValue(destination, WireFormat.HeaderSize, value);
        written = (int)size;
        return true;
    }

    /// <summary>The exact size of the ERROR <see cref="TryWriteError"/> would write, saturated at <see cref="int.MaxValue"/>.</summary>
    public static int MeasureError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Saturate(WireFormat.HeaderSize + MeasureValue(GuestValue.FromString(message)));
    }

    /// <summary>Writes a FUNCTIONS message listing <paramref name="functions"/> in order.</summary>
    public static bool TryWriteFunctions(Span<byte> destination, IReadOnlyList<GuestFunctionSignature> functions, out int written)
    {
        ArgumentNullException.ThrowIfNull(functions);
        if (functions.Count > WireFormat.MaxFunctions)
        {
            throw new ArgumentException($"{functions.Count} functions exceed the limit of {WireFormat.MaxFunctions}.", nameof(functions));
        }

        long size = WireFormat.HeaderSize;
        foreach (var function in functions)
        {
            size += MeasureSignature(function);
        }

        if (size > destination.Length)
        {
            written = 0;
            return false;
        }

        WriteHeader(destination, (int)size, MessageKind.Functions, GuestValueType.Void, functions.Count, 0);
        var position = WireFormat.HeaderSize;
        foreach (var function in functions)
        {
            position += WriteSignature(destination[position..], function);
        }

        written = (int)size;
        return true;
    }

    private static long MeasureCallCore(int nameSize, ReadOnlySpan<GuestValue> args)
    {
        if (args.Length > WireFormat.MaxParameters)
        {
            throw new ArgumentException($"{args.Length} arguments exceed the limit of {WireFormat.MaxParameters}.", nameof(args));
        }

        long size = WireFormat.HeaderSize + WireFormat.PaddedNameSize(Math.Min(nameSize, int.MaxValue - 8));
        foreach (ref readonly var arg in args)
        {
            size += MeasureValue(arg);
        }

        return size;
    }

    private static long MeasureValue(in GuestValue value) => value.Type switch
    {
        GuestValueType.String => WireFormat.ValueHeaderSize + WireFormat.PaddedPayloadSize(GuestValueType.String, Encoding.UTF8.GetByteCount((string)value.Reference!)),
        GuestValueType.Bytes => WireFormat.ValueHeaderSize + WireFormat.PaddedPayloadSize(GuestValueType.Bytes, ((byte[])value.Reference!).Length),
        _ when WireFormat.ScalarSize(value.Type) > 0 => WireFormat.ValueHeaderSize + 8,
        _ => throw new ArgumentException($"{value.Type} is not a value type.", nameof(value)),
    };

    private static long MeasureSignature(GuestFunctionSignature function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var nameSize = ValidateName(function.Name, nameof(function));
        if (!WireFormat.IsReturnType(function.ReturnType))
        {
            throw new ArgumentException($"Function '{function.Name}' returns {function.ReturnType}, not a wire return type.", nameof(function));
        }

        var parameters = function.ParameterTypes;
        if (parameters.Count > WireFormat.MaxParameters)
        {
            throw new ArgumentException($"Function '{function.Name}' has {parameters.Count} parameters; the limit is {WireFormat.MaxParameters}.", nameof(function));
        }

        foreach (var type in parameters)
        {
            if (!WireFormat.IsValueType(type))
            {
                throw new ArgumentException($"Function '{function.Name}' has a parameter of type {type}, not a value type.", nameof(function));
            }
        }

        return WireFormat.SignatureHeaderSize + WireFormat.PaddedSignatureBody(parameters.Count, nameSize);
    }

    private static int ValidateName(string name, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);

        // Cheap bound first, so a huge string is never fully scanned: each char is at most 3 UTF-8 bytes.
        var nameSize = name.Length > WireFormat.MaxNameSize ? int.MaxValue : Encoding.UTF8.GetByteCount(name);
        if (nameSize > WireFormat.MaxNameSize)
        {
            throw new ArgumentException($"The function name is longer than {WireFormat.MaxNameSize} UTF-8 bytes.", parameterName);
        }

        return nameSize;
    }

    private static void WriteHeader(Span<byte> destination, int size, MessageKind kind, GuestValueType returnType, int count, uint nameSize)
    {
        WireFormat.WriteUInt32(destination, WireFormat.HeaderSizeOffset, (uint)size);
        destination[WireFormat.HeaderKindOffset] = (byte)kind;
        destination[WireFormat.HeaderReturnTypeOffset] = (byte)returnType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[WireFormat.HeaderCountOffset..], (ushort)count);
        WireFormat.WriteUInt32(destination, WireFormat.HeaderNameSizeOffset, nameSize);
        WireFormat.WriteUInt32(destination, WireFormat.HeaderReservedOffset, 0);
    }

    /// <summary>Writes the UTF-8 name and its zero padding; returns the bytes used.</summary>
    private static int WriteName(Span<byte> destination, string name, int nameSize)
    {
        var padded = WireFormat.PaddedNameSize(nameSize);
        var encoded = Encoding.UTF8.GetBytes(name, destination);
        Debug.Assert(encoded == nameSize, "GetByteCount and GetBytes disagree.");
        destination[nameSize..padded].Clear();
        return padded;
    }

    /// <summary>Writes one value at <paramref name="position"/>, which the caller has checked fits; returns its size.</summary>
    private static int WriteValue(Span<byte> destination, int position, in GuestValue value)
    {
        var header = destination.Slice(position, WireFormat.ValueHeaderSize);
        var payload = destination[(position + WireFormat.ValueHeaderSize)..];
        header[WireFormat.ValueTypeOffset] = (byte)value.Type;
        header.Slice(WireFormat.ValueReservedOffset, 3).Clear();
        int payloadSize;
        int padded;
        switch (value.Type)
        {
            case GuestValueType.String:
                payloadSize = Encoding.UTF8.GetBytes((string)value.Reference!, payload);
                padded = (int)WireFormat.PaddedPayloadSize(GuestValueType.String, payloadSize);
                break;
            case GuestValueType.Bytes:
                var bytes = (byte[])value.Reference!;
                bytes.CopyTo(payload);
                payloadSize = bytes.Length;
                padded = (int)WireFormat.PaddedPayloadSize(GuestValueType.Bytes, payloadSize);
                break;
            default:
                payloadSize = WireFormat.ScalarSize(value.Type);
                padded = 8;

                // Little-endian 8 bytes of the zero-extended bits: the low payloadSize bytes are the value and
                // the rest is the zero padding.
                BinaryPrimitives.WriteUInt64LittleEndian(payload, value.ScalarBits);
                break;
        }

        payload[payloadSize..padded].Clear();
        WireFormat.WriteUInt32(header, WireFormat.ValueSizeOffset, (uint)payloadSize);
        return WireFormat.ValueHeaderSize + padded;
    }

    private static int WriteSignature(Span<byte> destination, GuestFunctionSignature function)
    {
        var parameters = function.ParameterTypes;
        var nameSize = Encoding.UTF8.GetByteCount(function.Name);
        destination[WireFormat.SignatureReturnTypeOffset] = (byte)function.ReturnType;
        destination[WireFormat.SignatureParamCountOffset] = (byte)parameters.Count;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[WireFormat.SignatureNameSizeOffset..], (ushort)nameSize);
        WireFormat.WriteUInt32(destination, WireFormat.SignatureReservedOffset, 0);
        var body = destination[WireFormat.SignatureHeaderSize..];
        for (var i = 0; i < parameters.Count; i++)
        {
            body[i] = (byte)parameters[i];
        }

        var padded = WireFormat.PaddedSignatureBody(parameters.Count, nameSize);
        Encoding.UTF8.GetBytes(function.Name, body[parameters.Count..]);
        body[(parameters.Count + nameSize)..padded].Clear();
        return WireFormat.SignatureHeaderSize + padded;
    }

    private static int Saturate(long size) => (int)Math.Min(size, int.MaxValue);
}
