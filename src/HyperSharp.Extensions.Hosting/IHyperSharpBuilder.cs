using HyperSharp.Scripting;
using Microsoft.Extensions.DependencyInjection;

namespace HyperSharp.Extensions.Hosting;

/// <summary>Adds to what <c>AddHyperSharp</c> registered: the host functions of the pools' guests and the tools of the script pools.</summary>
public interface IHyperSharpBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }

    /// <summary>
    /// Defines host functions for the guests of pool <paramref name="pool"/>, or of every pool when it is null, with
    /// the application's services at hand (<c>(services, host) =&gt; host.Define("Now", () =&gt; services.GetRequiredService&lt;TimeProvider&gt;()...)</c>).
    /// Runs once per pool, when the pool is created.
    /// </summary>
    IHyperSharpBuilder AddHostFunctions(string? pool, Action<IServiceProvider, HostFunctions> define);

    /// <summary>
    /// Adds tools that scripts of script pool <paramref name="pool"/>, or of every script pool when it is null, may
    /// call (<c>(services, tools) =&gt; tools.Add("lookup", …)</c>), with the application's services at hand. Runs
    /// once per pool, when the pool is created.
    /// </summary>
    IHyperSharpBuilder AddScriptTools(string? pool, Action<IServiceProvider, ScriptTools> define);
}
