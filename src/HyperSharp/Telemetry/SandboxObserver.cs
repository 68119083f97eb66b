using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace HyperSharp.Telemetry;

/// <summary>
/// What one sandbox reports: its spans, metrics and log events, under a process-unique id that ties them together.
/// Nothing here runs on a call's path unless a listener, a span or a logger wants it.
/// </summary>
internal sealed class SandboxObserver
{
    private static long s_lastId;

    private readonly ILogger? _logger;
    private readonly ILogger? _guestOutput;
    private readonly LogLevel _guestOutputLevel;

    public SandboxObserver(SandboxOptions? options)
    {
        Id = Interlocked.Increment(ref s_lastId);
        if (options?.LoggerFactory is { } factory)
        {
            _logger = factory.CreateLogger(HyperSharpTelemetry.SandboxLogCategory);
            _guestOutput = factory.CreateLogger(HyperSharpTelemetry.GuestOutputLogCategory);
            _guestOutputLevel = options.GuestOutputLogLevel;
        }
    }

    /// <summary>The sandbox's id in spans and logs.</summary>
    public long Id { get; }

    /// <summary>Starts a creation span and clock; <see cref="Created"/> or <see cref="CreationFailed"/> ends them.</summary>
    public static Operation StartCreate(string origin)
    {
        var activity = Instruments.Source.StartActivity("hypersharp.sandbox.create");
        if (activity is not null)
        {
            activity.DisplayName = $"create sandbox from {origin}";
            activity.SetTag(TelemetryNames.Origin, origin);
        }

        return new Operation(activity, Instruments.StartTiming(true));
    }

    public void Created(Operation create, string origin, ulong memorySize)
    {
        var seconds = Instruments.SecondsSince(create.Start);
        Instruments.CreateDuration.Record(seconds, new KeyValuePair<string, object?>(TelemetryNames.Origin, origin));
        Instruments.SandboxCount.Add(1);
        create.Activity?.SetTag("hypersharp.sandbox.id", Id);
        create.Activity?.Dispose();
        if (_logger is not null)
        {
            SandboxLog.Created(_logger, Id, origin, seconds * 1000, memorySize);
        }
    }

    public static void CreationFailed(Operation create, string origin, Exception failure)
    {
        Instruments.CreateDuration.Record(
            Instruments.SecondsSince(create.Start),
            new KeyValuePair<string, object?>(TelemetryNames.Origin, origin),
            new KeyValuePair<string, object?>(TelemetryNames.ErrorType, failure.GetType().FullName));
        Fail(create.Activity, failure);
    }

    public void Disposed()
    {
        Instruments.SandboxCount.Add(-1);
        if (_logger is not null)
        {
            SandboxLog.Disposed(_logger, Id);
        }
    }

    /// <summary>
    /// Starts observing a call to <paramref name="name"/>, recorded under its name if <paramref name="exports"/> holds it,
    /// else as <see cref="TelemetryNames.OtherFunction"/>.
    /// </summary>
    public Operation StartCall(string name, IReadOnlyDictionary<string, GuestFunctionSignature> exports)
    {
        if (!Instruments.TimingCalls)
        {
            return default;
        }

        var activity = Instruments.Source.StartActivity("hypersharp.sandbox.call");
        if (activity is not null)
        {
            var function = FunctionAttribute(name, exports);
            activity.DisplayName = $"call {function}";
            activity.SetTag(TelemetryNames.FunctionName, function);
            activity.SetTag("hypersharp.sandbox.id", Id);
        }

        return new Operation(activity, Stopwatch.GetTimestamp());
    }

    public static void CallSucceeded(Operation call, string name)
    {
        if (call.Start != 0)
        {
            Instruments.CallDuration.Record(Instruments.SecondsSince(call.Start), new KeyValuePair<string, object?>(TelemetryNames.FunctionName, name));
            call.Activity?.Dispose();
        }
    }

