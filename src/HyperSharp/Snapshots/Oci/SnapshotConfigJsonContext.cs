using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Source-generated (AOT-safe) JSON for <see cref="SnapshotConfig"/>: snake_case, every field required,
/// unknown fields and nulls refused. Function entries have a converter of their own (<see cref="SnapshotConfigFunctionConverter"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = true)]
[JsonSerializable(typeof(SnapshotConfig))]
internal sealed partial class SnapshotConfigJsonContext : JsonSerializerContext
{
}
