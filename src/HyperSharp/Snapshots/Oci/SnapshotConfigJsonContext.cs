using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Source-generated (AOT-safe) JSON for <see cref="SnapshotConfig"/>: snake_case, every field required, unknown
/// fields and nulls refused, written compact. It writes every config; <see cref="SnapshotConfigReader"/> reads them,
/// and a test holds the two to the same verdicts. Function entries have a converter of their own
/// (<see cref="SnapshotConfigFunctionConverter"/>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = false)]
[JsonSerializable(typeof(SnapshotConfig))]
internal sealed partial class SnapshotConfigJsonContext : JsonSerializerContext
{
}
