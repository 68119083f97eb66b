using System.Buffers;
using System.Buffers.Binary;

namespace HyperSharp.Benchmarks.Worker;

/// <summary>What a frame between the harness and the worker process carries.</summary>
internal enum WorkerMessage : byte
{
    /// <summary>Worker → harness, once at start-up: the worker can take requests.</summary>
    Ready = 0,

    /// <summary>UTF-8 string in; <see cref="Result"/> with the same string out.</summary>
    Echo = 1,

    /// <summary>Two little-endian int32s in; the worker asks the harness with <see cref="HostAddRequest"/>, then returns the sum.</summary>
    CallHostAdd = 2,

    /// <summary>Harness → worker: the int32 answer to a <see cref="HostAddRequest"/>.</summary>
    HostAddResult = 3,

    /// <summary>24 KiB in; the first 8 KiB out, as Hyperlight's <c>24K_in_8K_out</c> workload.</summary>
    Bytes24KIn8KOut = 4,

    /// <summary>An int32 page count in: the worker writes one byte to each of that many 4 KiB pages and returns the count.</summary>
    DirtyPages = 5,

    /// <summary>Worker → harness: the result of the request.</summary>
    Result = 6,

    /// <summary>Worker → harness: the host callback, two int32s to add; answered by <see cref="HostAddResult"/>.</summary>
    HostAddRequest = 7,
}

/// <summary>
/// The framing on the worker's stdin and stdout: a little-endian int32 payload length, one
/// <see cref="WorkerMessage"/> byte, the payload. Compiled into both the worker and the harness so the two cannot drift.
/// </summary>
internal static class WorkerProtocol
{
    public const int HeaderSize = 5;

    /// <summary>The largest payload either side accepts; a bigger length means a corrupt stream.</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>Bytes returned by <see cref="WorkerMessage.Bytes24KIn8KOut"/>.</summary>
    public const int BytesOut = 8 << 10;

    /// <summary>The page size <see cref="WorkerMessage.DirtyPages"/> strides by.</summary>
    public const int PageSize = 4096;

    /// <summary>The most pages <see cref="WorkerMessage.DirtyPages"/> dirties.</summary>
    public const int MaxDirtyPages = 1024;

    /// <summary>Writes one frame with a single write, so a request costs one pipe write, then flushes.</summary>
    public static void Write(Stream stream, WorkerMessage kind, ReadOnlySpan<byte> payload)
    {
        var frame = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
            frame[4] = (byte)kind;
            payload.CopyTo(frame.AsSpan(HeaderSize));
            stream.Write(frame, 0, HeaderSize + payload.Length);
            stream.Flush();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Writes a frame whose payload is int32s.</summary>
    public static void WriteInts(Stream stream, WorkerMessage kind, int first, int? second = null)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(payload, first);
        var length = 4;
        if (second is { } value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload[4..], value);
            length = 8;
        }

        Write(stream, kind, payload[..length]);
    }

    /// <summary>Reads one frame; <see langword="null"/> at end of stream before a header.</summary>
    public static (WorkerMessage Kind, byte[] Payload)? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        var read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderSize)
        {
            throw new EndOfStreamException("The stream ended inside a frame header.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxPayload)
        {
            throw new InvalidDataException($"Frame length {length} is outside 0..{MaxPayload}.");
        }

        var payload = length == 0 ? [] : new byte[length];
        stream.ReadExactly(payload);
        return ((WorkerMessage)header[4], payload);
    }

    /// <summary>Reads a frame and checks its kind.</summary>
    public static byte[] Expect(Stream stream, WorkerMessage kind)
    {
        var frame = Read(stream) ?? throw new EndOfStreamException($"The stream ended while waiting for {kind}.");
        return frame.Kind == kind ? frame.Payload : throw new InvalidDataException($"Expected {kind}, got {frame.Kind}.");
    }

    public static int Int(ReadOnlySpan<byte> payload, int index) => BinaryPrimitives.ReadInt32LittleEndian(payload[(index * 4)..]);
}
