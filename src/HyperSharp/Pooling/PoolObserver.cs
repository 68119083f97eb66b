using System.Diagnostics;
using HyperSharp.Telemetry;
using Microsoft.Extensions.Logging;

namespace HyperSharp.Pooling;

/// <summary>The metrics, spans and log events of one pool, every one tagged with its name.</summary>
internal sealed class PoolObserver
{
    private readonly KeyValuePair<string, object?> _pool;
    private readonly KeyValuePair<string, object?> _idle;
    private readonly KeyValuePair<string, object?> _used;
    private readonly ILogger? _logger;
    private readonly string _name;

    public PoolObserver(string name, ILoggerFactory? loggerFactory)
    {
        _name = name;
        _pool = new(TelemetryNames.PoolName, name);
        _idle = new(TelemetryNames.PoolSandboxState, "idle");
        _used = new(TelemetryNames.PoolSandboxState, "used");
        _logger = loggerFactory?.CreateLogger(HyperSharpTelemetry.PoolLogCategory);
    }

    public void Started(int maxSize, int minIdle)
    {
        Instruments.PoolMax.Add(maxSize, _pool);
        if (_logger is not null)
        {
            PoolLog.Started(_logger, _name, maxSize, minIdle);
        }
    }

    public void Stopped(int maxSize, int idleDisposed)
    {
        Instruments.PoolMax.Add(-maxSize, _pool);
        Instruments.PoolSandboxes.Add(-idleDisposed, _pool, _idle);
        if (_logger is not null)
        {
            PoolLog.Disposed(_logger, _name);
        }
    }

    /// <summary>Starts a rent's span and clock.</summary>
    public SandboxObserver.Operation StartRent()
    {
        var activity = Instruments.Source.StartActivity("hypersharp.pool.rent");
        if (activity is not null)
        {
            activity.DisplayName = "rent sandbox";
            activity.SetTag(TelemetryNames.PoolName, _name);
        }

        return new SandboxObserver.Operation(activity, Stopwatch.GetTimestamp());
    }

    public void Rented(SandboxObserver.Operation rent)
    {
        Instruments.PoolRentWaitTime.Record(Instruments.SecondsSince(rent.Start), _pool);
        rent.Activity?.Dispose();
    }

    public void RentFailed(SandboxObserver.Operation rent, Exception failure)
    {
        Instruments.PoolRentWaitTime.Record(
            Instruments.SecondsSince(rent.Start), _pool, new KeyValuePair<string, object?>(TelemetryNames.ErrorType, failure.GetType().FullName));
        SandboxObserver.Fail(rent.Activity, failure);
    }

    public void Exhausted(TimeSpan timeout, int rented, int maxSize)
    {
        if (_logger is not null)
        {
            PoolLog.Exhausted(_logger, _name, timeout.TotalMilliseconds, rented, maxSize);
        }
    }

    public void Waiting(int change) => Instruments.PoolPendingRequests.Add(change, _pool);

    public void IdleAdded() => Instruments.PoolSandboxes.Add(1, _pool, _idle);

    public void IdleTaken()
    {
        Instruments.PoolSandboxes.Add(-1, _pool, _idle);
        Instruments.PoolSandboxes.Add(1, _pool, _used);
    }

    public void HandedOver() => Instruments.PoolSandboxes.Add(1, _pool, _used);

    public void UsedEnded() => Instruments.PoolSandboxes.Add(-1, _pool, _used);

    public void Retired(string reason, int uses)
    {
        Instruments.PoolRetirements.Add(1, _pool, new KeyValuePair<string, object?>(TelemetryNames.RetirementReason, reason));
        if (_logger is not null)
        {
            PoolLog.Retired(_logger, _name, reason, uses);
        }
    }

    public void CreationFailed(Exception failure)
    {
        if (_logger?.IsEnabled(LogLevel.Error) == true)
        {
            var reason = UntrustedText.Escape(failure.Message, SandboxLog.MaxLoggedText);
            PoolLog.CreationFailed(_logger, _name, reason);
        }
    }
}
