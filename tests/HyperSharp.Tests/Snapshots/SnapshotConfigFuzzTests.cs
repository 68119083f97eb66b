using System.Text;
using CsCheck;
using HyperSharp.Snapshots;
using HyperSharp.Snapshots.Config;
using HyperSharp.Tests.Fuzzing;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>
/// Property test: any byte-level mutation of a valid config blob (bytes flipped, cut, inserted, repeated, a number
/// swapped for a boundary value) either reads as a snapshot's config or is refused with
/// <see cref="SnapshotFormatException"/>: parse, checks and conversion, everything <c>Snapshot.Load</c> does with the
/// config. In memory, so a long soak is cheap: <c>HYPERSHARP_FUZZ_ITERATIONS=1000000 dotnet test --project
/// tests/HyperSharp.Tests -- --filter-class HyperSharp.Tests.Snapshots.SnapshotConfigFuzzTests</c>.
/// </summary>
[Trait(FuzzIterations.Trait, FuzzIterations.Category)]
public sealed class SnapshotConfigFuzzTests
{
    private const long DefaultIterations = 20_000;

    private static readonly byte[] s_config = SnapshotConfigWriter.Write(SnapshotConfig.Of(SnapshotLayoutFixture.CreateSnapshot()));

    private static readonly string[] s_replacements =
    [
        "0", "-1", "4096", "4294967295", "4294967296", "18446744073709551615", "18446744073709551616", "1e3", "0.5",
        "null", "true", "\"\"", "\"int\"", "[]", "{}", "[null]", "\"AAAA\"",
    ];

    private enum Kind
    {
        FlipByte,
        Truncate,
        InsertRandom,
        RepeatSlice,
        ReplaceNumber,
    }

    [Fact]
    public void MutatedConfigsReadOrAreRefusedWithSnapshotFormatException()
    {
        Assert.NotNull(SnapshotFiles.ReadConfig(s_config));
        Gen.Select(Gen.Enum<Kind>(), Gen.UInt, Gen.UInt, Gen.Int[0, s_replacements.Length - 1]).Array[1, 4].Sample(
            mutations =>
            {
                var json = mutations.Aggregate(s_config, (bytes, m) => Mutate(bytes, m.Item1, m.Item2, m.Item3, m.Item4));
                try
                {
                    _ = SnapshotFiles.ReadConfig(json);
                }
                catch (SnapshotFormatException)
                {
                }
            },
            iter: FuzzIterations.Get(DefaultIterations),
            threads: 1,
            print: mutations => string.Join(", ", mutations.Select(m => $"{m.Item1}@{m.Item2}/{m.Item3}/{m.Item4}")));
    }

    private static byte[] Mutate(byte[] json, Kind kind, uint position, uint value, int replacement)
    {
        var at = (int)(position % (uint)(json.Length + 1));
        switch (kind)
        {
            case Kind.FlipByte when json.Length > 0:
                var flipped = (byte[])json.Clone();
                flipped[at % json.Length] ^= (byte)(value | 1);
                return flipped;
            case Kind.Truncate:
                return json[..at];
            case Kind.InsertRandom:
                var noise = new byte[value % 16];
                new Random((int)value).NextBytes(noise);
                return [.. json.AsSpan(0, at), .. noise, .. json.AsSpan(at)];
            case Kind.RepeatSlice:
                var length = (int)(value % (uint)(json.Length - at + 1));
                return [.. json.AsSpan(0, at + length), .. json.AsSpan(at)];
            case Kind.ReplaceNumber:
                // The first number at or after the position, whole, swapped for a boundary value or another kind.
                var start = Array.FindIndex(json, at, b => b is (byte)'-' or (>= (byte)'0' and <= (byte)'9'));
                if (start < 0)
                {
                    return json;
                }

                var end = Array.FindIndex(json, start + 1, b => b is not ((>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'e' or (byte)'-'));
                return [.. json.AsSpan(0, start), .. Encoding.UTF8.GetBytes(s_replacements[replacement]), .. json.AsSpan(end < 0 ? json.Length : end)];
            default:
                return json;
        }
    }
}
