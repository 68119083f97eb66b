using HyperSharp.Scripting;

namespace HyperSharp.Extensions.Hosting;

/// <summary>A registration of script tools for one script pool (<see cref="Pool"/> set) or for every script pool (null), kept in the container.</summary>
internal sealed record PoolScriptTools(string? Pool, Action<IServiceProvider, ScriptTools> Define);
