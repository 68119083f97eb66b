using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace HyperSharp.Benchmarks.Density;

/// <summary>
/// <c>density [--count n] [--guests dir]</c>: how many live sandboxes one snapshot affords. Takes one snapshot
/// of a sandbox with a 16 MiB heap, starts <c>n</c> sandboxes from it with <see cref="Sandbox.FromSnapshot"/>,
/// makes one Echo call in each, and reports the host memory they hold (/proc/meminfo MemAvailable and a few
/// of its parts, /proc/self/status VmRSS) against <c>n</c> × the snapshot's memory size. Raises
/// RLIMIT_NOFILE itself; disposes everything at the end.
/// </summary>
internal static partial class DensityCommand
{
    private const string Usage = "usage: density [--count n] [--guests dir]";
    private const ulong HeapSize = 16UL << 20;
    private const long TargetBytesPer1000 = 1L << 30;

    /// <summary>Descriptors per live sandbox: the VM and the vCPU (guest memory keeps no descriptor once mapped).</summary>
    private const int DescriptorsPerSandbox = 2;

    /// <summary>Descriptors for everything else in the process (runtime, guest file, snapshot memfd).</summary>
    private const int SpareDescriptors = 256;

    private const int RLIMIT_NOFILE = 7;

    /// <summary>The /proc/meminfo lines reported before and after, in kB.</summary>
    private static readonly string[] s_meminfoFields = ["MemAvailable", "AnonPages", "Shmem", "PageTables", "SecPageTables", "KernelStack", "Slab", "VmallocUsed"];

    public static int Run(string[] args)
    {
        var count = 1000;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--count" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    count = n;
                    i++;
                    break;
                case "--guests" when i + 1 < args.Length:
                    Environment.SetEnvironmentVariable(BenchFiles.GuestDirectoryVariable, args[++i]);
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (!RaiseDescriptorLimit((ulong)((count * DescriptorsPerSandbox) + SpareDescriptors), out var problem))
        {
            Console.Error.WriteLine($"density: {problem}");
            return 1;
        }

        Measure(count);
        return 0;
    }

