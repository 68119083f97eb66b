using System.Diagnostics;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>Stopwatch arithmetic the compare scenarios share.</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="operation"/> at least three times and for about <paramref name="seconds"/>; returns the mean seconds per run.</summary>
    public static double Estimate(Action operation, double seconds)
    {
        var start = Stopwatch.GetTimestamp();
        var runs = 0;
        while (runs < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            operation();
            runs++;
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds / runs;
    }

    /// <summary>Nanoseconds between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public static double Nanoseconds(long start, long end) => (end - start) * 1e9 / Stopwatch.Frequency;
}
