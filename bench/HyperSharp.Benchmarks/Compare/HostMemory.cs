using System.Globalization;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>Host memory readings for the density rows, from /proc.</summary>
internal static class HostMemory
{
    /// <summary>The proportional set size of process <paramref name="pid"/> in bytes: shared pages split between their sharers.</summary>
    public static long ProportionalSetSize(int pid) => Kilobytes($"/proc/{pid}/smaps_rollup", "Pss") * 1024;

    /// <summary>/proc/meminfo MemAvailable in bytes.</summary>
    public static long Available() => Kilobytes("/proc/meminfo", "MemAvailable") * 1024;

    /// <summary>Collects garbage first, so managed garbage does not count as a sandbox's memory.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>The "Name:   1234 kB" line's number.</summary>
    private static long Kilobytes(string path, string field)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"{path} has no {field} line.");
    }
}
