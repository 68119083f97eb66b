using Microsoft.Extensions.Logging;

namespace HyperSharp.Pooling;

/// <summary>The pool's log events.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Sandbox pool {Pool} started: at most {MaxSize} sandboxes, {MinIdle} kept ready")]
    public static partial void Started(ILogger logger, string pool, int maxSize, int minIdle);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Sandbox pool {Pool} retired a sandbox ({Reason}) after {Uses} uses")]
    public static partial void Retired(ILogger logger, string pool, string reason, int uses);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Sandbox pool {Pool} could not create a sandbox: {Reason}")]
    public static partial void CreationFailed(ILogger logger, string pool, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Sandbox pool {Pool} had no sandbox free for {TimeoutMs} ms ({Rented} rented, {MaxSize} at most)")]
    public static partial void Exhausted(ILogger logger, string pool, double timeoutMs, int rented, int maxSize);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Sandbox pool {Pool} disposed")]
    public static partial void Disposed(ILogger logger, string pool);
}
