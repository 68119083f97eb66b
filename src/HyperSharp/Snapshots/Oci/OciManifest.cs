using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>An OCI image manifest: the snapshot's config blob and its one memory layer.</summary>
internal sealed class OciManifest
{
    public required int SchemaVersion { get; init; }

    public required string MediaType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; init; }

    public required OciDescriptor Config { get; init; }

    public required List<OciDescriptor> Layers { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; init; }
}
