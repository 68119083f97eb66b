using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using HyperSharp.Benchmarks.Compare;
using HyperSharp.Scripting;
using ModelContextProtocol.Client;

namespace HyperSharp.Benchmarks.Serving;

/// <summary>
/// <c>serve-load</c>: issue 17's measurements. Requests/s and p50/p99 latency of <c>hypersharp serve</c> under Debian's wrk
/// on loopback, for a guest function call (Add) and a trivial JavaScript run, next to the same work in-process (the same
/// pools, the same number of concurrent callers, no HTTP) in the same run, alternating over rounds; and the time of an
/// MCP <c>tools/call</c> of a trivial script through <c>hypersharp mcp</c> against the script API's own run.
/// </summary>
internal static class ServeLoadCommand
{
    private const string Usage = "usage: serve-load [--seconds n] [--connections n] [--pool-size n] [--rounds n]";

    public static async Task<int> Run(string[] args)
    {
        var seconds = 10;
        var connections = 8;
        var poolSize = 2;
        var rounds = 2;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }

            switch (args[i])
            {
                case "--seconds": seconds = value; break;
                case "--connections": connections = value; break;
                case "--pool-size": poolSize = value; break;
                case "--rounds": rounds = value; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var wrk = File.Exists("/usr/bin/wrk") ? "/usr/bin/wrk" : throw new FileNotFoundException("serve-load needs Debian's wrk: apt-get install wrk");
        var duration = TimeSpan.FromSeconds(seconds);
        var rows = new List<Row>();
        await using (var server = await Server.StartAsync(poolSize))
        {
            using var functions = SandboxPool.Create(BenchFiles.SimpleGuest, null, new SandboxPoolOptions { MaxSize = poolSize, MinIdle = poolSize });
            using var scripts = ScriptSandboxPool.Create(ScriptLanguage.JavaScript, ScriptOptions.Default with { TimeLimit = TimeSpan.FromSeconds(5) },
                poolOptions: new SandboxPoolOptions { MaxSize = poolSize, MinIdle = poolSize });
            await functions.WarmUpAsync();
            await scripts.Sandboxes.WarmUpAsync();
            for (var round = 0; round < rounds; round++)
            {
                Console.Error.WriteLine($"serve-load: round {round + 1}/{rounds}");
                var http = round % 2 == 0;
                for (var half = 0; half < 2; half++, http = !http)
                {
                    rows.Add(http
                        ? await Wrk(wrk, server.Address, "Add over HTTP", "/functions/Add", "[40, 2]", connections, duration)
                        : await InProcess("Add in-process", connections, duration, () => functions.CallAsync<int>("Add", [40, 2])));
                    rows.Add(http
                        ? await Wrk(wrk, server.Address, "JavaScript 1+1 over HTTP", "/scripts/javascript", "1+1", connections, duration)
                        : await InProcess("JavaScript 1+1 in-process", connections, duration, () => scripts.RunAsync("1+1")));
                }
            }
        }

        var (mcp, api, listing) = await McpAgainstApi(calls: 300);
        Console.WriteLine($"Machine: {Machine.Describe()}; wrk -t{connections} -c{connections} -d{seconds}s; pools of {poolSize}; {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("| Workload | Round | Requests/s | p50 | p99 | p99/p50 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {index / 4 + 1} | {row.RequestsPerSecond:0} | {Report.Time(row.P50Ns)} | {Report.Time(row.P99Ns)} | {row.P99Ns / row.P50Ns:0.0}× |"));
        }

        Console.WriteLine();
        Console.WriteLine("| Target | Threshold | Measured (median over rounds) | Met |");
        Console.WriteLine("|---|---:|---:|---|");
        foreach (var workload in new[] { "Add", "JavaScript 1+1" })
        {
            var httpRate = Median(rows.Where(r => r.Name == $"{workload} over HTTP").Select(r => r.RequestsPerSecond));
            var inProcessRate = Median(rows.Where(r => r.Name == $"{workload} in-process").Select(r => r.RequestsPerSecond));
            var tail = Median(rows.Where(r => r.Name == $"{workload} over HTTP").Select(r => r.P99Ns / r.P50Ns));
            Target($"{workload}: HTTP requests/s ≥ 0.6× in-process", "0.60×", $"{httpRate:0} vs {inProcessRate:0} req/s ({httpRate / inProcessRate:0.00}×)", httpRate >= 0.6 * inProcessRate);
            Target($"{workload}: HTTP p99 ≤ 10× p50", "10×", $"{tail:0.0}×", tail <= 10);
        }

        Target("MCP tools/call of 1+1 ≤ 2× the script API's run", "2.00×", $"{Report.Time(mcp)} vs {Report.Time(api)} ({mcp / api:0.00}×)", mcp <= 2 * api);
        Console.WriteLine();
        Console.WriteLine($"MCP tools/list round trip, the protocol with no work behind it (same client and server): {Report.Time(listing)}");
        return 0;
    }

