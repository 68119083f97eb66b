using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>An OCI content descriptor: what a blob is, its digest and its size. Unknown fields survive a read and rewrite.</summary>
internal sealed class OciDescriptor
{
    public required string MediaType { get; init; }

    public required string Digest { get; init; }

    public required long Size { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The tag this index entry carries, if any.</summary>
    [JsonIgnore]
    public string? RefName => Annotations?.GetValueOrDefault(MediaTypes.RefNameAnnotation);
}
