namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// Density of sandboxes that live inside this process (HyperSharp's, Wasmtime's). The process's PSS alone is
/// too noisy for this: the garbage collector commits and decommits megabytes of heap on its own schedule. So a
/// sandbox's memory is counted as the PSS growth outside the managed heap, plus the growth of live managed bytes.
/// </summary>
internal static class InProcessDensity
{
    /// <param name="count">How many sandboxes to keep alive.</param>
    /// <param name="startOne">Starts one sandbox and makes its first call.</param>
    public static SandboxDensity Measure(int count, Func<IDisposable> startOne)
    {
        var pid = Environment.ProcessId;
        var sandboxes = new List<IDisposable>(count);
        var before = Reading.Take(pid);
        try
        {
            for (var i = 0; i < count; i++)
            {
                sandboxes.Add(startOne());
            }

            var after = Reading.Take(pid);
            var native = (after.Pss - after.GcCommitted) - (before.Pss - before.GcCommitted);
            var managed = after.LiveManaged - before.LiveManaged;
            return new SandboxDensity(count, native + managed, before.Available - after.Available);
        }
        finally
        {
            foreach (var sandbox in sandboxes)
            {
                sandbox.Dispose();
            }
        }
    }

    private sealed record Reading(long Pss, long GcCommitted, long LiveManaged, long Available)
    {
        public static Reading Take(int pid)
        {
            HostMemory.Settle();
            var liveManaged = GC.GetTotalMemory(forceFullCollection: true);
            return new Reading(HostMemory.ProportionalSetSize(pid), GC.GetGCMemoryInfo().TotalCommittedBytes, liveManaged, HostMemory.Available());
        }
    }
}
