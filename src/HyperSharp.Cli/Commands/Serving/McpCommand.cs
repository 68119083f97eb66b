using System.CommandLine;
using HyperSharp.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Server;

namespace HyperSharp.Cli.Commands.Serving;

/// <summary>
/// <c>hypersharp mcp</c>: a Model Context Protocol server on standard input and output, with one tool per script
/// language (<c>run_javascript</c>, <c>run_python</c>, <c>run_lua</c>), each running on a warm pool of interpreters.
/// Standard output carries only the protocol; logs go to standard error.
/// </summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var pools = new ScriptPoolOptions();
        var command = new Command("mcp", "Serves run_javascript, run_python and run_lua to AI agents as a Model Context Protocol server over standard input and output.");
        pools.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            // Standard output is the protocol's: every log line, the pools' included, goes to standard error.
            using var loggers = StandardErrorLogging.Create();
            var scriptPools = pools.CreatePools(parseResult, loggers);
            try
            {
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
                builder.Services.AddSingleton(loggers);
                builder.Services.AddMcpServer(server => server.ServerInfo = new() { Name = "hypersharp", Version = InfoCommand.LibraryVersion() })
                    .WithStdioServerTransport()
                    .WithTools(scriptPools.Values.Select(McpServerTool (pool) => new ScriptMcpTool(new ScriptFunction(pool))));
                using var host = builder.Build();
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            finally
            {
                foreach (var pool in scriptPools.Values)
                {
                    pool.Dispose();
                }
            }
        });
        return command;
    }
}
