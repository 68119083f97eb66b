using System.Buffers.Binary;
using CsCheck;

namespace HyperSharp.Tests.Calls;

/// <summary>The ways <see cref="WireMutator"/> damages a valid message.</summary>
internal enum WireMutationKind
{
    FlipBit,
    SetByte,
    LieInLengthField,
    Truncate,
    AppendGarbage,
    Splice,
    DuplicateChunk,
    DeleteChunk,
}

/// <summary>One damage to apply; <see cref="Position"/> and <see cref="Value"/> are reduced modulo what the message allows.</summary>
internal sealed record WireMutation(WireMutationKind Kind, uint Position, uint Value, bool UseBoundary)
{
    public override string ToString() => $"{Kind}@{Position}={Value:X}{(UseBoundary ? "b" : string.Empty)}";
}

/// <summary>
/// Mutation-based fuzzing of wire messages: a lying guest rarely sends random bytes, it sends a valid message
/// with one field wrong. So besides bit flips and truncations, this rewrites the fields that steer the reader
/// (message size, count, name size, value and signature sizes) with boundary values, and splices two messages.
/// </summary>
internal static class WireMutator
{
    public static readonly Gen<WireMutation> Mutation =
        Gen.Select(Gen.Enum<WireMutationKind>(), Gen.UInt, Gen.UInt, Gen.Bool, (kind, position, value, boundary) => new WireMutation(kind, position, value, boundary));

    private static readonly uint[] Boundaries =
    [
        0, 1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097,
        0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFF8, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFF8, 0xFFFF_FFFF,
    ];

    /// <summary>Applies <paramref name="mutations"/> in order; <paramref name="donor"/> supplies the tail of a splice.</summary>
    public static byte[] Apply(byte[] message, byte[] donor, IEnumerable<WireMutation> mutations)
    {
        var bytes = message;
        foreach (var m in mutations)
        {
            bytes = Apply(bytes, donor, m);
        }

        return bytes;
    }

    private static byte[] Apply(byte[] message, byte[] donor, WireMutation m)
    {
        if (message.Length == 0)
        {
            return m.Kind is WireMutationKind.AppendGarbage or WireMutationKind.Splice ? donor : message;
        }

        var bytes = (byte[])message.Clone();
        var at = (int)(m.Position % (uint)bytes.Length);
        switch (m.Kind)
        {
            case WireMutationKind.FlipBit:
                bytes[at] ^= (byte)(1 << (int)(m.Value % 8));
                return bytes;
            case WireMutationKind.SetByte:
                bytes[at] = (byte)(m.UseBoundary ? Boundaries[m.Value % (uint)Boundaries.Length] : m.Value);
                return bytes;
            case WireMutationKind.LieInLengthField:
                WriteLengthLie(bytes, m);
                return bytes;
            case WireMutationKind.Truncate:
                return bytes[..at];
            case WireMutationKind.AppendGarbage:
                // The output buffer is larger than the message, and whatever the guest left after it is still there.
                return [.. bytes, .. BitConverter.GetBytes(m.Value), .. donor.AsSpan(0, Math.Min(donor.Length, (int)(m.Value % 64)))];
            case WireMutationKind.Splice:
                return donor.Length == 0 ? bytes[..at] : [.. bytes.AsSpan(0, at), .. donor.AsSpan((int)(m.Value % (uint)donor.Length))];
            case WireMutationKind.DuplicateChunk:
                var chunk = bytes.AsSpan(at & ~7, Math.Min(8, bytes.Length - (at & ~7)));
                return [.. bytes.AsSpan(0, at & ~7), .. chunk, .. bytes.AsSpan(at & ~7)];
            case WireMutationKind.DeleteChunk:
                var start = at & ~7;
                return [.. bytes.AsSpan(0, start), .. bytes.AsSpan(Math.Min(bytes.Length, start + 8))];
            default:
                throw new InvalidOperationException(m.Kind.ToString());
        }
    }

    /// <summary>
    /// Every part is 8-aligned, so the fields that carry lengths sit at fixed residues: the header's size (0), count (6)
    /// and name size (8); a value's size at 4 mod 8; a signature's parameter count at 1 and name size at 2 mod 8.
    /// </summary>
    private static void WriteLengthLie(byte[] bytes, WireMutation m)
    {
        var fields = new List<(int Offset, int Width)> { (0, 4), (6, 2), (8, 4) };
        for (var part = 16; part + 8 <= bytes.Length; part += 8)
        {
            fields.AddRange([(part + 4, 4), (part + 2, 2), (part + 1, 1)]);
        }

        var (offset, width) = fields[(int)(m.Position % (uint)fields.Count)];
        if (offset + width > bytes.Length)
        {
            return;
        }

        var value = m.UseBoundary ? Boundaries[m.Value % (uint)Boundaries.Length] : (uint)bytes.Length + (m.Value % 64) - 32;
        switch (width)
        {
            case 4:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), value);
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), (ushort)value);
                break;
            default:
                bytes[offset] = (byte)value;
                break;
        }
    }
}
