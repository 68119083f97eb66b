using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>Runs Debian's wrk with storm.lua against a server and reads the counts it prints.</summary>
internal static class Wrk
{
    /// <summary>What one wrk run counted: right answers, rightly refused attacks, wrong answers, socket errors, and speed.</summary>
    public sealed record Outcome(long Good, long Attacked, long Wrong, long SocketErrors, long Timeouts, long Requests, double RequestsPerSecond,
        long P50Microseconds, long P99Microseconds, string FirstWrong);

    /// <summary>Runs <paramref name="connections"/> connections (a thread each) for <paramref name="duration"/>, <paramref name="faultPercent"/>% of requests attacks.</summary>
    public static async Task<Outcome> RunAsync(string wrk, Uri server, int connections, TimeSpan duration, int faultPercent)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[
            "-t", connections.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "30s", "-s", Path.Combine(AppContext.BaseDirectory, "storm.lua"), server.ToString()])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["STORM_FAULTS"] = faultPercent.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(duration + TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("STORM ", StringComparison.Ordinal));
        Assert.True(process.ExitCode == 0 && line is not null, $"wrk exited with {process.ExitCode}:\n{output}\n{await stderr}");
        using var document = JsonDocument.Parse(line!["STORM ".Length..]);
        var root = document.RootElement;
        return new Outcome(root.GetProperty("good").GetInt64(), root.GetProperty("attacked").GetInt64(), root.GetProperty("wrong").GetInt64(),
            root.GetProperty("socketErrors").GetInt64(), root.GetProperty("timeouts").GetInt64(), root.GetProperty("requests").GetInt64(),
            root.GetProperty("rps").GetDouble(), root.GetProperty("p50us").GetInt64(), root.GetProperty("p99us").GetInt64(),
            root.GetProperty("firstWrong").GetString()!);
    }
}
