using System.Diagnostics;
using System.Diagnostics.Metrics;
using HyperSharp.Telemetry;
using Microsoft.Extensions.Logging;

namespace HyperSharp.Pooling;

/// <summary>The metrics, spans and log events of one pool, every one tagged with its name.</summary>
internal sealed class PoolObserver
{
    /// <summary>The pools alive, which the observable pool instruments report at each collection.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<SandboxPool, PoolObserver> s_pools = new();

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

    public void Started(SandboxPool pool, int maxSize, int minIdle)
    {
        s_pools[pool] = this;
        if (_logger is not null)
        {
            PoolLog.Started(_logger, _name, maxSize, minIdle);
        }
    }

    public void Stopped(SandboxPool pool)
    {
        s_pools.TryRemove(pool, out _);
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

    /// <summary>Each live pool's idle and used sandboxes.</summary>
    public static IEnumerable<Measurement<long>> ObserveSandboxes()
    {
        foreach (var (pool, observer) in s_pools)
        {
            var idle = pool.Idle;
            yield return new Measurement<long>(idle, observer._pool, observer._idle);
            yield return new Measurement<long>(pool.Rented, observer._pool, observer._used);
        }
    }

    /// <summary>Each live pool's maximum size.</summary>
    public static IEnumerable<Measurement<long>> ObserveMaximums() =>
        s_pools.Select(p => new Measurement<long>(p.Key.Options.MaxSize, p.Value._pool));

    /// <summary>Each live pool's waiting renters.</summary>
    public static IEnumerable<Measurement<long>> ObserveWaiting() =>
        s_pools.Select(p => new Measurement<long>(p.Key.Waiting, p.Value._pool));

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
