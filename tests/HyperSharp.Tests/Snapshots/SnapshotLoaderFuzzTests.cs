using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using HyperSharp.Tests.Fuzzing;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>
/// Property test: any mutation of a valid layout's <c>oci-layout</c> marker, index, manifest or config (JSON bytes,
/// field values, layout numbers, splices of one file into another), loaded with or without digest verification,
/// either loads or is refused with <see cref="SnapshotFormatException"/> (or, where KVM is there, with
/// <see cref="SnapshotMismatchException"/> for a vCPU state this host's vCPUs cannot take). Nothing else may escape.
/// </summary>
/// <remarks>
/// Runs <see cref="DefaultIterations"/> cases by default. For a long soak set <c>HYPERSHARP_FUZZ_ITERATIONS</c>, e.g.
/// <c>HYPERSHARP_FUZZ_ITERATIONS=200000 dotnet test --project tests/HyperSharp.Tests -- --filter-class HyperSharp.Tests.Snapshots.SnapshotLoaderFuzzTests</c>
/// (or every fuzz target at once with <c>-- --filter-trait Category=Fuzz</c>).
/// </remarks>
[Trait(FuzzIterations.Trait, FuzzIterations.Category)]
public sealed class SnapshotLoaderFuzzTests : IDisposable
{
    private const long DefaultIterations = 2000;

    private static readonly ulong[] Boundaries =
    [
        0, 1, 0xFFF, 0x1000, 0x1001, 0x2000, 0x4000, 0x10_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        2UL << 30, 8UL << 30, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_F000, ulong.MaxValue,
    ];

    private readonly SnapshotLayoutFixture _fixture = new();
    private readonly byte[] _marker;
    private readonly byte[] _index;
    private readonly byte[] _manifest;
    private readonly byte[] _config;
    private readonly string[] _numberPaths;

    public SnapshotLoaderFuzzTests()
    {
        _fixture.Save("v1");
        _marker = File.ReadAllBytes(Path.Combine(_fixture.Layout, "oci-layout"));
        _index = File.ReadAllBytes(Path.Combine(_fixture.Layout, "index.json"));
        var (_, manifestPath) = _fixture.Manifest();
        _manifest = File.ReadAllBytes(manifestPath);
        _config = Encoding.UTF8.GetBytes(_fixture.Config().ToJsonString());
        _numberPaths = [.. NumberPaths(JsonNode.Parse(_config)!, "")];
    }

    private enum Target
    {
        Marker,
        Index,
        Manifest,
        Config,
    }

    private enum Kind
    {
        SetNumber,
        FlipByte,
        Truncate,
        RemoveField,
        ReplaceWithString,

        /// <summary>The start of this file followed by the end of another of the layout's JSON files.</summary>
        Splice,

        /// <summary>Up to 512 random bytes instead of the file.</summary>
        RandomBytes,
    }

    private sealed record Mutation(Target Target, Kind Kind, uint Position, ulong Value, bool UseBoundary)
    {
        public override string ToString() => $"{Target}.{Kind}@{Position}={Value:X}{(UseBoundary ? "b" : string.Empty)}";
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void MutatedLayoutsLoadOrAreRefusedWithSnapshotFormatException()
    {
        long iterations = FuzzIterations.Get(DefaultIterations);
        Gen<Mutation> mutation = Gen.Select(Gen.Enum<Target>(), Gen.Enum<Kind>(), Gen.UInt, Gen.ULong, Gen.Bool,
            (target, kind, position, value, boundary) => new Mutation(target, kind, position, value, boundary));

        // Unverified loads matter too: digests are then not checked, so every size and number must still be.
        Gen.Select(mutation.Array[1, 4], Gen.Bool, Gen.Bool).Sample(
            (mutations, rehash, verify) => Check(mutations, rehash, verify),
            iter: iterations,
            threads: 1,
            print: c => $"rehash={c.Item2} verify={c.Item3}: {string.Join(", ", c.Item1.Select(m => m.ToString()))}");
    }

