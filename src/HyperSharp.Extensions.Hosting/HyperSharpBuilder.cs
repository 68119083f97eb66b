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
}
