using System.Text.Json.Serialization;

namespace HyperSharp.Cli.Commands;

/// <summary>The results of the demo's script tool, serialised without reflection.</summary>
[JsonSerializable(typeof(int))]
internal sealed partial class DemoJson : JsonSerializerContext;
