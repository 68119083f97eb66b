using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// The side-by-side table of issue 6: HyperSharp, Wasmtime and process isolation on the same scenarios, in the
/// same process run. Within each round every scenario is measured on every contender before the next scenario,
/// and the contender that goes first rotates from round to round, so machine noise falls on all of them alike.
/// </summary>
internal sealed class SideBySideTable(IReadOnlyList<IContender> contenders)
{
    private static readonly Row[] s_rows =
    [
        new(Workload.ColdStartFromBinary, "Cold start to first result, from the program (ELF / .wasm bytes / executable)", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + Exits(r, 1)),
        new(Workload.ColdStartFromMemory, "Cold start to first result, from memory (snapshot / compiled Module)", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + Exits(r, 1)),
        new(Workload.StartFromSnapshotFile, "Start from snapshot file to first result (OCI layout / .cwasm)", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + Exits(r, 1)),
        new(Workload.WarmEcho, "Warm call Echo(\"hello\")", "1 exit", r => Exits(r, 1)),
        new(Workload.HostCallback, "Call with one host callback", "2 exits", r => Exits(r, 2)),
        new(Workload.Bytes24KIn8KOut, "Call carrying 24 KiB in, 8 KiB out", "1 exit", r => Exits(r, 1)),
        new(Workload.CallAndReset, "Call + reset-to-clean cycle", "1 exit + dirty-log restore of 1 page (1 MiB slot) + vCPU state set (sync regs)",
            r => Exits(r, 1) + r[RawKvm.ReprotectRestore(1, "1m")].Median + r.VcpuStateSetMedian(RawKvm.VcpuStateSetSync)),
        ResetRow(Workload.ResetAfterDirtying1, "Reset after dirtying 1 page", 1),
        ResetRow(Workload.ResetAfterDirtying64, "Reset after dirtying 64 pages", 64),
        ResetRow(Workload.ResetAfterDirtying1024, "Reset after dirtying 1,024 pages", 1024),
    ];

    private readonly Dictionary<string, SandboxDensity> _density = new(StringComparer.Ordinal);

    /// <summary>Runs every cell for a while (JIT, page cache) and learns how long each takes.</summary>
    public void WarmUp(double seconds)
    {
        foreach (var row in s_rows)
        {
            foreach (var contender in contenders)
            {
                contender.CellFor(row.Workload)?.WarmUp(seconds);
            }
        }
    }

    /// <summary>Round <paramref name="round"/>: each scenario on each contender, the first contender rotating with the round.</summary>
    public void MeasureRound(int round, double secondsPerCell, int samplesPerCell, double sampleSeconds, int callsPerSample)
    {
        foreach (var row in s_rows)
        {
            for (var i = 0; i < contenders.Count; i++)
            {
                var contender = contenders[(i + round) % contenders.Count];
                contender.CellFor(row.Workload)?.MeasureRound(secondsPerCell, samplesPerCell, sampleSeconds, callsPerSample);
            }
        }
    }

    /// <summary>Each contender's density; <paramref name="counts"/> says how many sandboxes each starts.</summary>
    public void MeasureDensity(Func<IContender, int> counts)
    {
        foreach (var contender in contenders)
        {
            _density[contender.Name] = contender.MeasureDensity(counts(contender));
        }
    }

