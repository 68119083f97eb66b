using Microsoft.Extensions.Logging;

namespace HyperSharp.Cli.Commands.Serving;

/// <summary>The servers' logging: the console logger, every level on standard error, warnings and worse by default.</summary>
internal static class StandardErrorLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Warning) => LoggerFactory.Create(logging => logging
        .AddSimpleConsole(console => console.SingleLine = true)
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(minimum));
}
