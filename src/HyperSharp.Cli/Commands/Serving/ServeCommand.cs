using System.CommandLine;
using System.Globalization;
using System.Threading.RateLimiting;
using HyperSharp.AspNetCore;
using HyperSharp.Cli.Commands.Snapshots;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace HyperSharp.Cli.Commands.Serving;

/// <summary>
/// <c>hypersharp serve</c>: an HTTP server on ASP.NET Core. <c>POST /functions/{name}</c> calls the guest's functions
/// (a snapshot's, a guest binary's, or the bundled simpleguest's), <c>POST /scripts/{language}</c> runs scripts,
/// <c>GET /healthz</c> reports the pools, <c>GET /metrics</c> exports HyperSharp's and ASP.NET Core's metrics in
/// Prometheus's format. Every request runs on a pooled sandbox that is reset afterwards; body size, concurrency,
/// queueing and time are limited; SIGTERM or Ctrl+C lets requests in flight finish.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The rate-limiting policy of the endpoints that run guests: --max-concurrent at once, --queue waiting.</summary>
    private const string SandboxWork = "sandbox-work";

    /// <summary>What a request beyond --max-concurrent and --queue is answered, in the endpoints' error shape.</summary>
    private const string RejectedBody = """{"error":{"type":"Busy","message":"The server is handling as many requests as it may, and its queue is full."}}""";

    public static Command Create()
    {
        var port = NumberOption.Create("--port", "The TCP port; 0 picks a free one. Default 8080.", "n", 8080, 0, 65535);
        var listen = new Option<string>("--listen")
        {
            Description = "The address to listen on; default 127.0.0.1 (0.0.0.0 for every interface).",
            HelpName = "address",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var snapshot = new Option<string?>("--snapshot") { Description = "Serve the guest of this snapshot, DIR or DIR:TAG.", HelpName = "dir[:tag]" };
        var guest = new Option<string?>("--guest") { Description = "Serve this guest binary; default the bundled simpleguest.", HelpName = "file" };
        var callTimeout = new CallTimeoutOption("Stop a guest function call (408) that runs longer than this many milliseconds; default 5000.", "--call-timeout");
        var maxBody = new Option<ulong>("--max-body")
        {
            Description = "The largest request body, in bytes or with a K, M or G suffix (413 beyond); default 1M.",
            HelpName = "size",
            DefaultValueFactory = _ => 1 << 20,
            CustomParser = result => ByteSizes.TryParse(result.Tokens[0].Value, out var bytes) && bytes is >= 1 and <= 1UL << 30
                ? bytes
                : AddError(result, $"--max-body: '{result.Tokens[0].Value}' is not a size from 1 byte to 1G."),
        };
        var maxConcurrent = NumberOption.CreateOptional("--max-concurrent",
            "Requests handled at once, each waiting at most --rent-timeout for a sandbox; more wait in the queue. Default: 4 per sandbox of all pools.", "n", 1, 100_000);
        var queue = NumberOption.Create("--queue", "Requests that may wait for a slot; more are answered 503. Default 256.", "n", 256, 0, 1_000_000);
        var rentTimeout = NumberOption.Create("--rent-timeout",
            "How long a request waits for a free sandbox before it is answered 503, in milliseconds; default 10000.", "ms", 10_000.0, 1, 3_600_000);
        var shutdownTimeout = NumberOption.Create("--shutdown-timeout",
            "How long SIGTERM or Ctrl+C waits for requests in flight to finish, in seconds; default 30.", "s", 30.0, 0, 3600);
        var scripts = new ScriptPoolOptions();
        var command = new Command("serve", "Serves guest functions and scripts over HTTP, each request on a pooled sandbox reset afterwards.")
        {
            port, listen, snapshot, guest, maxBody, maxConcurrent, queue, rentTimeout, shutdownTimeout,
        };
        callTimeout.AddTo(command);
        scripts.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(snapshot) is not null && result.GetValue(guest) is not null)
            {
                result.AddError("give --snapshot or --guest, not both.");
            }
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var loggers = StandardErrorLogging.Create();
            var size = scripts.PoolSize(parseResult);
            var poolOptions = new SandboxPoolOptions
            {
                Name = "functions",
                MaxSize = size,
                MinIdle = size,
                RentTimeout = TimeSpan.FromMilliseconds(parseResult.GetValue(rentTimeout)),
            };
            using var functions = CreateFunctionPool(parseResult.GetValue(snapshot), parseResult.GetValue(guest),
                callTimeout.Read(parseResult) ?? TimeSpan.FromSeconds(5), poolOptions, loggers, parseResult.InvocationConfiguration.Error, out var loaded);
            using (loaded)
            {
                var scriptPools = scripts.CreatePools(parseResult, loggers);
                try
                {
                    var http = new HyperSharpHttpOptions { MaxRequestBodySize = (long)parseResult.GetValue(maxBody) };
                    // Requests beyond the sandboxes wait in the pools, where --rent-timeout bounds the wait; only beyond that
                    // in the limiter's queue, which has no time limit of its own.
                    var concurrency = parseResult.GetValue(maxConcurrent) ?? 4 * size * (1 + scriptPools.Count);
                    await using var app = Build(parseResult.GetValue(listen)!, parseResult.GetValue(port), loggers, concurrency, parseResult.GetValue(queue),
                        TimeSpan.FromSeconds(parseResult.GetValue(shutdownTimeout)));
                    app.MapHyperSharpFunctions(functions, http).RequireRateLimiting(SandboxWork);
                    app.MapHyperSharpScripts(scriptPools, http).RequireRateLimiting(SandboxWork);
                    app.MapHyperSharpHealth([functions, .. scriptPools.Values.Select(p => p.Sandboxes)]);
                    app.MapPrometheusScrapingEndpoint("/metrics");
                    await Task.WhenAll([functions.WarmUpAsync(cancellationToken), .. scriptPools.Values.Select(p => p.Sandboxes.WarmUpAsync(cancellationToken))]).ConfigureAwait(false);
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    var output = parseResult.InvocationConfiguration.Output;
                    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
                    {
                        output.WriteLine($"Listening on {address}");
                    }

                    output.Flush();
                    await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                finally
                {
                    foreach (var pool in scriptPools.Values)
                    {
                        pool.Dispose();
                    }
                }
            }
        });
        return command;
    }

    private static ulong AddError(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return 0;
    }

    /// <summary>
    /// The pool of the served guest: a snapshot's, a binary's, or the bundled simpleguest's; <paramref name="loaded"/> is
    /// a snapshot to dispose after it. Verifying a large snapshot reports progress on <paramref name="error"/>.
    /// </summary>
    private static SandboxPool CreateFunctionPool(string? snapshotLocation, string? guestPath, TimeSpan callTimeout, SandboxPoolOptions poolOptions,
        ILoggerFactory loggers, TextWriter error, out Snapshot? loaded)
    {
        loaded = null;
        if (snapshotLocation is not null)
        {
            var (directory, reference) = SnapshotDirectory.SplitLocation(snapshotLocation);
            var snapshot = SnapshotDirectory.Load(directory, SnapshotDirectory.Resolve(directory, reference), verifyDigests: true, error).Snapshot;
            try
            {
                var pool = SandboxPool.Create(snapshot, null, poolOptions with { Sandbox = snapshot.Options with { CallTimeout = callTimeout, LoggerFactory = loggers } });
                loaded = snapshot;
                return pool;
            }
            catch
            {
                snapshot.Dispose();
                throw;
            }
        }

        var path = guestPath ?? Path.Combine(AppContext.BaseDirectory, "guests", "simpleguest.elf");
        return SandboxPool.Create(path, null, poolOptions with { Sandbox = new SandboxOptions { CallTimeout = callTimeout, LoggerFactory = loggers } });
    }

    private static WebApplication Build(string listen, int port, ILoggerFactory loggers, int concurrency, int queue, TimeSpan shutdownTimeout)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Services.AddSingleton(loggers);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdownTimeout);
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://{(listen.Contains(':', StringComparison.Ordinal) ? $"[{listen}]" : listen)}:{port}"));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.OnRejected = (rejection, cancellationToken) =>
            {
                var response = rejection.HttpContext.Response;
                response.Headers.RetryAfter = "1";
                response.ContentType = "application/json; charset=utf-8";
                return new ValueTask(response.WriteAsync(RejectedBody, cancellationToken));
            };
            // Only the work is limited: health and metrics must answer an orchestrator even when every sandbox is busy.
            limiter.AddConcurrencyLimiter(SandboxWork, options =>
            {
                options.PermitLimit = concurrency;
                options.QueueLimit = queue;
                options.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        });
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(HyperSharpTelemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        var app = builder.Build();
        app.UseRateLimiter();
        return app;
    }
}
