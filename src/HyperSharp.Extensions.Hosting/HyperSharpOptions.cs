namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// The sandbox pools of an application, usually bound from configuration:
/// <code>
/// "HyperSharp": {
///   "Pools": {
///     "calc": { "Guest": "guests/calc.elf", "MaxSize": 8, "MinIdle": 8, "CallTimeout": "00:00:02" },
///     "reports": { "Snapshot": "/var/lib/app/snapshots", "Tag": "v3", "MaxUses": 1000 }
///   },
///   "ScriptPools": {
///     "agent-python": { "Language": "Python", "MaxSize": 4, "MinIdle": 4, "TimeLimit": "00:00:05" }
///   }
/// }
/// </code>
/// </summary>
public sealed class HyperSharpOptions
{
    /// <summary>The configuration section <see cref="Microsoft.Extensions.DependencyInjection.HyperSharpServiceCollectionExtensions.AddHyperSharp(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/> reads by default.</summary>
    public const string SectionName = "HyperSharp";

    /// <summary>The pools by name; the name is the key to rent from (<see cref="SandboxPools.Get"/>, <c>[FromKeyedServices("name")]</c>).</summary>
    public Dictionary<string, SandboxPoolSettings> Pools { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The pools of script interpreters by name (<see cref="SandboxPools.GetScriptPool"/>,
    /// <c>[FromKeyedServices("name")] ScriptSandboxPool</c>); a name is either a sandbox pool's or a script pool's.
    /// </summary>
    public Dictionary<string, ScriptPoolSettings> ScriptPools { get; } = new(StringComparer.Ordinal);
}
