using HyperSharp;
using HyperSharp.AspNetCore;
using HyperSharp.Scripting;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps HyperSharp's HTTP endpoints: guest functions, scripts and health, each request on a pooled sandbox.</summary>
public static class HyperSharpEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/functions/{name}</c> to the guest functions of <paramref name="pool"/>'s snapshot: the body is a
    /// JSON array of the arguments (base64 for byte arrays), the answer <c>{"result": …}</c>; a missing function is 404,
    /// bad arguments 400, a guest error 422, a time-out 408, no free sandbox 503, a guest abort or fault 500.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pool">The sandboxes calls run on; the caller keeps owning it.</param>
    /// <param name="options">Body-size and retry limits; null for the defaults.</param>
    /// <param name="prefix">The path the routes start with; default none.</param>
    public static IEndpointConventionBuilder MapHyperSharpFunctions(this IEndpointRouteBuilder endpoints, SandboxPool pool, HyperSharpHttpOptions? options = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pool);
        var endpoint = new FunctionEndpoint(pool, options ?? new HyperSharpHttpOptions());
        return endpoints.MapPost($"{prefix}/functions/{{name}}", endpoint.Handle);
    }

    /// <summary>
    /// Maps <c>POST {prefix}/scripts/{language}</c> (<c>javascript</c>, <c>python</c>, <c>lua</c>) to <paramref name="pools"/>:
    /// the body is the code, the answer <c>{"value", "stdout", "stderr", "durationMs"}</c>, or the script's error with
    /// 422, its time-out with 408, source over the limit with 413, no free interpreter with 503.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pools">The interpreter pools by language; the caller keeps owning them.</param>
    /// <param name="options">Body-size and retry limits; null for the defaults.</param>
    /// <param name="prefix">The path the routes start with; default none.</param>
    public static IEndpointConventionBuilder MapHyperSharpScripts(this IEndpointRouteBuilder endpoints, IReadOnlyDictionary<ScriptLanguage, ScriptSandboxPool> pools,
        HyperSharpHttpOptions? options = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pools);
        var endpoint = new ScriptEndpoint(pools, options ?? new HyperSharpHttpOptions());
        return endpoints.MapPost($"{prefix}/scripts/{{language}}", endpoint.Handle);
    }

    /// <summary>
    /// Maps <c>GET {prefix}/healthz</c>: 200 while every one of <paramref name="pools"/> holds a sandbox, else 503, with
    /// each pool's counts.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pools">The pools to report.</param>
    /// <param name="prefix">The path the route starts with; default none.</param>
    public static IEndpointConventionBuilder MapHyperSharpHealth(this IEndpointRouteBuilder endpoints, IEnumerable<SandboxPool> pools, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pools);
        var endpoint = new HealthEndpoint([.. pools]);
        return endpoints.MapGet($"{prefix}/healthz", endpoint.Handle);
    }
}
