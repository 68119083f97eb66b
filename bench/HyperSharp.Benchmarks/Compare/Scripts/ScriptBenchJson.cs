using System.Text.Json;
using System.Text.Json.Serialization;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>The benchmark tool's result type, serialised without reflection.</summary>
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class ScriptBenchJson : JsonSerializerContext;
