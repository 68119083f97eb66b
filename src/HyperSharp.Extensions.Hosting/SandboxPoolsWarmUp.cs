using Microsoft.Extensions.Hosting;

namespace HyperSharp.Extensions.Hosting;

/// <summary>Creates and warms every configured pool as the host starts, so the first request finds sandboxes ready.</summary>
internal sealed class SandboxPoolsWarmUp(SandboxPools pools) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => pools.WarmUpAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