    private static void Measure(int count)
    {
        var host = BenchHost.Create();
        Snapshot snapshot;
        using (var source = Sandbox.Create(BenchFiles.SimpleGuest, host, new SandboxOptions { HeapSize = HeapSize }))
        {
            _ = source.Call<string>("Echo", "hello");
            snapshot = source.Snapshot();
        }

        using (snapshot)
        {
            // Warm the code paths (JIT, the image's page cache) so the "before" reading excludes them.
            using (var warm = Sandbox.FromSnapshot(snapshot, host))
            {
                _ = warm.Call<string>("Echo", "hello");
            }

            var before = Reading.Take();
            var sandboxes = new List<Sandbox>(count);
            var start = Stopwatch.GetTimestamp();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var sandbox = Sandbox.FromSnapshot(snapshot, host);
                    sandboxes.Add(sandbox);
                    var echoed = sandbox.Call<string>("Echo", "hello");
                    if (echoed != "hello")
                    {
                        throw new InvalidOperationException($"Sandbox {i} echoed '{echoed}'.");
                    }

                    if ((i + 1) % 100 == 0)
                    {
                        Console.Error.WriteLine($"density: {i + 1} live sandboxes");
                    }
                }

                var elapsed = Stopwatch.GetElapsedTime(start);
                var after = Reading.Take();
                Print(count, snapshot.MemorySize, before, after, elapsed);
            }
            finally
            {
                foreach (var sandbox in sandboxes)
                {
                    sandbox.Dispose();
                }
            }
        }

        var released = Reading.Take();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"After disposing all: MemAvailable {released.Meminfo["MemAvailable"] / 1024.0:0} MiB, VmRSS {released.VmRssKiB / 1024.0:0} MiB."));
    }

    private static void Print(int count, ulong snapshotSize, Reading before, Reading after, TimeSpan elapsed)
    {
        var growth = (before.Meminfo["MemAvailable"] - after.Meminfo["MemAvailable"]) * 1024;
        var rssGrowth = (after.VmRssKiB - before.VmRssKiB) * 1024;
        var perSandbox = (double)growth / count;
        var naive = (double)snapshotSize * count;
        var per1000 = perSandbox * 1000;
        Console.WriteLine($"Machine: {Compare.Machine.Describe()}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} live sandboxes from one snapshot (HeapSize 16 MiB, guest memory {snapshotSize / 1024.0 / 1024.0:0.00} MiB), one Echo in each, in {elapsed.TotalSeconds:0.00} s ({elapsed.TotalMilliseconds / count:0.000} ms per FromSnapshot + Echo)."));
        Console.WriteLine();
        Console.WriteLine("| Measure | Before | After | Growth | Per sandbox |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var field in s_meminfoFields.Where(before.Meminfo.ContainsKey))
        {
            var delta = field == "MemAvailable" ? before.Meminfo[field] - after.Meminfo[field] : after.Meminfo[field] - before.Meminfo[field];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| /proc/meminfo {field}{(field == "MemAvailable" ? " (drop)" : string.Empty)} | {Mib(before.Meminfo[field] * 1024)} | {Mib(after.Meminfo[field] * 1024)} | {Mib(delta * 1024)} | {Kib(delta * 1024.0 / count)} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| /proc/self/status VmRSS | {Mib(before.VmRssKiB * 1024)} | {Mib(after.VmRssKiB * 1024)} | {Mib(rssGrowth)} | {Kib((double)rssGrowth / count)} |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Host memory growth (MemAvailable drop): {Mib(growth)} for {count}, {Kib(perSandbox)} per sandbox; {count} × the snapshot's memory would be {Mib(naive)} ({naive / growth:0.0}× more)."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Target ≤ 1 GiB for 1,000 sandboxes: {(count == 1000 ? "measured" : "extrapolated from the per-sandbox growth")} {Mib(per1000)} — {(per1000 <= TargetBytesPer1000 ? "met" : "**missed**")}."));
    }

    private static string Mib(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024 / 1024:0.0} MiB");

    private static string Kib(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:0.0} KiB");

    /// <summary>Raises the soft RLIMIT_NOFILE (and the hard one, if allowed) to at least <paramref name="needed"/>.</summary>
    internal static bool RaiseDescriptorLimit(ulong needed, out string problem)
    {
        problem = string.Empty;
        if (GetRLimit(RLIMIT_NOFILE, out var limit) != 0)
        {
            problem = $"getrlimit(RLIMIT_NOFILE) failed: errno {Marshal.GetLastPInvokeError()}";
            return false;
        }

        if (limit.Current >= needed)
        {
            return true;
        }

        var raised = new RLimit { Current = needed, Maximum = Math.Max(limit.Maximum, needed) };
        if (SetRLimit(RLIMIT_NOFILE, raised) == 0)
        {
            Console.Error.WriteLine($"density: RLIMIT_NOFILE raised from {limit.Current} (hard {limit.Maximum}) to {needed}");
            return true;
        }

        problem = $"the sandboxes need {needed} file descriptors, but RLIMIT_NOFILE is {limit.Current} with a hard limit of {limit.Maximum} "
            + $"that this process may not raise (errno {Marshal.GetLastPInvokeError()}). Raise it (`ulimit -Hn {needed}` as root) or pass a smaller --count.";
        return false;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>Host memory at one moment: /proc/meminfo fields in kB, and this process's VmRSS in kB.</summary>
    private sealed record Reading(Dictionary<string, long> Meminfo, long VmRssKiB)
    {
        public static Reading Take()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var meminfo = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                var (name, kiB) = Field(line);
                meminfo[name] = kiB;
            }

            var rss = File.ReadLines("/proc/self/status").Select(Field).First(f => f.Name == "VmRSS").KiB;
            return new Reading(meminfo, rss);
        }

        /// <summary>"Name:   1234 kB" → (Name, 1234).</summary>
        private static (string Name, long KiB) Field(string line)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var value = line[(colon + 1)..].Trim().Split(' ')[0];
            return (line[..colon], long.TryParse(value, CultureInfo.InvariantCulture, out var kiB) ? kiB : 0);
        }
    }
}
