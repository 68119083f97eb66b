using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Source-generated (AOT-safe) JSON for <see cref="SnapshotConfig"/>: snake_case, every field required,
/// unknown fields and nulls refused, function types as lower-case names.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = true,
    Converters = [typeof(GuestValueTypeConverter)])]
[JsonSerializable(typeof(SnapshotConfig))]
internal sealed partial class SnapshotConfigJsonContext : JsonSerializerContext
{
    /// <summary>Writes <see cref="GuestValueType"/> as its lower-case name and reads only those names back.</summary>
    internal sealed class GuestValueTypeConverter : JsonStringEnumConverter<GuestValueType>
    {
        public GuestValueTypeConverter()
            : base(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
        {
        }
    }
}