    public string ToMarkdown(RawKvm raw)
    {
        var text = new StringBuilder();
        text.Append("| Scenario | Raw KVM limit | Limit median |");
        foreach (var contender in contenders)
        {
            text.Append(CultureInfo.InvariantCulture, $" {contender.Name} median | p90 | × limit |");
        }

        text.AppendLine();
        text.Append("|---|---|---:|");
        text.Append(string.Concat(Enumerable.Repeat("---:|---:|---:|", contenders.Count)));
        text.AppendLine();
        foreach (var row in s_rows)
        {
            var limit = row.Limit(raw);
            text.Append(CultureInfo.InvariantCulture, $"| {row.Title} | {row.LimitName} | {Time(limit)} |");
            foreach (var contender in contenders)
            {
                var samples = contender.CellFor(row.Workload)?.Samples;
                text.Append(samples is null
                    ? " — | — | — |"
                    : string.Create(CultureInfo.InvariantCulture, $" {Time(samples.Median)} | {Time(samples.P90)} | {Ratio(samples.Median, limit)} |"));
            }

            text.AppendLine();
        }

        DensityRow("Sandboxes alive per GiB (PSS growth)", d => d.PerGiBByPss);
        DensityRow("Sandboxes alive per GiB (MemAvailable drop)", d => d.PerGiBByAvailable);
        text.AppendLine();
        foreach (var note in Notes())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();

        void DensityRow(string title, Func<SandboxDensity, double> perGiB)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {title} | — | — |");
            foreach (var contender in contenders)
            {
                text.Append(_density.TryGetValue(contender.Name, out var density) && double.IsFinite(perGiB(density)) && perGiB(density) > 0
                    ? string.Create(CultureInfo.InvariantCulture, $" {perGiB(density):#,0} | — | — |")
                    : " — (growth below noise) | — | — |");
            }

            text.AppendLine();
        }
    }

    public void WriteJson(Utf8JsonWriter json, RawKvm raw)
    {
        json.WriteStartObject("side_by_side");
        json.WriteStartArray("rows");
        foreach (var row in s_rows)
        {
            var limit = row.Limit(raw);
            json.WriteStartObject();
            json.WriteString("scenario", row.Title);
            json.WriteString("limit", row.LimitName);
            if (!double.IsNaN(limit))
            {
                json.WriteNumber("limit_median_ns", Math.Round(limit, 1));
            }

            foreach (var contender in contenders)
            {
                if (contender.CellFor(row.Workload)?.Samples is not { } samples)
                {
                    json.WriteNull(contender.Name);
                    continue;
                }

                json.WriteStartObject(contender.Name);
                json.WriteNumber("median_ns", Math.Round(samples.Median, 1));
                json.WriteNumber("p90_ns", Math.Round(samples.P90, 1));
                json.WriteNumber("samples", samples.Count);
                if (!double.IsNaN(limit))
                {
                    json.WriteNumber("ratio_to_limit", Math.Round(samples.Median / limit, 3));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("density");
        foreach (var (name, density) in _density)
        {
            json.WriteStartObject(name);
            json.WriteNumber("sandboxes", density.Count);
            json.WriteNumber("pss_bytes_per_sandbox", Math.Round(density.PssBytes / density.Count));
            WriteFinite("per_gib_by_pss", density.PerGiBByPss);
            json.WriteNumber("memavailable_bytes_per_sandbox", Math.Round(density.AvailableBytes / density.Count));
            WriteFinite("per_gib_by_memavailable", density.PerGiBByAvailable);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartArray("notes");
        foreach (var note in Notes())
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();

        // JSON has no infinity: a growth lost in the noise is written as null.
        void WriteFinite(string name, double value)
        {
            if (double.IsFinite(value) && value > 0)
            {
                json.WriteNumber(name, Math.Round(value));
            }
            else
            {
                json.WriteNull(name);
            }
        }
    }

    private IEnumerable<string> Notes()
    {
        foreach (var contender in contenders)
        {
            yield return $"{contender.Name} reset to clean: {contender.ResetMeans}.";
        }

        yield return "Process: warm rows go to one long-lived worker over stdin/stdout (length-prefixed frames; the host callback is a frame "
            + "the harness answers); cold start and the call + reset cycle start one process per request (start, Echo, exit).";
        yield return "24 KiB row: all three return the first 8 KiB of the 24 KiB they are given (HyperSharp: simpleguest's EchoFirst8KiB).";
        yield return "× limit divides each median by the raw KVM cost of the operation (bench/rawkvm, same run). "
            + "Wasmtime and processes use no KVM: for them it is the same yardstick, and below 1× means cheaper than the bare KVM work.";
        yield return "Reset-after-dirtying rows: the page writes are not timed. HyperSharp's sandbox has a 64 MiB heap (guest memory ~64.5 MiB, "
            + "so the limits use rawkvm's 64 MiB slot). Their limits are the dirty-log restore of that many pages plus the four vCPU ioctls; "
            + "the registers handed to the next KVM_RUN (sync regs) cost that run, which is not timed here, but is in the call + reset cycle.";
        foreach (var (name, density) in _density)
        {
            yield return string.Create(CultureInfo.InvariantCulture,
                $"Density, {name}: {density.Count} live, one Echo each; {density.PssBytes / density.Count / 1024:0.0} KiB PSS and {density.AvailableBytes / density.Count / 1024:0.0} KiB of MemAvailable per sandbox.");
        }

        yield return "PSS is the processes' own memory (HyperSharp, Wasmtime: this process's growth outside the GC heap plus live managed bytes; "
            + "Process: the sum over workers, shared runtime pages split between them); "
            + "MemAvailable also counts kernel memory (KVM's page tables and vCPU state), and anything else the shared machine did meanwhile.";
    }

    private static double Exits(RawKvm raw, int count) => count * raw[RawKvm.GuestExitRoundTrip].Median;

    /// <summary>
    /// Only <c>Restore()</c> is timed in these rows, so the limit takes the vCPU ioctls without the staged registers'
    /// share of the next <c>KVM_RUN</c>, which falls in the next (untimed) call.
    /// </summary>
    private static Row ResetRow(Workload workload, string title, int pages) => new(workload, title,
        string.Create(CultureInfo.InvariantCulture, $"dirty-log restore of {pages:#,0} page{(pages == 1 ? "" : "s")} (64 MiB slot) + vCPU state set ioctls (sync regs)"),
        r => r[RawKvm.ReprotectRestore(pages, "64m")].Median + r.VcpuStateSetMedian(RawKvm.VcpuStateSetSyncIoctls));

    /// <summary>Two decimals, or four below 0.1×, so that Wasmtime's nanosecond calls do not all read 0.00×.</summary>
    private static string Ratio(double median, double limit) => double.IsNaN(limit) ? "—"
        : (median / limit).ToString(median / limit >= 0.1 ? "0.00" : "0.0000", CultureInfo.InvariantCulture) + "×";

    private static string Time(double nanoseconds) => Report.Time(nanoseconds);

    /// <summary>One scenario: its title, and the raw KVM work HyperSharp cannot go below for it.</summary>
    private sealed record Row(Workload Workload, string Title, string LimitName, Func<RawKvm, double> Limit);
}
