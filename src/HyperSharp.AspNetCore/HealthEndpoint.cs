using Microsoft.AspNetCore.Http;

namespace HyperSharp.AspNetCore;

/// <summary>
/// <c>GET …/healthz</c>: 200 while every pool holds at least one sandbox, else 503, with each pool's counts as
/// <c>{"status": "ok", "pools": {"name": {"count", "idle", "rented", "waiting", "max", "created", "retired"}}}</c>.
/// </summary>
internal sealed class HealthEndpoint(IReadOnlyList<SandboxPool> pools)
{
    public Task Handle(HttpContext context)
    {
        var healthy = pools.All(p => p.Count > 0);
        return JsonResponses.Write(context, healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", healthy ? "ok" : "degraded");
            writer.WriteStartObject("pools");
            foreach (var pool in pools)
            {
                writer.WriteStartObject(pool.Options.Name);
                writer.WriteNumber("count", pool.Count);
                writer.WriteNumber("idle", pool.Idle);
                writer.WriteNumber("rented", pool.Rented);
                writer.WriteNumber("waiting", pool.Waiting);
                writer.WriteNumber("max", pool.Options.MaxSize);
                writer.WriteNumber("created", pool.Created);
                writer.WriteNumber("retired", pool.Retired);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
