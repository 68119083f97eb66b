using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace HyperSharp.Calls;

/// <summary>
/// Decodes and validates one wire message (docs/guest-abi.md §6) read from guest memory, which is untrusted.
/// </summary>
/// <remarks>
/// <para>
/// Every rule of the spec is enforced: header size bounds, known kinds and tags, exact scalar sizes, BOOL 0 or 1,
/// zero reserved and padding bytes, valid UTF-8 for strings and names (plus a NUL after each string), the limits, and parts
/// that exactly fill the message. Unused header fields (return type of ERROR and FUNCTIONS, name_size of RETURN
/// and FUNCTIONS) are treated as reserved and must be zero. Any violation throws
/// <see cref="GuestProtocolException"/> naming the rule and the byte offset from the start of the message; no
/// input can make the reader throw anything else. Calling members out of order is a host bug and throws
/// <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Each field is read once into a local before it is checked and used. Only strings, byte arrays and
/// signatures allocate; reading a scalar-only message allocates nothing.
/// </para>
/// </remarks>
internal ref struct MessageReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _nameSize;
    private readonly uint _nameField;
    private int _position;
    private int _read;

    private MessageReader(ReadOnlySpan<byte> message, MessageKind kind, GuestValueType returnType, int count, uint nameField, int nameSize, int position)
    {
        _message = message;
        Kind = kind;
        ReturnType = returnType;
        Count = count;
        _nameField = nameField;
        _nameSize = nameSize;
        _position = position;
    }

    /// <summary>The message kind.</summary>
    public MessageKind Kind { get; }

    /// <summary>The message size in bytes, header included.</summary>
    public readonly int Size => _message.Length;

    /// <summary>CALL: the expected return type; RETURN: the type of the value (VOID if none); otherwise VOID.</summary>
    public GuestValueType ReturnType { get; }

    /// <summary>CALL: parameter values; RETURN: 0 or 1; ERROR: 1; FUNCTIONS: signatures.</summary>
    public int Count { get; }

    /// <summary>ERROR: the error code (the 32-bit field reinterpreted as signed); otherwise 0.</summary>
    public readonly int ErrorCode => Kind == MessageKind.Error ? unchecked((int)_nameField) : 0;

    /// <summary>CALL: the function name's UTF-8 bytes, already validated; otherwise empty.</summary>
    public readonly ReadOnlySpan<byte> CallNameUtf8 =>
        Kind == MessageKind.Call ? _message.Slice(WireFormat.HeaderSize, _nameSize) : default;

    /// <summary>Validates the header (and, for a CALL, the name) of the message at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Exactly the buffer the message was written to; the message may be shorter.</param>
    /// <exception cref="GuestProtocolException">The header is malformed.</exception>
    public static MessageReader Open(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < WireFormat.HeaderSize)
        {
            throw Malformed($"the {buffer.Length}-byte buffer cannot hold the {WireFormat.HeaderSize}-byte message header");
        }

        var size = WireFormat.ReadUInt32(buffer, WireFormat.HeaderSizeOffset);
        var kindByte = buffer[WireFormat.HeaderKindOffset];
        var returnTypeByte = buffer[WireFormat.HeaderReturnTypeOffset];
        int count = BinaryPrimitives.ReadUInt16LittleEndian(buffer[WireFormat.HeaderCountOffset..]);
        var nameField = WireFormat.ReadUInt32(buffer, WireFormat.HeaderNameSizeOffset);
        var reserved = WireFormat.ReadUInt32(buffer, WireFormat.HeaderReservedOffset);

        if (size < WireFormat.HeaderSize)
        {
            throw Malformed($"size {size} at offset 0 is smaller than the {WireFormat.HeaderSize}-byte header");
        }

        if (size % 8 != 0)
        {
            throw Malformed($"size {size} at offset 0 is not a multiple of 8");
        }

        if (size > (uint)buffer.Length)
        {
            throw Malformed($"size {size} at offset 0 exceeds the {buffer.Length}-byte buffer");
        }

        if (kindByte is < (byte)MessageKind.Call or > (byte)MessageKind.Functions)
        {
            throw Malformed($"unknown message kind {kindByte} at offset {WireFormat.HeaderKindOffset}");
        }

        var kind = (MessageKind)kindByte;
        if (reserved != 0)
        {
            throw Malformed(kind, $"reserved header field at offset {WireFormat.HeaderReservedOffset} is 0x{reserved:x8}, not 0");
        }

        var returnType = (GuestValueType)returnTypeByte;
        if (!WireFormat.IsReturnType(returnType))
        {
            throw Malformed(kind, $"unknown return type tag {returnTypeByte} at offset {WireFormat.HeaderReturnTypeOffset}");
        }

        var message = buffer[..(int)size];
        var position = WireFormat.HeaderSize;
        var nameSize = 0;
        switch (kind)
        {
            case MessageKind.Call:
                if (count > WireFormat.MaxParameters)
                {
                    throw Malformed(kind, $"count {count} at offset {WireFormat.HeaderCountOffset} exceeds the limit of {WireFormat.MaxParameters} parameters");
                }

                if (nameField > WireFormat.MaxNameSize)
                {
                    throw Malformed(kind, $"name size {nameField} at offset {WireFormat.HeaderNameSizeOffset} exceeds the limit of {WireFormat.MaxNameSize} bytes");
                }

                nameSize = (int)nameField;
                position += CheckText(message, kind, "function name", 0, WireFormat.HeaderSize, nameSize, WireFormat.PaddedNameSize(nameSize), nulTerminated: false);
                break;

            case MessageKind.Return:
                CheckZero(kind, "name size", WireFormat.HeaderNameSizeOffset, nameField);
                if (count > 1)
                {
                    throw Malformed(kind, $"count {count} at offset {WireFormat.HeaderCountOffset} is not 0 or 1");
                }

                if (count == 0 && returnType != GuestValueType.Void)
                {
                    throw Malformed(kind, $"return type {TypeName(returnType)} at offset {WireFormat.HeaderReturnTypeOffset} needs a value, but count is 0");
                }

                if (count == 1 && returnType == GuestValueType.Void)
                {
                    throw Malformed(kind, $"return type VOID at offset {WireFormat.HeaderReturnTypeOffset} cannot carry a value, but count is 1");
                }

                break;

            case MessageKind.Error:
                CheckZero(kind, "return type", WireFormat.HeaderReturnTypeOffset, returnTypeByte);
                if (count != 1)
                {
                    throw Malformed(kind, $"count {count} at offset {WireFormat.HeaderCountOffset} is not 1");
                }

                break;

            default:
                CheckZero(kind, "return type", WireFormat.HeaderReturnTypeOffset, returnTypeByte);
                CheckZero(kind, "name size", WireFormat.HeaderNameSizeOffset, nameField);
                if (count > WireFormat.MaxFunctions)
                {
                    throw Malformed(kind, $"count {count} at offset {WireFormat.HeaderCountOffset} exceeds the limit of {WireFormat.MaxFunctions} functions");
                }

                break;
        }

        return new MessageReader(message, kind, returnType, count, nameField, nameSize, position);
    }

    /// <summary>CALL: the function name, decoded.</summary>
    /// <exception cref="GuestProtocolException">The message is not a CALL.</exception>
    public readonly string ReadCallName()
    {
        Expect(MessageKind.Call);
        return Encoding.UTF8.GetString(CallNameUtf8);
    }

    /// <summary>CALL, RETURN or ERROR: the next value, validated.</summary>
    /// <exception cref="GuestProtocolException">The value is malformed.</exception>
    /// <exception cref="InvalidOperationException">All <see cref="Count"/> values were read, or this is a FUNCTIONS message.</exception>
    public GuestValue ReadValue()
    {
        if (Kind == MessageKind.Functions || _read >= Count)
        {
            throw new InvalidOperationException($"The {KindName(Kind)} message has no more values to read ({_read} of {Count} read).");
        }

        var index = _read;
        var start = _position;
        var remaining = _message.Length - start;
        if (remaining < WireFormat.ValueHeaderSize)
        {
            throw Malformed(Kind, $"value {index} at offset {start} runs past the end of the {_message.Length}-byte message");
        }

        var header = _message.Slice(start, WireFormat.ValueHeaderSize);
        var tag = header[WireFormat.ValueTypeOffset];
        var type = (GuestValueType)tag;
        if (type == GuestValueType.Void)
        {
            throw Malformed(Kind, $"value {index} at offset {start} has type VOID, which is only a return type");
        }

        if (!WireFormat.IsValueType(type))
        {
            throw Malformed(Kind, $"value {index} at offset {start} has unknown type tag {tag}");
        }

        CheckZeroBytes(header.Slice(WireFormat.ValueReservedOffset, 3), start + WireFormat.ValueReservedOffset, "reserved byte of value {0}", index);
        var size = WireFormat.ReadUInt32(header, WireFormat.ValueSizeOffset);
        var scalarSize = WireFormat.ScalarSize(type);
        if (scalarSize > 0 && size != (uint)scalarSize)
        {
            throw Malformed(Kind, $"{TypeName(type)} value {index} at offset {start} has size {size}, not {scalarSize}");
        }

        // long arithmetic: size may be up to 0xFFFFFFFF.
        var padded = WireFormat.PaddedPayloadSize(type, size);
        if (padded > remaining - WireFormat.ValueHeaderSize)
        {
            throw Malformed(Kind, $"{TypeName(type)} value {index} at offset {start} with size {size} runs past the end of the {_message.Length}-byte message");
        }

        var payloadOffset = start + WireFormat.ValueHeaderSize;
        var payload = _message.Slice(payloadOffset, (int)size);
        GuestValue value;
        switch (type)
        {
            case GuestValueType.String:
                CheckText(_message, Kind, "STRING value {0}", index, payloadOffset, (int)size, (int)padded, nulTerminated: true);
                value = GuestValue.FromString(Encoding.UTF8.GetString(payload));
                break;
            case GuestValueType.Bytes:
                CheckZeroBytes(_message.Slice(payloadOffset + (int)size, (int)padded - (int)size), payloadOffset + (int)size, "padding of BYTES value {0}", index);
                value = GuestValue.FromBytes(payload.ToArray());
                break;
            default:
                CheckZeroBytes(_message.Slice(payloadOffset + scalarSize, 8 - scalarSize), payloadOffset + scalarSize, "padding of value {0}", index);
                var bits = scalarSize == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(payload) : scalarSize == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(payload) : payload[0];
                if (type == GuestValueType.Bool && bits > 1)
                {
                    throw Malformed(Kind, $"BOOL value {index} at offset {start} is {bits}, not 0 or 1");
                }

                value = GuestValue.FromScalarBits(type, bits);
                break;
        }

        _position = payloadOffset + (int)padded;
        _read++;
        return value;
    }

    /// <summary>CALL: reads all <see cref="Count"/> values into <paramref name="destination"/> and checks the message ends there.</summary>
    public void ReadValues(Span<GuestValue> destination)
    {
        if (destination.Length != Count - _read)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {Count - _read} remain.", nameof(destination));
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = ReadValue();
        }

        EnsureEnd();
    }

    /// <summary>RETURN: the value, which must be of <paramref name="expected"/> type (VOID: no value); checks the message ends there.</summary>
    /// <exception cref="GuestProtocolException">The message is not a RETURN, or returns another type, or is malformed.</exception>
    public void ReadReturn(GuestValueType expected, out GuestValue value)
    {
        Expect(MessageKind.Return);
        if (ReturnType != expected)
        {
            throw Malformed(Kind, $"return type {TypeName(ReturnType)} at offset {WireFormat.HeaderReturnTypeOffset} is not the expected {TypeName(expected)}");
        }

        value = default;
        if (Count == 1)
        {
            var start = _position;
            value = ReadValue();
            if (value.Type != ReturnType)
            {
                throw Malformed(Kind, $"value 0 at offset {start} is {TypeName(value.Type)}, but the header says {TypeName(ReturnType)}");
            }
        }

        EnsureEnd();
    }

    /// <summary>ERROR: the code and the message text; checks the message ends there.</summary>
    /// <exception cref="GuestProtocolException">The message is not an ERROR, or is malformed.</exception>
    public (int Code, string Message) ReadError()
    {
        Expect(MessageKind.Error);
        var start = _position;
        if (_message.Length - start >= WireFormat.ValueHeaderSize && _message[start] != (byte)GuestValueType.String)
        {
            throw Malformed(Kind, $"value 0 at offset {start} has type tag {_message[start]}, not STRING");
        }

        var text = ReadValue().AsString();
        EnsureEnd();
        return (ErrorCode, text);
    }

    /// <summary>FUNCTIONS: the signatures, validated; checks the message ends there.</summary>
    /// <exception cref="GuestProtocolException">The message is not FUNCTIONS, or is malformed.</exception>
    public GuestFunctionSignature[] ReadFunctions()
    {
        Expect(MessageKind.Functions);
        if (_read != 0)
        {
            throw new InvalidOperationException("The signatures were already read.");
        }

        var functions = new GuestFunctionSignature[Count];
        for (var index = 0; index < functions.Length; index++)
        {
            var start = _position;
            if (_message.Length - start < WireFormat.SignatureHeaderSize)
            {
                throw Malformed(Kind, $"signature {index} at offset {start} runs past the end of the {_message.Length}-byte message");
            }

            var returnTag = _message[start + WireFormat.SignatureReturnTypeOffset];
            int parameterCount = _message[start + WireFormat.SignatureParamCountOffset];
            int nameSize = BinaryPrimitives.ReadUInt16LittleEndian(_message[(start + WireFormat.SignatureNameSizeOffset)..]);
            var reserved = WireFormat.ReadUInt32(_message, start + WireFormat.SignatureReservedOffset);
            if (!WireFormat.IsReturnType((GuestValueType)returnTag))
            {
                throw Malformed(Kind, $"signature {index} at offset {start} has unknown return type tag {returnTag}");
            }

            if (parameterCount > WireFormat.MaxParameters)
            {
                throw Malformed(Kind, $"signature {index} at offset {start} has {parameterCount} parameters; the limit is {WireFormat.MaxParameters}");
            }

            if (nameSize > WireFormat.MaxNameSize)
            {
                throw Malformed(Kind, $"signature {index} at offset {start} has name size {nameSize}; the limit is {WireFormat.MaxNameSize} bytes");
            }

            CheckZero(Kind, $"reserved field of signature {index}", start + WireFormat.SignatureReservedOffset, reserved);
            var body = start + WireFormat.SignatureHeaderSize;
            var padded = WireFormat.PaddedSignatureBody(parameterCount, nameSize);
            if (padded > _message.Length - body)
            {
                throw Malformed(Kind, $"signature {index} at offset {start} runs past the end of the {_message.Length}-byte message");
            }

            var parameters = parameterCount == 0 ? [] : new GuestValueType[parameterCount];
            for (var i = 0; i < parameters.Length; i++)
            {
                var tag = _message[body + i];
                if (!WireFormat.IsValueType((GuestValueType)tag))
                {
                    throw Malformed(Kind, $"parameter {i} of signature {index} at offset {body + i} has {(tag == 0 ? "type VOID, which is only a return type" : $"unknown type tag {tag}")}");
                }

                parameters[i] = (GuestValueType)tag;
            }

            var nameOffset = body + parameterCount;
            CheckText(_message, Kind, "name of signature {0}", index, nameOffset, nameSize, padded - parameterCount, nulTerminated: false);
            var name = Encoding.UTF8.GetString(_message.Slice(nameOffset, nameSize));
            functions[index] = new GuestFunctionSignature(name, (GuestValueType)returnTag, parameters);
            _position = body + padded;
        }

        _read = Count;
        EnsureEnd();
        return functions;
    }

    /// <summary>Checks that the parts read so far exactly fill the message.</summary>
    /// <exception cref="GuestProtocolException">Bytes follow the last part.</exception>
    /// <exception cref="InvalidOperationException">Not all values were read.</exception>
    public readonly void EnsureEnd()
    {
        if (_read != Count)
        {
            throw new InvalidOperationException($"Only {_read} of the {Count} parts of the {KindName(Kind)} message were read.");
        }

        if (_position != _message.Length)
        {
            throw Malformed(Kind, $"{_message.Length - _position} bytes at offset {_position} follow the last part of the {_message.Length}-byte message");
        }
    }

    private readonly void Expect(MessageKind kind)
    {
        if (Kind != kind)
        {
            throw Malformed(Kind, $"expected a {KindName(kind)} message");
        }
    }

    /// <summary>
    /// Validates UTF-8 text of <paramref name="size"/> bytes at <paramref name="offset"/> followed by zero padding up
    /// to <paramref name="padded"/> bytes (for a string, the first of them is its NUL). Returns <paramref name="padded"/>.
    /// </summary>
    private static int CheckText(ReadOnlySpan<byte> message, MessageKind kind, string label, int index, int offset, int size, int padded, bool nulTerminated)
    {
        // The label is formatted only on failure, so the success path allocates nothing.
        string What() => string.Format(CultureInfo.InvariantCulture, label, index);

        if ((long)offset + padded > message.Length)
        {
            throw Malformed(kind, $"{What()} at offset {offset} with size {size} runs past the end of the {message.Length}-byte message");
        }

        var text = message.Slice(offset, size);
        if (!Utf8.IsValid(text))
        {
            throw Malformed(kind, $"{What()} at offset {offset} is not valid UTF-8 (first bad byte at offset {offset + FirstInvalidUtf8(text)})");
        }

        var padding = message.Slice(offset + size, padded - size);
        var bad = padding.IndexOfAnyExcept((byte)0);
        if (bad >= 0)
        {
            throw Malformed(kind, $"{(bad == 0 && nulTerminated ? $"the NUL after {What()}" : $"padding of {What()}")} at offset {offset + size + bad} is 0x{padding[bad]:x2}, not 0");
        }

        return padded;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            if (Rune.DecodeFromUtf8(text[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    private readonly void CheckZeroBytes(ReadOnlySpan<byte> bytes, int offset, string label, int index)
    {
        var bad = bytes.IndexOfAnyExcept((byte)0);
        if (bad >= 0)
        {
            throw Malformed(Kind, $"{string.Format(CultureInfo.InvariantCulture, label, index)} at offset {offset + bad} is 0x{bytes[bad]:x2}, not 0");
        }
    }

    private static void CheckZero(MessageKind kind, string what, int offset, uint value)
    {
        if (value != 0)
        {
            throw Malformed(kind, $"{what} at offset {offset} is {value}, not 0");
        }
    }

    private static GuestProtocolException Malformed(string detail) => new($"Malformed message from the guest: {detail}.");

    private static GuestProtocolException Malformed(MessageKind kind, string detail) => new($"Malformed {KindName(kind)} message from the guest: {detail}.");

    private static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.Call => "CALL",
        MessageKind.Return => "RETURN",
        MessageKind.Error => "ERROR",
        MessageKind.Functions => "FUNCTIONS",
        _ => $"kind-{(byte)kind}",
    };

    private static string TypeName(GuestValueType type) => type switch
    {
        <= WireFormat.MaxType => type.ToString().ToUpperInvariant(),
        _ => $"tag-{(byte)type}",
    };
}
