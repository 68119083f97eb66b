using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HyperSharp.IntegrationTests.Control;

/// <summary>A logger factory that keeps every entry at or above <paramref name="minimum"/>, formatted, with its category, level and structured state.</summary>
internal sealed class CapturingLoggerFactory(LogLevel minimum = LogLevel.Trace) : ILoggerFactory
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(Entries, categoryName, minimum);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    internal sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)
    {
        public object? Value(string key) => State.FirstOrDefault(pair => pair.Key == key).Value;
    }

    private sealed class Logger(ConcurrentQueue<Entry> entries, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), values));
            }
        }
    }
}
