using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Source-generated (AOT-safe) JSON for the OCI files. Unknown fields are kept or ignored, as the
/// image spec requires of readers; nulls where the spec has none are refused.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    WriteIndented = true)]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciLayoutMarker))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
