using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>An OCI image index, the layout's <c>index.json</c>: one manifest descriptor per tag.</summary>
internal sealed class OciIndex
{
    public required int SchemaVersion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MediaType { get; init; }

    public required List<OciDescriptor> Manifests { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
