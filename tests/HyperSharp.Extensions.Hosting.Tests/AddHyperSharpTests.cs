using System.Collections.Concurrent;
using HyperSharp.IntegrationTests;
using HyperSharp.Scripting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace HyperSharp.Extensions.Hosting.Tests;

/// <summary>
/// A real .NET host, configured as an application would be, gets its pools from one line of DI: validated when it
/// starts, warm before it serves, reachable by name, logging through the host, and gone when it stops.
/// </summary>
public sealed class AddHyperSharpTests
{
    private static readonly string SimpleGuest = Path.Combine(AppContext.BaseDirectory, "guests", "simpleguest.elf");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [KvmFact]
    public async Task AConfiguredPoolIsWarmWhenTheHostHasStartedAndServesByName()
    {
        using var host = Build(new()
        {
            ["HyperSharp:Pools:calc:Guest"] = "guests/simpleguest.elf",
            ["HyperSharp:Pools:calc:MaxSize"] = "3",
            ["HyperSharp:Pools:calc:MinIdle"] = "3",
            ["HyperSharp:Pools:calc:CallTimeout"] = "00:00:05",
        });
        await host.StartAsync(Token);

        var pools = host.Services.GetRequiredService<SandboxPools>();
        var pool = host.Services.GetRequiredKeyedService<SandboxPool>("calc");
        Assert.Same(pools.Get("calc"), pool);
        Assert.Equal(["calc"], pools.Names);
        Assert.Equal(3, pool.Idle);
        Assert.Equal("calc", pool.Options.Name);
        Assert.Equal(TimeSpan.FromSeconds(5), pool.Options.Sandbox!.CallTimeout);
        Assert.Equal(42, await pool.CallAsync<int>("Add", [40, 2], Token));

        await host.StopAsync(Token);
    }

    [KvmFact]
    public async Task HostFunctionsGetTheApplicationsServicesAndTheCallingLease()
    {
        var builder = HostBuilder(new() { ["HyperSharp:Pools:calc:Guest"] = SimpleGuest, ["HyperSharp:Pools:other:Guest"] = SimpleGuest });
        builder.Services.AddSingleton<Ledger>();
        builder.Services.AddHyperSharp(builder.Configuration)
            .AddHostFunctions("calc", (services, host) => host.Define("HostAdd", (Caller caller, int a, int b) =>
            {
                services.GetRequiredService<Ledger>().Entries.Enqueue((string)SandboxLease.Of(caller).State!);
                return a + b;
            }))
            .AddHostFunctions(null, (_, host) => host.Define("HostVoid", () => { }));
        using var host = builder.Build();
        await host.StartAsync(Token);

        var pool = host.Services.GetRequiredKeyedService<SandboxPool>("calc");
        await using (var lease = await pool.RentAsync(Token))
        {
            lease.State = "request 1";
            Assert.Equal(3, await lease.Sandbox.CallAsync<int>("CallHostAdd", 1, 2));
            Assert.Equal(1, await lease.Sandbox.CallAsync<int>("CallHostVoid"));
        }

        Assert.Equal(["request 1"], host.Services.GetRequiredService<Ledger>().Entries);
        var other = host.Services.GetRequiredKeyedService<SandboxPool>("other");
        Assert.Equal(1, await other.CallAsync<int>("CallHostVoid", [], Token));
        await Assert.ThrowsAsync<HostFunctionException>(() => other.CallAsync<int>("CallHostAdd", [1, 2], Token));
    }

    [KvmFact]
    public async Task APoolStartsFromASavedSnapshot()
    {
        var layout = Directory.CreateTempSubdirectory("hypersharp-hosting-");
        try
        {
            using (var origin = Sandbox.Create(SimpleGuest))
            {
                origin.Call("SetStatic", 77);
                using var snapshot = origin.Snapshot();
                snapshot.Save(layout.FullName, "ready");
            }

            using var host = Build(new()
            {
                ["HyperSharp:Pools:warm:Snapshot"] = layout.FullName,
                ["HyperSharp:Pools:warm:Tag"] = "ready",
            });
            await host.StartAsync(Token);
            var pool = host.Services.GetRequiredKeyedService<SandboxPool>("warm");
            Assert.Equal(77, await pool.CallAsync<int>("GetStatic", [], Token));
            await host.StopAsync(Token);
        }
        finally
        {
            layout.Delete(recursive: true);
        }
    }

