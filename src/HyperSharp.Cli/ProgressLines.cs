using System.Diagnostics;
using System.Globalization;

namespace HyperSharp.Cli;

/// <summary>
/// Progress of work over a known number of bytes (saving or hashing snapshot memory), on stderr: silent for the first
/// second, so quick commands print nothing extra, then one line a second (whole lines, since stderr may be a log
/// rather than a terminal). stdout stays the command's result alone.
/// </summary>
internal sealed class ProgressLines : IProgress<long>
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _error;
    private readonly string _activity;
    private readonly ulong _total;
    private readonly Func<TimeSpan> _elapsed;
    private TimeSpan _next = s_interval;

    /// <param name="error">Where the lines go.</param>
    /// <param name="activity">What is being done, e.g. "saving memory".</param>
    /// <param name="total">The bytes the work ends at.</param>
    /// <param name="elapsed">The time since the work began; null for a stopwatch started now (tests pass a clock).</param>
    public ProgressLines(TextWriter error, string activity, ulong total, Func<TimeSpan>? elapsed = null)
    {
        _error = error;
        _activity = activity;
        _total = total;
        var start = Stopwatch.GetTimestamp();
        _elapsed = elapsed ?? (() => Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Takes the bytes done so far; prints a line when the next whole second has passed.</summary>
    public void Report(long value)
    {
        var elapsed = _elapsed();
        if (elapsed < _next)
        {
            return;
        }

        _next = elapsed + s_interval;
        var percent = _total == 0 ? 100 : (ulong)value * 100 / _total;
        _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_activity}: {ByteSizes.FormatApproximate((ulong)value)} of {ByteSizes.FormatApproximate(_total)} ({percent}%), {elapsed.TotalSeconds:F1} s"));
    }
}
