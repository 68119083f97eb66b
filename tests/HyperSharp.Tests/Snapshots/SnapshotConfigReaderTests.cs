using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HyperSharp.Snapshots.Config;
using Xunit;

namespace HyperSharp.Tests.Snapshots;

/// <summary>
/// The config reader and writer, both driven by the field tables: they read a format-1 config the earlier (generated)
/// writer wrote and write it back byte for byte; and on every single-field mutation of a real config (each field
/// removed, repeated, null, of the wrong kind, out of its range; an unknown field in each object; a bad entry in each
/// array) the reader either refuses or reads exactly what the document says, so that writing it back gives the same
/// document.
/// </summary>
public sealed class SnapshotConfigReaderTests
{
    private const string Duplicate = "__duplicate_of__";

    private static readonly byte[] s_config = SnapshotConfigWriter.Write(SnapshotConfig.Of(SnapshotLayoutFixture.CreateSnapshot()));

    private static readonly JsonNode?[] s_numberReplacements =
        [-1, 255, 256, 65535, 65536, uint.MaxValue, (ulong)uint.MaxValue + 1, int.MaxValue, (long)int.MaxValue + 1, long.MinValue,
         ulong.MaxValue, 1.5, JsonValue.Create("7"), true, null, new JsonArray(), new JsonObject()];

    private static readonly JsonNode?[] s_otherReplacements = [7, JsonValue.Create(""), JsonValue.Create("AAAA"), JsonValue.Create("@@"), false, null, new JsonArray(), new JsonObject()];

    [Fact]
    public void ReadsBackWhatTheWriterWrote()
    {
        var config = SnapshotConfigReader.Read(s_config);

        Assert.Equal(Encoding.UTF8.GetString(s_config), Encoding.UTF8.GetString(SnapshotConfigWriter.Write(config)));
        Assert.Equal(SnapshotLayoutFixture.CreateSnapshot().Vcpu.Xsave, config.Vcpu.Xsave);
    }

    [Fact]
    public void KeepsTheFormatTheEarlierWriterWrote()
    {
        // Written by the generated System.Text.Json contract this reader and writer replaced (format version 1).
        var earlier = File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "tests", "vectors", "snapshot-config-v1.json"));

        Assert.Equal(Encoding.UTF8.GetString(earlier), Encoding.UTF8.GetString(SnapshotConfigWriter.Write(SnapshotConfigReader.Read(earlier))));
    }

    [Fact]
    public void RefusesOrReadsFaithfullyEveryMutation()
    {
        var mutations = Mutate(JsonNode.Parse(s_config)!).ToList();
        var unfaithful = new List<string>();
        var refused = 0;
        foreach (var (description, json) in mutations)
        {
            var read = TryRead(() => SnapshotConfigReader.Read(Encoding.UTF8.GetBytes(json)));
            if (read is null)
            {
                refused++;
            }
            else if (!JsonNode.DeepEquals(TryParse(json), JsonNode.Parse(SnapshotConfigWriter.Write(read))))
            {
                unfaithful.Add($"{description}: accepted, but written back it reads differently");
            }
        }

        Assert.Empty(unfaithful);
        // Every field of every object (12 + 13 + 7 + 18 + 18 + 8 × 12 + 2 × 2 + 6 + 2 × 2 + 21 + 2 × 3 + 2 × 3), mutated several ways.
        Assert.InRange(mutations.Count, 2500, int.MaxValue);
        Assert.InRange(refused, mutations.Count / 2, mutations.Count - 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("7")]
    [InlineData("{")]
    public void RefusesWhatIsNotAConfigObject(string json) => Assert.ThrowsAny<JsonException>(() => SnapshotConfigReader.Read(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void RefusesContentAfterTheObject() =>
        Assert.ThrowsAny<JsonException>(() => SnapshotConfigReader.Read([.. s_config, .. "{}"u8]));

    private static SnapshotConfig? TryRead(Func<SnapshotConfig> read)
    {
        try
        {
            return read();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The document as a tree; null where it is not one (a repeated property), which no accepted config can equal.</summary>
    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Every single-point mutation of <paramref name="root"/>: what changed, and the JSON text.</summary>
    private static IEnumerable<(string Description, string Json)> Mutate(JsonNode root)
    {
        foreach (var (parent, key, index) in Locations(root).ToList())
        {
            var original = Child(parent, key, index);
            var path = original?.GetPath() ?? $"{parent.GetPath()}.{key}";
            var replacements = original is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? s_numberReplacements : s_otherReplacements;
            foreach (var replacement in replacements)
            {
                SetChild(parent, key, index, replacement?.DeepClone());
                yield return ($"{path} = {replacement?.ToJsonString() ?? "null"}", root.ToJsonString());
                SetChild(parent, key, index, original);
            }

            if (parent is JsonObject obj)
            {
                yield return ($"{path} removed", Edited(root, obj, o => o.Remove(key!)));
                yield return ($"{path} twice",
                    Edited(root, obj, o => o[Duplicate + key] = original?.DeepClone()).Replace($"\"{Duplicate}{key}\"", $"\"{key}\"", StringComparison.Ordinal));
            }
        }

        foreach (var node in Nodes(root).ToList())
        {
            var path = node.GetPath();
            switch (node)
            {
                case JsonObject obj:
                    yield return ($"{path} with an unknown field", Edited(root, obj, o => o["surprise"] = 1));
                    break;
                case JsonArray array:
                    yield return ($"{path} with a null entry", Edited(root, array, a => a.Add(null)));
                    yield return ($"{path} with a string entry", Edited(root, array, a => a.Add("x")));
                    yield return ($"{path} emptied", Edited(root, array, a => a.Clear()));
                    break;
            }
        }
    }

    private static JsonNode? Child(JsonNode parent, string? key, int index) => parent is JsonObject o ? o[key!] : ((JsonArray)parent)[index];

    private static void SetChild(JsonNode parent, string? key, int index, JsonNode? child)
    {
        if (parent is JsonObject obj)
        {
            obj[key!] = child;
        }
        else
        {
            ((JsonArray)parent)[index] = child;
        }
    }

    /// <summary>Applies <paramref name="edit"/> to a copy of the whole tree at <paramref name="target"/>'s path.</summary>
    private static string Edited<T>(JsonNode root, T target, Action<T> edit)
        where T : JsonNode
    {
        var copy = root.DeepClone();
        var node = copy;
        foreach (var step in target.GetPath().TrimStart('$').Split(['.', '['], StringSplitOptions.RemoveEmptyEntries))
        {
            node = step.EndsWith(']') ? node![int.Parse(step.TrimEnd(']'), System.Globalization.CultureInfo.InvariantCulture)] : node![step];
        }

        edit((T)node!);
        return copy.ToJsonString();
    }

    private static IEnumerable<(JsonNode Parent, string? Key, int Index)> Locations(JsonNode node)
    {
        foreach (var parent in Nodes(node))
        {
            if (parent is JsonObject obj)
            {
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    yield return (obj, key, -1);
                }
            }
            else if (parent is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (array, null, i);
                }
            }
        }
    }

    private static IEnumerable<JsonNode> Nodes(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().ToList())
        {
            foreach (var descendant in Nodes(child))
            {
                yield return descendant;
            }
        }
    }
}