    [KvmFact]
    public async Task AConfiguredScriptPoolIsWarmAndItsToolsGetTheApplicationsServices()
    {
        var builder = HostBuilder(new()
        {
            ["HyperSharp:ScriptPools:agent:Language"] = "JavaScript",
            ["HyperSharp:ScriptPools:agent:MaxSize"] = "2",
            ["HyperSharp:ScriptPools:agent:MinIdle"] = "2",
            ["HyperSharp:ScriptPools:agent:TimeLimit"] = "00:00:00.500",
            ["HyperSharp:ScriptPools:agent:MemoryLimit"] = $"{16 << 20}",
            ["HyperSharp:ScriptPools:lua:Language"] = "Lua",
            ["HyperSharp:ScriptPools:lua:MinIdle"] = "0",
        });
        builder.Services.AddSingleton<Ledger>();
        builder.Services.AddHyperSharp(builder.Configuration)
            .AddScriptTools("agent", (services, tools) => tools.Add("note", arguments =>
            {
                services.GetRequiredService<Ledger>().Entries.Enqueue(arguments[0].GetString()!);
                return "noted";
            }))
            .AddScriptTools(null, (_, tools) => tools.Add("twice", arguments => arguments[0].GetInt32() * 2));
        using var host = builder.Build();
        await host.StartAsync(Token);

        var pools = host.Services.GetRequiredService<SandboxPools>();
        var agent = host.Services.GetRequiredKeyedService<ScriptSandboxPool>("agent");
        Assert.Same(pools.GetScriptPool("agent"), agent);
        Assert.Equal(["agent", "lua"], pools.ScriptPoolNames.Order(StringComparer.Ordinal));
        Assert.Empty(pools.Names);
        Assert.Equal(ScriptLanguage.JavaScript, agent.Language);
        Assert.Equal("agent", agent.Sandboxes.Options.Name);
        Assert.Equal(2, agent.Sandboxes.Idle);
        Assert.Equal(16UL << 20, agent.Options.MemoryLimit);

        var result = await agent.RunAsync("tools.note('hello') + tools.twice(21)", Token);
        Assert.Equal("noted42", result.Value.GetString());
        Assert.Equal(["hello"], host.Services.GetRequiredService<Ledger>().Entries);
        await Assert.ThrowsAsync<ScriptTimeoutException>(() => agent.RunAsync("for (;;) {}", Token));

        var lua = host.Services.GetRequiredKeyedService<ScriptSandboxPool>("lua");
        Assert.Equal(84, (await lua.RunAsync("return tools.twice(42)", Token)).Value.GetInt32());
        var missing = await Assert.ThrowsAsync<ScriptException>(() => lua.RunAsync("return tools.note('x')", Token));
        Assert.Contains("note", missing.Message, StringComparison.Ordinal);

        await host.StopAsync(Token);
    }

    public static TheoryData<string, string, string> InvalidScriptPools => new()
    {
        { "Language", "Ruby", "Language" },
        { "MaxSize", "0", "SandboxPoolOptions.MaxSize must be between 1 and 4096" },
        { "MemoryLimit", "1024", "ScriptOptions.MemoryLimit must be between" },
        { "TimeLimit", "00:00:00", "ScriptOptions.TimeLimit must be null or between 1 ms" },
        { "OutputLimit", "10", "ScriptOptions.OutputLimit must be between" },
    };

    [Theory]
    [MemberData(nameof(InvalidScriptPools))]
    public async Task AnInvalidScriptPoolStopsTheStartWithItsNameAndSetting(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [$"HyperSharp:ScriptPools:bad:{setting}"] = value };
        if (setting is not "Language")
        {
            settings["HyperSharp:ScriptPools:bad:Language"] = "Python";
        }

