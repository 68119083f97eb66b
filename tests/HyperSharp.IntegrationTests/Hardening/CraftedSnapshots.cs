using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>
/// Snapshots whose files were edited after saving, as anyone who can write a layout directory can, digests and all:
/// the way to put a guest where no guest can get by itself (docs/security.md, "Snapshot files are trusted input").
/// </summary>
internal static class CraftedSnapshots
{
    private const string Tag = "crafted";

    /// <summary>
    /// Saves <paramref name="sandbox"/>, rewrites the saved vCPU state so the guest resumes on the ring-0 code and data
    /// segments, fixes the config's and the manifest's digests and sizes, and loads the result, verified.
    /// </summary>
    public static Snapshot InRingZero(Sandbox sandbox, string directory)
    {
        using (var snapshot = sandbox.Snapshot())
        {
            snapshot.Save(directory, Tag);
        }

        var index = ReadJson(Path.Combine(directory, "index.json"));
        var manifestDescriptor = index["manifests"]![0]!;
        var manifest = ReadJson(BlobPath(directory, manifestDescriptor));
        var configDescriptor = manifest["config"]!;
        var config = ReadJson(BlobPath(directory, configDescriptor));

        var special = config["vcpu"]!["special_registers"]!;
        SetSegment(special["cs"]!, selector: 0x08);
        foreach (var name in new[] { "ss", "ds", "es", "fs", "gs" })
        {
            SetSegment(special[name]!, selector: 0x10);
        }

        WriteBlob(directory, configDescriptor, config);
        WriteBlob(directory, manifestDescriptor, manifest);
        File.WriteAllText(Path.Combine(directory, "index.json"), index.ToJsonString());
        return Snapshot.Load(directory, Tag);
    }

    private static void SetSegment(JsonNode segment, int selector)
    {
        segment["selector"] = selector;
        segment["dpl"] = 0;
    }

    private static JsonNode ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>Stores <paramref name="content"/> as a new blob and points <paramref name="descriptor"/> at it.</summary>
    private static void WriteBlob(string directory, JsonNode descriptor, JsonNode content)
    {
        var bytes = Encoding.UTF8.GetBytes(content.ToJsonString());
        descriptor["digest"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        descriptor["size"] = bytes.Length;
        File.WriteAllBytes(BlobPath(directory, descriptor), bytes);
    }

    private static string BlobPath(string directory, JsonNode descriptor) =>
        Path.Combine(directory, "blobs", "sha256", ((string)descriptor["digest"]!)["sha256:".Length..]);
}
