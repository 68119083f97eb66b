using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// One contender's measurement of one side-by-side scenario: how to take a sample, and the samples taken.
/// A warm cell times batches of an operation and records the mean per operation; a single cell records
/// one operation per sample, its untimed preparation and clean-up kept out by the measuring function.
/// </summary>
internal sealed class Cell
{
    private readonly Action? _warmOperation;
    private readonly Func<double>? _singleSample;
    private double _secondsPerOperation;

    private Cell(Action? warmOperation, Func<double>? singleSample)
    {
        _warmOperation = warmOperation;
        _singleSample = singleSample;
    }

    public Samples Samples { get; } = new();

    /// <summary>A cell whose samples are the mean of a batch of <paramref name="operation"/>.</summary>
    public static Cell Warm(Action operation) => new(operation, null);

    /// <summary>A cell whose samples are single runs of <paramref name="timedSample"/>, which returns the nanoseconds it timed.</summary>
    public static Cell Single(Func<double> timedSample) => new(null, timedSample);

    /// <summary>Runs the operation for about <paramref name="seconds"/> (JIT, caches) and learns how long one takes.</summary>
    public void WarmUp(double seconds)
    {
        var start = Stopwatch.GetTimestamp();
        var runs = 0;
        while (runs < 2 || Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            RunOnce();
            runs++;
        }

        _secondsPerOperation = Stopwatch.GetElapsedTime(start).TotalSeconds / runs;
    }

    /// <summary>
    /// One round: samples for about <paramref name="seconds"/>, at most <paramref name="cap"/>, at least one.
    /// A warm sample is a batch lasting about <paramref name="sampleSeconds"/> of at most <paramref name="callsPerSample"/> calls.
    /// </summary>
    public void MeasureRound(double seconds, int cap, double sampleSeconds, int callsPerSample)
    {
        if (_warmOperation is { } operation)
        {
            var calls = Math.Clamp((int)(sampleSeconds / _secondsPerOperation), 1, callsPerSample);
            var samples = Math.Clamp((int)(seconds / (calls * _secondsPerOperation)), 1, cap);
            for (var s = 0; s < samples; s++)
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < calls; i++)
                {
                    operation();
                }

                Samples.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls);
            }

            return;
        }

        var count = Math.Clamp((int)(seconds / _secondsPerOperation), 1, cap);
        for (var i = 0; i < count; i++)
        {
            Samples.Add(_singleSample!());
        }
    }

    private void RunOnce()
    {
        if (_warmOperation is { } operation)
        {
            operation();
        }
        else
        {
            _ = _singleSample!();
        }
    }
}
