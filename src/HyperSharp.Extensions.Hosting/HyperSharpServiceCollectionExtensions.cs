using HyperSharp;
using HyperSharp.Extensions.Hosting;
using HyperSharp.Scripting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers HyperSharp's sandbox pools with a .NET host.</summary>
public static class HyperSharpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sandbox and script pools described by <paramref name="configuration"/> (the <c>HyperSharp</c>
    /// section of the application's configuration, or that section itself): <see cref="SandboxPools"/>, each pool as a
    /// keyed <see cref="SandboxPool"/> (<c>[FromKeyedServices("name")] SandboxPool pool</c>) and each script pool as a
    /// keyed <see cref="ScriptSandboxPool"/>, validation of every pool when
    /// the host starts, and a hosted service that creates and warms them before the application takes requests.
    /// Sandboxes log through the application's <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configuration">The application's configuration, or its <c>HyperSharp</c> section.</param>
    /// <returns>A builder for the pools' host functions.</returns>
    public static IHyperSharpBuilder AddHyperSharp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration is IConfigurationSection { Key: HyperSharpOptions.SectionName } own
            ? own
            : configuration.GetSection(HyperSharpOptions.SectionName);
        var builder = services.AddHyperSharp(_ => { });
        services.AddOptions<HyperSharpOptions>().Bind(section);
        return builder;
    }

    /// <summary>Registers sandbox pools described in code; otherwise as <see cref="AddHyperSharp(IServiceCollection, IConfiguration)"/>.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Adds the pools to <see cref="HyperSharpOptions.Pools"/> and <see cref="HyperSharpOptions.ScriptPools"/>.</param>
    /// <returns>A builder for the pools' host functions.</returns>
    public static IHyperSharpBuilder AddHyperSharp(this IServiceCollection services, Action<HyperSharpOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HyperSharpOptions>().Configure(configure).ValidateOnStart();
        // A second AddHyperSharp adds pools and host functions, never a second registry, validator or warm-up.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HyperSharpOptions>, HyperSharpOptionsValidator>());
        services.TryAddSingleton(provider => new SandboxPools(
            provider.GetRequiredService<IOptions<HyperSharpOptions>>(),
            provider.GetServices<PoolHostFunctions>(),
            provider.GetServices<PoolScriptTools>(),
            provider,
            provider.GetService<ILoggerFactory>()));
        services.TryAddKeyedSingleton<SandboxPool>(KeyedService.AnyKey, (provider, key) =>
            provider.GetRequiredService<SandboxPools>().Get(key as string ?? throw new ArgumentException("A sandbox pool's key is its name, a string.", nameof(key))));
        services.TryAddKeyedSingleton<ScriptSandboxPool>(KeyedService.AnyKey, (provider, key) =>
            provider.GetRequiredService<SandboxPools>().GetScriptPool(key as string ?? throw new ArgumentException("A script pool's key is its name, a string.", nameof(key))));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SandboxPoolsWarmUp>());
        return new HyperSharpBuilder(services);
    }
}