        using var host = Build(settings);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Token));
        var message = failure is OptionsValidationException validation ? Assert.Single(validation.Failures) : failure.Message;
        Assert.Contains(setting is "Language" ? "HyperSharp:ScriptPools:bad:Language" : "HyperSharp:ScriptPools:bad: ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScriptPoolNeedsALanguageAndANameOfItsOwn()
    {
        using var host = Build(new()
        {
            ["HyperSharp:Pools:shared:Guest"] = SimpleGuest,
            ["HyperSharp:ScriptPools:shared:Language"] = "Lua",
            ["HyperSharp:ScriptPools:unnamed:MaxSize"] = "2",
        });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));
        Assert.Equal(
            [
                "HyperSharp:ScriptPools:shared: 'shared' is also the name of a sandbox pool; a pool's name is its metrics' name and must be unique.",
                "HyperSharp:ScriptPools:unnamed: set Language to one of JavaScript, Python, Lua.",
            ],
            failure.Failures.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string, string> InvalidPools => new()
    {
        { "Guest", "no-such-guest.elf", "Guest 'no-such-guest.elf' is not a file" },
        { "Snapshot", "/nonexistent/layout", "Snapshot '/nonexistent/layout' is not a directory" },
        { "MaxSize", "0", "SandboxPoolOptions.MaxSize must be between 1 and 4096" },
        { "MinIdle", "99", "SandboxPoolOptions.MinIdle must be between 0 and MaxSize (16)" },
        { "HeapSize", "12345", "SandboxOptions.HeapSize must be a multiple of 4096" },
        { "CallTimeout", "00:00:00", "SandboxOptions.CallTimeout must be null or between 1 ms" },
    };

    [Theory]
    [MemberData(nameof(InvalidPools))]
    public async Task AnInvalidPoolStopsTheStartWithItsNameAndSetting(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [$"HyperSharp:Pools:bad:{setting}"] = value };
        if (setting is not "Guest" and not "Snapshot")
        {
            settings["HyperSharp:Pools:bad:Guest"] = SimpleGuest;
        }

        using var host = Build(settings);
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));
        var message = Assert.Single(failure.Failures);
        Assert.StartsWith("HyperSharp:Pools:bad: ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APoolNeedsExactlyOneSourceAndASnapshotBringsItsOwnSizes()
    {
        using var neither = Build(new() { ["HyperSharp:Pools:empty:MaxSize"] = "2" });
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => neither.StartAsync(Token));
        Assert.Contains("set exactly one of Guest", Assert.Single(failure.Failures), StringComparison.Ordinal);

        using var sized = Build(new()
        {
            ["HyperSharp:Pools:snap:Snapshot"] = AppContext.BaseDirectory,
            ["HyperSharp:Pools:snap:HeapSize"] = "8192",
        });
        failure = await Assert.ThrowsAsync<OptionsValidationException>(() => sized.StartAsync(Token));
        Assert.Contains("apply to Guest pools only", Assert.Single(failure.Failures), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task AnUnknownPoolNameListsTheConfiguredOnes()
    {
        using var host = Build(new() { ["HyperSharp:Pools:calc:Guest"] = SimpleGuest, ["HyperSharp:Pools:eval:Guest"] = SimpleGuest });
        await host.StartAsync(Token);
        var failure = Assert.Throws<KeyNotFoundException>(() => host.Services.GetRequiredService<SandboxPools>().Get("calculator"));
        Assert.Equal("No sandbox pool 'calculator' is configured; configured: calc, eval.", failure.Message);
    }

    [KvmFact]
    public async Task PoolsLogThroughTheHostAndAreDisposedWithIt()
    {
        var logs = new ConcurrentQueue<string>();
        var builder = HostBuilder(new() { ["HyperSharp:Pools:calc:Guest"] = SimpleGuest });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(logs));
        builder.Services.AddHyperSharp(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(Token);
        var pool = host.Services.GetRequiredKeyedService<SandboxPool>("calc");
        await pool.CallAsync<int>("Add", [1, 2], Token);

        await host.StopAsync(Token);
        host.Dispose();

        Assert.Contains(logs, line => line.StartsWith("HyperSharp.SandboxPool: Sandbox pool calc started", StringComparison.Ordinal));
        Assert.Contains(logs, line => line.StartsWith("HyperSharp.Sandbox: Sandbox ", StringComparison.Ordinal) && line.Contains("created from elf", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.RentAsync(Token));
    }

    [Fact]
    public void AddingHyperSharpTwiceAddsPoolsNotASecondRegistry()
    {
        var services = new ServiceCollection();
        services.AddHyperSharp(options => options.Pools["a"] = new SandboxPoolSettings { Guest = SimpleGuest });
        services.AddHyperSharp(options => options.Pools["b"] = new SandboxPoolSettings { Guest = SimpleGuest });

        Assert.Single(services, s => s.ServiceType == typeof(IHostedService));
        Assert.Single(services, s => s.ServiceType == typeof(SandboxPools));
        using var provider = services.BuildServiceProvider();
        Assert.Equal(["a", "b"], provider.GetRequiredService<SandboxPools>().Names.Order(StringComparer.Ordinal));
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = HostBuilder(settings);
        builder.Services.AddHyperSharp(builder.Configuration);
        return builder.Build();
    }

    private static HostApplicationBuilder HostBuilder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    private sealed class Ledger
    {
        public ConcurrentQueue<string> Entries { get; } = new();
    }

    private sealed class ListLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}