    /// <summary>Records a failed call; <paramref name="poisoned"/> says whether it left the sandbox poisoned or worse.</summary>
    public void CallFailed(Operation call, string name, IReadOnlyDictionary<string, GuestFunctionSignature> exports, Exception failure, bool poisoned)
    {
        var function = FunctionAttribute(name, exports);
        if (call.Start != 0)
        {
            Instruments.CallDuration.Record(
                Instruments.SecondsSince(call.Start),
                new KeyValuePair<string, object?>(TelemetryNames.FunctionName, function),
                new KeyValuePair<string, object?>(TelemetryNames.ErrorType, failure.GetType().FullName));
        }

        if (failure is GuestCallCanceledException canceled)
        {
            var reason = TelemetryNames.ReasonName(canceled.Reason);
            Instruments.Cancellations.Add(1, new KeyValuePair<string, object?>(TelemetryNames.CancellationReason, reason));
            if (_logger?.IsEnabled(LogLevel.Information) == true)
            {
                var escaped = UntrustedText.Escape(function, 256);
                SandboxLog.Canceled(_logger, escaped, Id, reason, canceled.GuestRan);
            }
        }
        else if (poisoned)
        {
            var kind = TelemetryNames.FaultKindOf(failure);
            Instruments.Faults.Add(1, new KeyValuePair<string, object?>(TelemetryNames.FaultKind, kind));
            call.Activity?.SetTag(TelemetryNames.FaultKind, kind);
            if (_logger?.IsEnabled(LogLevel.Warning) == true)
            {
                var escapedFunction = UntrustedText.Escape(function, 256);
                var escapedReason = UntrustedText.Escape(failure.Message, SandboxLog.MaxLoggedText);
                SandboxLog.Poisoned(_logger, Id, kind, escapedFunction, escapedReason);
            }
        }

        Fail(call.Activity, failure);
    }

    public static Operation StartRestore()
    {
        var activity = Instruments.Source.StartActivity("hypersharp.sandbox.restore");
        return new Operation(activity, Instruments.StartTiming(activity is not null || Instruments.RestoreDuration.Enabled));
    }

    public void Restored(Operation restore, ulong generation, long pages)
    {
        if (restore.Start != 0)
        {
            Instruments.RestoreDuration.Record(Instruments.SecondsSince(restore.Start));
        }

        Instruments.RestoredPages.Add(pages);
        if (restore.Activity is { } activity)
        {
            activity.SetTag("hypersharp.sandbox.id", Id);
            activity.SetTag(TelemetryNames.RestoredPages, pages);
            activity.Dispose();
        }

        if (_logger is not null)
        {
            SandboxLog.Restored(_logger, Id, generation, pages);
        }
    }

    public void RestoreFailed(Operation restore, Exception failure, bool unrecoverable)
    {
        if (restore.Start != 0)
        {
            Instruments.RestoreDuration.Record(
                Instruments.SecondsSince(restore.Start),
                new KeyValuePair<string, object?>(TelemetryNames.ErrorType, failure.GetType().FullName));
        }

        if (unrecoverable && _logger?.IsEnabled(LogLevel.Error) == true)
        {
            var escaped = UntrustedText.Escape(failure.Message, SandboxLog.MaxLoggedText);
            SandboxLog.Unrecoverable(_logger, Id, escaped);
        }

        Fail(restore.Activity, failure);
    }

    /// <summary>Logs one guest print, escaped and cut; false when no logger is configured and the caller should print it.</summary>
    public bool TryLogGuestOutput(string text, bool isError)
    {
        if (_guestOutput is null)
        {
            return false;
        }

        if (_guestOutput.IsEnabled(_guestOutputLevel))
        {
            var escaped = UntrustedText.Escape(text, SandboxLog.MaxLoggedText);
            SandboxLog.GuestOutput(_guestOutput, _guestOutputLevel, Id, isError ? "stderr" : "stdout", escaped);
        }

        return true;
    }

    private static string FunctionAttribute(string name, IReadOnlyDictionary<string, GuestFunctionSignature> exports) =>
        exports.ContainsKey(name) ? name : TelemetryNames.OtherFunction;

    /// <summary>Ends <paramref name="activity"/> as failed, with OpenTelemetry's error attributes and an exception event.</summary>
    public static void Fail(Activity? activity, Exception failure)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, UntrustedText.Escape(failure.Message, SandboxLog.MaxLoggedText));
        activity.SetTag(TelemetryNames.ErrorType, failure.GetType().FullName);
        activity.Dispose();
    }

    /// <summary>An operation under observation: its span, if anyone listens, and its start, 0 if nobody times it.</summary>
    public readonly record struct Operation(Activity? Activity, long Start);
}
