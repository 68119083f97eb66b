using System.Globalization;
using System.Text.Json;
using HyperSharp.Scripting;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>
/// <c>hypersharp serve</c> under a real load generator: every answer right under plain load; then, with a tenth of the
/// requests attacking it (guests spinning past their limit or aborting, scripts looping or exhausting memory), still
/// every answer right or its typed error, and afterwards the pools at full strength and nothing leaked.
/// </summary>
[Collection(typeof(LoadCollection))]
public sealed class FaultStormTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryAnswerIsRightUnderLoadAndUnderAFaultStormAndNothingLeaks()
    {
        var wrk = Requirements.Wrk();
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        await using var server = await ServerProcess.StartAsync(
            "--pool-size", "2", "--call-timeout", "300", "--script-timeout", "300", "--memory", "8M", "--languages", "javascript");

        var plain = await Wrk.RunAsync(wrk, server.Address, connections: 4, TimeSpan.FromSeconds(3), faultPercent: 0);
        Assert.True(plain.Wrong == 0 && plain.SocketErrors == 0, $"plain load: {plain}");
        Assert.True(plain.Good > 100, $"plain load answered too few: {plain}");
        await WaitForFullStrength(server);
        var descriptors = server.OpenDescriptors();
        var resident = server.ResidentBytes();

        var storm = await Wrk.RunAsync(wrk, server.Address, connections: 8, TimeSpan.FromSeconds(8), faultPercent: 10);

        Assert.True(storm.Wrong == 0 && storm.SocketErrors == 0, $"fault storm: {storm}");
        Assert.True(storm.Attacked > 10 && storm.Good > 10 * storm.Attacked / 2, $"fault storm: {storm}");
        await WaitForFullStrength(server);
        Assert.Equal(4, await LiveSandboxes(server));
        Assert.InRange(server.OpenDescriptors(), 0, descriptors + 16);
        Assert.InRange(server.ResidentBytes(), 0, resident + (256L << 20));
        Assert.Equal(0, await server.StopAsync());
    }

    /// <summary>Waits until every pool is back to all its sandboxes idle: the retired ones replaced.</summary>
    private static async Task WaitForFullStrength(ServerProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var document = JsonDocument.Parse(await server.Client.GetStringAsync("/healthz", Token));
            var pools = document.RootElement.GetProperty("pools").EnumerateObject().ToList();
            if (pools.All(p => p.Value.GetProperty("idle").GetInt32() == p.Value.GetProperty("max").GetInt32()))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the pools did not return to full strength: {document.RootElement}");
            await Task.Delay(50, Token);
        }
    }

    /// <summary>The server's <c>hypersharp.sandbox.count</c>, as its Prometheus endpoint reports it.</summary>
    private static async Task<long> LiveSandboxes(ServerProcess server)
    {
        var metrics = await server.Client.GetStringAsync("/metrics", Token);
        var line = metrics.Split('\n').Single(l => l.StartsWith("hypersharp_sandbox_count", StringComparison.Ordinal) && !l.StartsWith('#'));
        // name{labels} value [timestamp]
        return long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}

/// <summary>Load tests run alone: they measure a server that other tests would slow down.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class LoadCollection;