    private void Check(Mutation[] mutations, bool rehash, bool verify)
    {
        var marker = _marker;
        foreach (var m in mutations.Where(m => m.Target == Target.Marker))
        {
            marker = Apply(marker, m);
        }

        var index = _index;
        var manifest = _manifest;
        var config = _config;
        foreach (var m in mutations.Where(m => m.Target == Target.Config))
        {
            config = Apply(config, m);
        }

        foreach (var m in mutations.Where(m => m.Target == Target.Manifest))
        {
            manifest = Apply(manifest, m);
        }

        if (rehash)
        {
            manifest = Relink(manifest, "config", config);
            index = Relink(index, "manifests", manifest);
        }

        foreach (var m in mutations.Where(m => m.Target == Target.Index))
        {
            index = Apply(index, m);
        }

        Store(config);
        Store(manifest);
        File.WriteAllBytes(Path.Combine(_fixture.Layout, "oci-layout"), marker);
        File.WriteAllBytes(Path.Combine(_fixture.Layout, "index.json"), index);
        try
        {
            Snapshot.Load(_fixture.Layout, "v1", new SnapshotLoadOptions { VerifyDigests = verify }).Dispose();
        }
        catch (SnapshotFormatException)
        {
        }
        catch (SnapshotMismatchException) when (Hypervisor.IsAvailable)
        {
            // A mutated xcr0 or XSAVE area that does not fit this host: refused as a host mismatch, as documented.
        }
    }

    private byte[] Apply(byte[] json, Mutation m)
    {
        try
        {
            return Mutate(json, m);
        }
        catch (ArgumentException)
        {
            // A flipped byte made a duplicate key; JsonNode refuses it when edited. The loader sees the bytes unedited.
            return json;
        }
    }

    private byte[] Mutate(byte[] json, Mutation m)
    {
        ulong value = m.UseBoundary ? Boundaries[m.Value % (ulong)Boundaries.Length] : m.Value;
        switch (m.Kind)
        {
            case Kind.FlipByte when json.Length > 0:
                var flipped = (byte[])json.Clone();
                flipped[m.Position % (uint)json.Length] ^= (byte)(value | 1);
                return flipped;
            case Kind.Truncate:
                return json[..(int)(m.Position % (uint)(json.Length + 1))];
            case Kind.RandomBytes:
                var noise = new byte[value % 512];
                new Random(unchecked((int)m.Position)).NextBytes(noise);
                return noise;
            case Kind.Splice:
                byte[][] donors = [_marker, _index, _manifest, _config];
                var donor = donors[value % (ulong)donors.Length];
                return [.. json.AsSpan(0, (int)(m.Position % (uint)(json.Length + 1))), .. donor.AsSpan((int)(value / 4 % (ulong)(donor.Length + 1)))];
            case Kind.SetNumber or Kind.RemoveField or Kind.ReplaceWithString when m.Target == Target.Config:
                JsonNode? root;
                if (!System.Text.Unicode.Utf8.IsValid(json))
                {
                    return json;
                }

                try
                {
                    root = JsonNode.Parse(json);
                }
                catch (System.Text.Json.JsonException)
                {
                    return json;
                }

                if (root is not JsonObject)
                {
                    return json;
                }

                var path = _numberPaths[m.Position % (uint)_numberPaths.Length].Split('/', StringSplitOptions.RemoveEmptyEntries);
                var parent = path[..^1].Aggregate((JsonNode?)root, (node, key) => node is JsonObject o ? o[key] : node is JsonArray a && int.TryParse(key, out var i) && i < a.Count ? a[i] : null);
                if (parent is JsonObject obj)
                {
                    var key = path[^1];
                    _ = m.Kind switch
                    {
                        Kind.SetNumber => obj[key] = value,
                        Kind.RemoveField => obj.Remove(key) ? null : null,
                        _ => obj[key] = value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                }
                else if (parent is JsonArray array && int.TryParse(path[^1], out var i) && i < array.Count)
                {
                    array[i] = value;
                }

                return Encoding.UTF8.GetBytes(root.ToJsonString());
            default:
                return json;
        }
    }

    /// <summary>Points the descriptor(s) under <paramref name="property"/> at <paramref name="blob"/>, if the JSON still parses that far.</summary>
    private static byte[] Relink(byte[] json, string property, byte[] blob)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return json;
        }

        try
        {
            if (JsonNode.Parse(json) is not JsonObject root)
            {
                return json;
            }

            var descriptor = root[property] is JsonArray array && array.Count > 0 ? array[0] as JsonObject : root[property] as JsonObject;
            if (descriptor is null)
            {
                return json;
            }

            descriptor["digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
            descriptor["size"] = blob.Length;
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            return json;
        }
    }

    private void Store(byte[] blob) => File.WriteAllBytes(_fixture.BlobPath("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob))), blob);

    private static IEnumerable<string> NumberPaths(JsonNode node, string prefix) => node switch
    {
        JsonObject o => o.SelectMany(p => NumberPaths(p.Value!, $"{prefix}/{p.Key}")),
        JsonArray a => a.Count > 16 ? [] : a.SelectMany((item, i) => NumberPaths(item!, $"{prefix}/{i}")),
        _ => [prefix],
    };
}
