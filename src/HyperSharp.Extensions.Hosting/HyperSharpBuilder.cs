using HyperSharp.Scripting;
using Microsoft.Extensions.DependencyInjection;

namespace HyperSharp.Extensions.Hosting;

internal sealed class HyperSharpBuilder(IServiceCollection services) : IHyperSharpBuilder
{
    public IServiceCollection Services { get; } = services;

    public IHyperSharpBuilder AddHostFunctions(string? pool, Action<IServiceProvider, HostFunctions> define)
    {
        ArgumentNullException.ThrowIfNull(define);
        Services.AddSingleton(new PoolHostFunctions(pool, define));
        return this;
    }

    public IHyperSharpBuilder AddScriptTools(string? pool, Action<IServiceProvider, ScriptTools> define)
    {
        ArgumentNullException.ThrowIfNull(define);
        Services.AddSingleton(new PoolScriptTools(pool, define));
        return this;
    }
}