    private static void Target(string target, string threshold, string measured, bool met) =>
        Console.WriteLine($"| {target} | {threshold} | {measured} | {(met ? "yes" : "**no**")} |");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>wrk against one endpoint with a fixed body; its own latency percentiles.</summary>
    private static async Task<Row> Wrk(string wrk, Uri server, string name, string path, string body, int connections, TimeSpan duration)
    {
        var script = Path.Combine(Path.GetTempPath(), $"serve-load-{Environment.ProcessId}.lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.path = "{{path}}"
            wrk.body = {{LuaString(body)}}
            wrk.headers["Content-Type"] = "application/json"
            function done(summary, latency, requests)
              io.write(string.format("LOAD %d %d %d %d %d\n", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
                summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
            end
            """);
        try
        {
            var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in (string[])["-t", $"{connections}", "-c", $"{connections}", "-d", $"{(int)duration.TotalSeconds}s", "-s", script, server.ToString()])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var fields = output.Split('\n').Single(l => l.StartsWith("LOAD ", StringComparison.Ordinal)).Split(' ')[1..].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            if (fields[4] > 0)
            {
                throw new InvalidOperationException($"{name}: wrk counted {fields[4]} errors");
            }

            return new Row(name, fields[0] / (fields[1] / 1e6), fields[2] * 1e3, fields[3] * 1e3);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>
    /// A Lua string literal of <paramref name="text"/>'s UTF-8 bytes, every byte outside printable ASCII (and the quote and
    /// backslash) as a decimal escape: wrk's LuaJIT knows neither JSON's <c>\u</c> escapes nor Lua 5.3's <c>\u{…}</c>.
    /// </summary>
    private static string LuaString(string text) =>
        "\"" + string.Concat(Encoding.UTF8.GetBytes(text).Select(b => b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\{b}")) + "\"";

    /// <summary>The same work from <paramref name="callers"/> concurrent async loops, each operation timed.</summary>
    private static async Task<Row> InProcess(string name, int callers, TimeSpan duration, Func<Task> operation)
    {
        var latencies = new List<double>[callers];
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var mine = latencies[caller] = [];
            while (Stopwatch.GetTimestamp() < end)
            {
                var begin = Stopwatch.GetTimestamp();
                await operation();
                mine.Add(Timing.Nanoseconds(begin, Stopwatch.GetTimestamp()));
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Row(name, all.Length / elapsed, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    }

    /// <summary>
    /// Medians of interleaved tools/call through hypersharp mcp and runs of the script API, both of "1+1" on a warm pool
    /// of one, and of an MCP tools/list: what the protocol costs with no work behind it.
    /// </summary>
    private static async Task<(double Mcp, double Api, double Listing)> McpAgainstApi(int calls)
    {
        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "hypersharp",
            Command = Server.Cli,
            Arguments = ["mcp", "--languages", "javascript", "--pool-size", "1"],
        }));
        using var pool = ScriptSandboxPool.Create(ScriptLanguage.JavaScript, poolOptions: new SandboxPoolOptions { MaxSize = 1, MinIdle = 1 });
        var arguments = new Dictionary<string, object?> { ["code"] = "1+1" };
        var mcp = new Samples();
        var api = new Samples();
        var listing = new Samples();
        for (var i = -20; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.CallToolAsync("run_javascript", arguments);
            var middle = Stopwatch.GetTimestamp();
            await pool.RunAsync("1+1");
            var end = Stopwatch.GetTimestamp();
            await client.ListToolsAsync();
            var listed = Stopwatch.GetTimestamp();
            if (i >= 0)
            {
                mcp.Add(Timing.Nanoseconds(start, middle));
                api.Add(Timing.Nanoseconds(middle, end));
                listing.Add(Timing.Nanoseconds(end, listed));
            }
        }

        return (mcp.Median, api.Median, listing.Median);
    }

    private sealed record Row(string Name, double RequestsPerSecond, double P50Ns, double P99Ns);

    /// <summary>hypersharp serve, the Release build next to this repository, on a free loopback port.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly Process _process;

        private Server(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public static string Cli => typeof(Server).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HyperSharpCli").Value!;

        public Uri Address { get; }

        public static async Task<Server> StartAsync(int poolSize)
        {
            var start = new ProcessStartInfo(Cli) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in (string[])["serve", "--port", "0", "--pool-size", $"{poolSize}", "--languages", "javascript"])
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("Listening on ", StringComparison.Ordinal))
                {
                    return new Server(process, new Uri(line["Listening on ".Length..]));
                }
            }

            throw new InvalidOperationException($"hypersharp serve exited with {process.ExitCode} before listening");
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
