using System.Net;
using System.Text;
using System.Text.Json;
using HyperSharp.Scripting;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>
/// The server's own limits — sandboxes to rent, requests at once, the queue behind them — answer 503 with a JSON error
/// and a Retry-After, and SIGTERM lets the requests in flight finish before the process exits.
/// </summary>
public sealed class LimitsAndShutdownTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARequestThatFindsNoSandboxInTimeIs503WithRetryAfter()
    {
        Requirements.Kvm();
        await using var server = await ServerProcess.StartAsync("--pool-size", "1", "--rent-timeout", "200", "--call-timeout", "3000", "--languages", "none");
        var spinning = server.Client.PostAsync("/functions/Spin", Json("[]"), Token);
        await WaitUntilRented(server, "functions");

        using var refused = await server.Client.PostAsync("/functions/Add", Json("[1, 2]"), Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("Busy", await ErrorType(refused));

        using (var timedOut = await spinning)
        {
            Assert.Equal(HttpStatusCode.RequestTimeout, timedOut.StatusCode);
        }

        using var served = await server.Client.PostAsync("/functions/Add", Json("[1, 2]"), Token);
        Assert.Equal("{\"result\":3}", await served.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task RequestsBeyondTheConcurrencyLimitAndItsQueueAre503()
    {
        Requirements.Kvm();
        await using var server = await ServerProcess.StartAsync("--pool-size", "2", "--max-concurrent", "1", "--queue", "0", "--call-timeout", "2000", "--languages", "none");
        var spinning = server.Client.PostAsync("/functions/Spin", Json("[]"), Token);
        await WaitUntilRented(server, "functions");

        using var refused = await server.Client.PostAsync("/functions/Add", Json("[1, 2]"), Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("Busy", await ErrorType(refused));
        using (await spinning)
        {
        }
    }

    [Fact]
    public async Task SigtermLetsRequestsInFlightFinish()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        await using var server = await ServerProcess.StartAsync("--pool-size", "1", "--languages", "javascript", "--script-timeout", "10000");
        var running = server.Client.PostAsync("/scripts/javascript",
            new StringContent("const end = Date.now() + 1500; while (Date.now() < end) {} 'finished'", Encoding.UTF8, "text/plain"), Token);
        await Task.Delay(500, Token);

        var exit = server.StopAsync();
        using var response = await running;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal("finished", document.RootElement.GetProperty("value").GetString());
        Assert.Equal(0, await exit);
        await Assert.ThrowsAsync<HttpRequestException>(() => server.Client.GetAsync("/healthz", Token));
    }

    [Fact]
    public async Task BadCommandLinesAreUsageErrors()
    {
        Requirements.Kvm();
        foreach (var arguments in new[] { new[] { "--port", "70000" }, ["--languages", "cobol"], ["--pool-size", "0"], ["--snapshot", "/nonexistent", "--guest", "x"] })
        {
            var start = new System.Diagnostics.ProcessStartInfo(Requirements.Cli) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in (string[])["serve", .. arguments])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            var errors = await process.StandardError.ReadToEndAsync(Token);
            await process.WaitForExitAsync(Token);
            Assert.Equal(2, process.ExitCode);
            Assert.StartsWith("error: ", errors, StringComparison.Ordinal);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Waits until the pool reports a rented sandbox: the request before is running in the guest.</summary>
    private static async Task WaitUntilRented(ServerProcess server, string pool)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var document = JsonDocument.Parse(await server.Client.GetStringAsync("/healthz", Token));
            if (document.RootElement.GetProperty("pools").GetProperty(pool).GetProperty("rented").GetInt32() > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the first request never rented a sandbox");
            await Task.Delay(10, Token);
        }
    }

    private static async Task<string?> ErrorType(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return document.RootElement.GetProperty("error").GetProperty("type").GetString();
    }
}
