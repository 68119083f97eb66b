using System.Buffers.Binary;

namespace HyperSharp.Calls;

/// <summary>
/// Constants and layout of the host/guest wire format, mirrored from <c>guest/include/hypersharp/abi.h</c>
/// (docs/guest-abi.md §6). <c>tests/HyperSharp.AbiTests</c> checks every value here against the header with gcc.
/// </summary>
internal static class WireFormat
{
    /// <summary><c>sizeof(hs_message_header)</c>.</summary>
    public const int HeaderSize = 16;

    /// <summary><c>sizeof(hs_value_header)</c>.</summary>
    public const int ValueHeaderSize = 8;

    /// <summary><c>sizeof(hs_signature_header)</c>.</summary>
    public const int SignatureHeaderSize = 8;

    /// <summary><c>HS_MAX_PARAMETERS</c>: values in a CALL, parameters in a signature.</summary>
    public const int MaxParameters = 32;

    /// <summary><c>HS_MAX_NAME_SIZE</c>: UTF-8 bytes of a function name.</summary>
    public const int MaxNameSize = 256;

    /// <summary><c>HS_MAX_FUNCTIONS</c>: signatures in a FUNCTIONS message.</summary>
    public const int MaxFunctions = 1024;

    /// <summary><c>HS_MAX_ABORT_MESSAGE</c>: UTF-8 bytes of an abort text (the SDK cuts longer ones).</summary>
    public const int MaxAbortMessage = 1024;

    /// <summary>The largest value tag (<c>HS_TYPE_BYTES</c>).</summary>
    public const GuestValueType MaxType = GuestValueType.Bytes;

    // Field offsets of hs_message_header.
    public const int HeaderSizeOffset = 0;
    public const int HeaderKindOffset = 4;
    public const int HeaderReturnTypeOffset = 5;
    public const int HeaderCountOffset = 6;
    public const int HeaderNameSizeOffset = 8;
    public const int HeaderReservedOffset = 12;

    // Field offsets of hs_value_header.
    public const int ValueTypeOffset = 0;
    public const int ValueReservedOffset = 1;
    public const int ValueSizeOffset = 4;

    // Field offsets of hs_signature_header.
    public const int SignatureReturnTypeOffset = 0;
    public const int SignatureParamCountOffset = 1;
    public const int SignatureNameSizeOffset = 2;
    public const int SignatureReservedOffset = 4;

    /// <summary>Rounds up to a multiple of 8 (<c>hs_align8</c>). <paramref name="n"/> must be at most <see cref="int.MaxValue"/> - 7.</summary>
    public static int Align8(int n) => (n + 7) & ~7;

    /// <summary>Rounds up to a multiple of 8 without overflow for any size a 32-bit field can hold.</summary>
    public static long Align8(long n) => (n + 7) & ~7L;

    /// <summary>The exact payload size of a scalar type, or -1 for STRING, BYTES, VOID and unknown tags.</summary>
    public static int ScalarSize(GuestValueType type) => type switch
    {
        GuestValueType.Int or GuestValueType.UInt or GuestValueType.Float => 4,
        GuestValueType.Long or GuestValueType.ULong or GuestValueType.Double => 8,
        GuestValueType.Bool => 1,
        _ => -1,
    };

    /// <summary>Whether <paramref name="type"/> is a tag a value may carry (not VOID, not unknown).</summary>
    public static bool IsValueType(GuestValueType type) => type is >= GuestValueType.Int and <= MaxType;

    /// <summary>Whether <paramref name="type"/> is a tag a return type may carry (VOID or a value type).</summary>
    public static bool IsReturnType(GuestValueType type) => type <= MaxType;

    /// <summary>Bytes a payload of <paramref name="payloadSize"/> occupies after padding; STRING keeps room for its NUL.</summary>
    public static long PaddedPayloadSize(GuestValueType type, long payloadSize) =>
        type == GuestValueType.String ? Align8(payloadSize + 1) : Align8(payloadSize);

    /// <summary>
    /// The parameter-type and name bytes of a signature after padding. Unlike a STRING, a name gets no NUL of
    /// its own: abi.h pads names only to a multiple of 8, so an 8-byte name is followed directly by the next part.
    /// </summary>
    public static int PaddedSignatureBody(int parameterCount, int nameSize) => Align8(parameterCount + nameSize);

    /// <summary>Bytes a CALL name occupies after padding (no NUL of its own, like <see cref="PaddedSignatureBody"/>).</summary>
    public static int PaddedNameSize(int nameSize) => Align8(nameSize);

    internal static uint ReadUInt32(ReadOnlySpan<byte> source, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(source[offset..]);

    internal static void WriteUInt32(Span<byte> destination, int offset, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], value);
}
