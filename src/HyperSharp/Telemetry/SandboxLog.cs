using Microsoft.Extensions.Logging;

namespace HyperSharp.Telemetry;

/// <summary>
/// The sandbox's log events. Every text a guest chose (function names, abort and fault messages, output) is passed
/// through <see cref="UntrustedText.Escape"/> first, so a guest cannot forge log lines or drive a log viewer.
/// </summary>
internal static partial class SandboxLog
{
    /// <summary>The most characters of one guest print or guest message that reach a log.</summary>
    public const int MaxLoggedText = 4096;

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Sandbox {SandboxId} created from {Origin} in {ElapsedMs:F3} ms ({MemorySize} bytes of guest memory)")]
    public static partial void Created(ILogger logger, long sandboxId, string origin, double elapsedMs, ulong memorySize);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Sandbox {SandboxId} disposed")]
    public static partial void Disposed(ILogger logger, long sandboxId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Sandbox {SandboxId} poisoned by a {FaultKind} in call to {Function}: {Reason}")]
    public static partial void Poisoned(ILogger logger, long sandboxId, string faultKind, string function, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Call to {Function} in sandbox {SandboxId} stopped ({CancellationReason}); guest ran: {GuestRan}")]
    public static partial void Canceled(ILogger logger, string function, long sandboxId, string cancellationReason, bool guestRan);

    [LoggerMessage(EventId = 5, Level = LogLevel.Trace, Message = "Sandbox {SandboxId} restored to snapshot generation {Generation}, {Pages} pages copied back")]
    public static partial void Restored(ILogger logger, long sandboxId, ulong generation, long pages);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Sandbox {SandboxId} is unrecoverable: {Reason}")]
    public static partial void Unrecoverable(ILogger logger, long sandboxId, string reason);

    [LoggerMessage(EventId = 7, Message = "Sandbox {SandboxId} {Stream}: {Text}")]
    public static partial void GuestOutput(ILogger logger, LogLevel level, long sandboxId, string stream, string text);
}
