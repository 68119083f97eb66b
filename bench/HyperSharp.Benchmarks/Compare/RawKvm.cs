using System.Diagnostics;
using System.Globalization;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>Runs bench/rawkvm (built next to the benchmarks) and pools its per-batch samples by name.</summary>
internal sealed class RawKvm(string path, bool quick)
{
    public const string ExitRoundTrip = "exit_roundtrip";

    /// <summary>The exit a HyperSharp guest makes: its code runs in ring 3 (docs/guest-abi.md §3), so this is the call limit.</summary>
    public const string GuestExitRoundTrip = "exit_roundtrip_ring3";
    public const string ExitRoundTripGetRegs = "exit_roundtrip_getregs";
    public const string ExitRoundTrip100Nops = "exit_roundtrip_100nops";
    public const string VmCreateReady = "vm_create_ready";
    public const string VmLifecycle = "vm_lifecycle";
    public const string VcpuStateGet = "vcpu_state_get";
    public const string VcpuStateSet = "vcpu_state_set";
    public const string SnapshotMemfd = "snapshot_memfd_1m";

    /// <summary>
    /// The vCPU half of <c>Restore()</c> with KVM_CAP_SYNC_REGS, wherever it lands: four ioctls plus what the staged
    /// regs, sregs and events add to the next <c>KVM_RUN</c>.
    /// </summary>
    public const string VcpuStateSetSync = "vcpu_state_set_sync";

    /// <summary>The part of <see cref="VcpuStateSetSync"/> that <c>Restore()</c> itself pays: the four ioctls and the staging.</summary>
    public const string VcpuStateSetSyncIoctls = "vcpu_state_set_sync_ioctls";

    /// <summary>
    /// The memory half of <c>Restore()</c> as HyperSharp does it: <c>KVM_GET_DIRTY_LOG</c> (re-protecting) and one copy
    /// per run of dirty pages, after the guest wrote <paramref name="pages"/> pages into a slot of <paramref name="size"/>.
    /// rawkvm measures 1 page in "1m" and 1, 64 and 1,024 pages in "64m".
    /// </summary>
    public static string ReprotectRestore(int pages, string size) => $"dirtylog_reprotect_restore_{pages}p_{size}";

    /// <summary>The slot sizes of rawkvm's restore-strategy measurements, as it names them.</summary>
    public static IReadOnlyList<string> SlotSizes { get; } = ["1m", "64m", "1g"];

    /// <summary>Restore strategy: madvise(MADV_DONTNEED) over the whole slot, as HyperSharp did before it read the dirty log.</summary>
    public const string DontNeed = "dontneed";

    /// <summary>Restore strategy: KVM dirty log + copy the dirty pages back from the image.</summary>
    public const string DirtyLog = "dirtylog";

    /// <summary>The restore alone after the guest wrote 64 pages into a slot of <paramref name="size"/>.</summary>
    public static string Restore(string strategy, string size) => $"{strategy}_restore_64p_{size}";

    /// <summary>The KVM_RUN in which the guest writes the 64 pages after a restore: its faults plus one ring-3 exit.</summary>
    public static string Refault(string strategy, string size) => $"{strategy}_refault_64p_{size}";

    /// <summary>Refault plus restore: one request's memory cost under the strategy.</summary>
    public static string Cycle(string strategy, string size) => $"{strategy}_cycle_64p_{size}";

    /// <summary>rawkvm's "# dirty_log ..." lines: whether this host supports KVM dirty logging, and how.</summary>
    public HashSet<string> Notes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Samples> Results { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The median of the SYNC_REGS vCPU restore <paramref name="name"/>; on a host without KVM_CAP_SYNC_REGS rawkvm skips
    /// it and HyperSharp makes the seven ioctls instead, so this falls back to <see cref="VcpuStateSet"/> too.
    /// </summary>
    public double VcpuStateSetMedian(string name) =>
        Results.TryGetValue(name, out var samples) ? samples.Median : this[VcpuStateSet].Median;

    public Samples this[string name] => Results.TryGetValue(name, out var samples) ? samples
        : throw new InvalidOperationException($"rawkvm reported no '{name}' measurement.");

    /// <summary>One full rawkvm run; its samples join those of earlier rounds.</summary>
    public void RunRound()
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--samples");
        if (quick)
        {
            start.ArgumentList.Add("--quick");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {path}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{path} exited with code {process.ExitCode}: {errors.Result}");
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                Notes.Add(line.TrimStart('#', ' '));
                continue;
            }

            var parts = line.Split(' ');
            if (parts is ["sample", var name, var value])
            {
                if (!Results.TryGetValue(name, out var samples))
                {
                    Results[name] = samples = new Samples();
                }

                samples.Add(double.Parse(value, CultureInfo.InvariantCulture));
            }
        }
    }
}
