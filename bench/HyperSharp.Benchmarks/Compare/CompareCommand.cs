using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using HyperSharp.Benchmarks.Compare.Scripts;
using HyperSharp.Benchmarks.Density;

namespace HyperSharp.Benchmarks.Compare;

/// <summary>
/// <c>compare [--quick] [--json file] [--rounds n]</c>: HyperSharp side by side with the raw KVM limits
/// that bench/rawkvm measures on the same machine in the same run, and with Wasmtime and process isolation
/// on the same scenarios (<see cref="SideBySideTable"/>). Rounds alternate rawkvm and the
/// HyperSharp scenarios (and their order), so both see the same machine state; samples are pooled
/// across rounds. A sample is the mean time per operation over one batch, as in rawkvm.
/// </summary>
internal static class CompareCommand
{
    private const string Usage = "usage: compare [--quick] [--json file] [--rounds n] [--guests dir]";

    /// <summary>Descriptors a live HyperSharp sandbox holds (VM, vCPU), and room for everything else the run has open.</summary>
    private const int DensityDescriptorsPerSandbox = 2;
    private const ulong DensitySpareDescriptors = 1024;

    /// <summary>In-process density count that fits under the usual 1,024-descriptor default.</summary>
    private const int DensityFallbackCount = 200;

    public static int Run(string[] args)
    {
        var quick = false;
        string? jsonPath = null;
        int? rounds = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--json" when i + 1 < args.Length:
                    jsonPath = args[++i];
                    break;
                case "--guests" when i + 1 < args.Length:
                    Environment.SetEnvironmentVariable(BenchFiles.GuestDirectoryVariable, args[++i]);
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
                    rounds = n;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var settings = quick ? Settings.Quick : Settings.Full;
        if (rounds is { } r)
        {
            settings = settings with { Rounds = r };
        }

        var report = Measure(settings);
        Console.WriteLine(report.ToMarkdown());
        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, report.ToJson());
            Console.Error.WriteLine($"Wrote {jsonPath}");
        }

        return 0;
    }

    private static Report Measure(Settings settings)
    {
        var raw = new RawKvm(BenchFiles.RawKvm, settings.QuickRaw);
        var guest = BenchFiles.SimpleGuest;
        var host = BenchHost.Create();
        var bytes24K = new byte[24 << 10];
        Random.Shared.NextBytes(bytes24K);
        using var sandbox = Sandbox.Create(guest, host);
        var luaGuest = BenchFiles.LuaGuest;
        using var lua = Sandbox.Create(luaGuest, host);
        using var libc = Sandbox.Create(BenchFiles.LibcGuest, host);
        Progress("snapshots of 1 MiB, 64 MiB and 1 GiB guests");
        using var snapshots = new SnapshotScenarios(guest, host);
        Progress("saving snapshot files of 1 MiB, 64 MiB and 1 GiB guests");
        using var files = new SnapshotFileScenarios(guest, host, snapshots);
        Progress("side-by-side contenders: HyperSharp, Wasmtime (compiling benchguest.wat), worker processes");
        using var hyperSharp = new HyperSharpContender(guest, host, bytes24K);
        using var wasmtime = new WasmtimeContender(bytes24K);
        using var processes = new ProcessContender(BenchFiles.Worker, bytes24K);
        var sideBySide = new SideBySideTable([hyperSharp, wasmtime, processes]);
        Progress("serving: a sandbox for sync, async and observed calls, and a warm pool");
        using var serving = new ServingScenarios(guest, host);
        Progress("scripts: interpreter snapshots and files, Jint, node/python3 processes, native interpreter builds");
        using var hyperSharpScripts = new HyperSharpScripts();
        using var jint = new JintScripts();
        using var scriptProcesses = new ProcessScripts();
        using var nativeScripts = new NativeScripts();
        var scripts = new ScriptTable([hyperSharpScripts, jint, scriptProcesses, nativeScripts]);

        static double Exits(RawKvm raw, int count) => count * raw[RawKvm.GuestExitRoundTrip].Median;
        var guestCalls = new List<WarmScenario>
        {
            new(new Scenario("GuestCalls.CallEchoI32", "—", "1 exit", r => Exits(r, 1)), () => sandbox.Call<int>("EchoI32", 42)),
            new(new Scenario("GuestCalls.CallEcho", "guest_calls/call", "1 exit", r => Exits(r, 1)), () => sandbox.Call<string>("Echo", "hello")),
            new(new Scenario("GuestCalls.CallNothing", "—", "1 exit", r => Exits(r, 1)), () => sandbox.Call("Nothing")),
            new(new Scenario("GuestCalls.CallWithHostFunction", "guest_calls/call_with_host_function", "2 exits", r => Exits(r, 2)),
                () => sandbox.Call<int>("CallHostAdd", 1, 41)),
            new(new Scenario("GuestCalls.CallEchoBytes24K", "— (24 KiB in, the same 24 KiB out)", "1 exit", r => Exits(r, 1)),
                () => sandbox.Call<byte[]>("EchoBytes", bytes24K)),
            new(new Scenario("GuestCalls.CallBytes24KIn8KOut", "sample_workloads/24K_in_8K_out", "1 exit", r => Exits(r, 1)),
                () => sandbox.Call<byte[]>("EchoFirst8KiB", bytes24K)),
            new(new Scenario("GuestCalls.RunLuaOnePlusOne", "— (Lua guest: RunLua(\"return 1+1\"))", "1 exit", r => Exits(r, 1)),
                () => lua.Call<string>("RunLua", "return 1+1")),
            new(new Scenario("GuestCalls.ReadClock1000Times", "— (libc guest: 1,000 clock_gettime in one call)", "1 exit", r => Exits(r, 1)),
                () => libc.Call<long>("ReadClock", 1000)),
        };
        List<WarmScenario> warm = [.. guestCalls, new(snapshots.CallAndRestore, snapshots.CallAndRestoreOperation)];
        var create = new Scenario("Sandboxes.CreateSandbox", "sandboxes/create_initialized", "VM create → first exit",
            r => r[RawKvm.VmCreateReady].Median);
        var createAndDrop = new Scenario("Sandboxes.CreateSandboxAndDrop", "sandboxes/create_initialized_and_drop", "VM create → first exit → destroy",
            r => r[RawKvm.VmLifecycle].Median);
        var createLua = new Scenario("Sandboxes.CreateLuaSandbox", "— (Lua guest)", "VM create → first exit",
            r => r[RawKvm.VmCreateReady].Median);
        var createAndCall = new Scenario("Sandboxes.CreateSandboxAndCall", "snapshot_files/cold_start_via_evolve", "VM create → first exit + 1 exit",
            r => r[RawKvm.VmCreateReady].Median + Exits(r, 1));

        // Warm up (JIT tiering, page cache) for a fixed time, and learn how long each operation takes so
        // that batches and counts fit the time budget whatever the machine: a call costs microseconds
        // on hardware virtualization and around a millisecond where KVM emulates ring 0.
        Progress("warming up");
        foreach (var scenario in warm)
        {
            scenario.Estimate = WarmUp(scenario.Operation, settings.WarmUpSeconds);
        }

        var createEstimate = WarmUp(() => Sandbox.Create(guest, host).Dispose(), settings.WarmUpSeconds, minimum: 2);
        _ = WarmUp(() => Sandbox.Create(luaGuest, host).Dispose(), settings.WarmUpSeconds / 2, minimum: 2);
        MeasureCreateAndCall(guest, host, 1, null);
        snapshots.WarmUp(settings.WarmUpSeconds);
        files.WarmUp(settings.WarmUpSeconds);
        sideBySide.WarmUp(settings.WarmUpSeconds / 2);
        serving.WarmUp(settings.WarmUpSeconds);
        scripts.WarmUp(settings.WarmUpSeconds / 4);
        raw.RunRound(); // warms rawkvm's binary and page cache; its samples count like any other round's

        Progress("allocations");
        var allocations = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var scenario in warm)
        {
            allocations[scenario.Scenario.Name] = AllocatedPerCall(scenario.Operation,
                Math.Clamp((int)(settings.AllocationSeconds / scenario.Estimate), 100, settings.AllocationCalls));
        }

        allocations[create.Name] = AllocatedPerCall(() => Sandbox.Create(guest, host).Dispose(), 2);
        var createsPerRound = Math.Clamp((int)(settings.CreateSecondsPerRound / 2 / createEstimate), 1, settings.CreatesPerRound);

        for (var round = 0; round < settings.Rounds; round++)
        {
            Progress($"round {round + 1}/{settings.Rounds}");
            var rawFirst = round % 2 == 1;
            if (rawFirst)
            {
                raw.RunRound();
            }

            var order = round % 2 == 0 ? warm : Enumerable.Reverse(warm);
            foreach (var scenario in order)
            {
                var callsPerSample = Math.Clamp((int)(settings.SampleSeconds / scenario.Estimate), 1, settings.CallsPerSample);
                MeasureWarm(scenario, settings.WarmSamplesPerRound, callsPerSample);
            }

            MeasureCreate(guest, host, createsPerRound, create.Samples, createAndDrop.Samples);
            MeasureCreate(luaGuest, host, createsPerRound, createLua.Samples, null);
            MeasureCreateAndCall(guest, host, createsPerRound, createAndCall.Samples);
            snapshots.MeasureRound(settings.SnapshotSecondsPerRound, settings.SnapshotsPerRound);
            files.MeasureRound(settings.SnapshotSecondsPerRound, settings.SnapshotsPerRound);
            sideBySide.MeasureRound(round, settings.SideBySideSecondsPerCell, settings.SideBySideSamplesPerCell, settings.SampleSeconds, settings.CallsPerSample);
            serving.MeasureRound(round, settings.WarmSamplesPerRound, settings.SampleSeconds, settings.CallsPerSample);
            scripts.MeasureRound(round, settings.SideBySideSecondsPerCell, settings.SideBySideSamplesPerCell, settings.SampleSeconds, settings.CallsPerSample);
            if (!rawFirst)
            {
                raw.RunRound();
            }
        }

        Progress("density: live sandboxes of each side-by-side contender");
        var inProcessCount = settings.InProcessDensityCount;
        if (!DensityCommand.RaiseDescriptorLimit((ulong)(inProcessCount * DensityDescriptorsPerSandbox) + DensitySpareDescriptors, out var problem))
        {
            // Each live sandbox holds a VM and a vCPU descriptor; without the limit, measure fewer rather than fail.
            inProcessCount = DensityFallbackCount;
            Progress($"density: {problem}; measuring {inProcessCount} in-process sandboxes instead");
        }

        sideBySide.MeasureDensity(contender => contender == processes ? settings.ProcessDensityCount : inProcessCount);
        return new Report(settings, [.. guestCalls.Select(w => w.Scenario), create, createAndDrop, createLua, createAndCall, .. snapshots.All, .. files.All, .. serving.All], raw,
            allocations, snapshots.SetupSnapshotTimes, files.ThroughputBytes, sideBySide, scripts, [.. serving.Targets()]);
    }

    private static void MeasureWarm(WarmScenario scenario, int samples, int callsPerSample)
    {
        var operation = scenario.Operation;
        for (var s = 0; s < samples; s++)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerSample; i++)
            {
                operation();
            }

            scenario.Scenario.Samples.Add(Timing.Nanoseconds(start, Stopwatch.GetTimestamp()) / callsPerSample);
        }
    }

    private static void MeasureCreate(string guest, HostFunctions host, int count, Samples? ready, Samples? readyAndDrop)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var sandbox = Sandbox.Create(guest, host);
            var created = Stopwatch.GetTimestamp();
            sandbox.Dispose();
            var end = Stopwatch.GetTimestamp();
            ready?.Add(Timing.Nanoseconds(start, created));
            readyAndDrop?.Add(Timing.Nanoseconds(start, end));
        }
    }

    private static void MeasureCreateAndCall(string guest, HostFunctions host, int count, Samples? samples)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var sandbox = Sandbox.Create(guest, host);
            _ = sandbox.Call<string>("Echo", "hello");
            var end = Stopwatch.GetTimestamp();
            sandbox.Dispose();
            samples?.Add(Timing.Nanoseconds(start, end));
        }
    }

    /// <summary>Runs <paramref name="operation"/> for about <paramref name="seconds"/>; returns the mean seconds per run of the second half.</summary>
    private static double WarmUp(Action operation, double seconds, int minimum = 3)
    {
        var start = Stopwatch.GetTimestamp();
        var runs = 0;
        while (runs < minimum || Stopwatch.GetElapsedTime(start).TotalSeconds < seconds / 2)
        {
            operation();
            runs++;
        }

        var half = Stopwatch.GetTimestamp();
        runs = 0;
        while (runs < minimum || Stopwatch.GetElapsedTime(half).TotalSeconds < seconds / 2)
        {
            operation();
            runs++;
        }

        return Stopwatch.GetElapsedTime(half).TotalSeconds / runs;
    }

    /// <summary>Managed bytes allocated on this thread per operation, over <paramref name="calls"/> warm operations.</summary>
    private static double AllocatedPerCall(Action operation, int calls)
    {
        operation();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            operation();
        }

        return (double)(GC.GetAllocatedBytesForCurrentThread() - before) / calls;
    }

    private static void Progress(string text) => Console.Error.WriteLine($"compare: {text}");

    /// <summary>
    /// How much to measure, as time budgets and caps. Quick finishes in well under two minutes; full in about ten.
    /// A warm sample is a batch of calls lasting about <see cref="SampleSeconds"/>; each
    /// snapshot scenario takes about <see cref="SnapshotSecondsPerRound"/> of single-operation samples a round,
    /// each side-by-side cell about <see cref="SideBySideSecondsPerCell"/>. Density starts
    /// <see cref="InProcessDensityCount"/> HyperSharp sandboxes and Wasmtime instances, <see cref="ProcessDensityCount"/> workers.
    /// </summary>
    private sealed record Settings(bool QuickRaw, int Rounds, double WarmUpSeconds, double AllocationSeconds, int AllocationCalls,
        int WarmSamplesPerRound, double SampleSeconds, int CallsPerSample, double CreateSecondsPerRound, int CreatesPerRound,
        double SnapshotSecondsPerRound, int SnapshotsPerRound, double SideBySideSecondsPerCell, int SideBySideSamplesPerCell,
        int InProcessDensityCount, int ProcessDensityCount)
    {
        public static Settings Quick { get; } = new(QuickRaw: true, Rounds: 4, WarmUpSeconds: 0.4, AllocationSeconds: 0.2, AllocationCalls: 2000,
            WarmSamplesPerRound: 5, SampleSeconds: 0.02, CallsPerSample: 200, CreateSecondsPerRound: 1.5, CreatesPerRound: 8,
            SnapshotSecondsPerRound: 0.3, SnapshotsPerRound: 50, SideBySideSecondsPerCell: 0.15, SideBySideSamplesPerCell: 20,
            InProcessDensityCount: 200, ProcessDensityCount: 8);

        public static Settings Full { get; } = new(QuickRaw: false, Rounds: 20, WarmUpSeconds: 2, AllocationSeconds: 1, AllocationCalls: 20000,
            WarmSamplesPerRound: 10, SampleSeconds: 0.05, CallsPerSample: 1000, CreateSecondsPerRound: 4, CreatesPerRound: 25,
            SnapshotSecondsPerRound: 1, SnapshotsPerRound: 200, SideBySideSecondsPerCell: 0.5, SideBySideSamplesPerCell: 100,
            InProcessDensityCount: 1000, ProcessDensityCount: 16);
    }

    private sealed record WarmScenario(Scenario Scenario, Action Operation)
    {
        /// <summary>Seconds per call, from the warm-up.</summary>
        public double Estimate { get; set; }
    }
}

/// <summary>One HyperSharp measurement and the raw KVM cost it cannot go below.</summary>
/// <param name="Name">Benchmark name, mirroring Hyperlight's Criterion groups.</param>
/// <param name="Hyperlight">The Hyperlight benchmark it corresponds to.</param>
/// <param name="LimitName">What the raw limit consists of.</param>
/// <param name="Limit">The limit's median in ns, from the pooled rawkvm samples.</param>
internal sealed record Scenario(string Name, string Hyperlight, string LimitName, Func<RawKvm, double> Limit)
{
    public Samples Samples { get; } = new();
}

internal sealed class Report(object settings, IReadOnlyList<Scenario> scenarios, RawKvm raw, IReadOnlyDictionary<string, double> allocations,
    IReadOnlyList<(string Label, ulong MemorySize, TimeSpan Elapsed)> setupSnapshots, ulong snapshotFileBytes, SideBySideTable sideBySide, ScriptTable scripts,
    IReadOnlyList<(string Target, string Threshold, string Measured, bool Met)> servingTargets)
{
    private const double EchoTargetExits = 2;
    private const double HostCallTargetExits = 3;
    private const double CreateTargetNs = 5e6;
    private const double LuaCreateTargetRatio = 1.5;
    private const double RunLuaTargetExits = 1.1;
    private const double CallAndRestoreTargetExits = 10;
    private const double FromSnapshotTargetNs = 1.5e6;
    private const double RestoreScalingTarget = 1.5;
    private const string RestoreAfterDirtying = "Snapshots.RestoreAfterDirtying64Pages/";
    private const double ColdStartViaFileTargetNs = 1.5e6;
    private const double UnverifiedLoadScalingTarget = 2;
    private const double WarmCallTargetExits = 1.5;
    private const double CallAndResetTargetExits = 4;
    private const double FileStartTargetRatio = 2;

    public string ToMarkdown()
    {
        var exit = raw[RawKvm.GuestExitRoundTrip].Median;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Settings: {settings}");
        text.AppendLine();
        text.AppendLine("Side by side (same run, interleaved per scenario):");
        text.AppendLine();
        text.Append(sideBySide.ToMarkdown(raw));
        text.AppendLine();
        text.AppendLine("Scripts (same run, interleaved per scenario; times per run):");
        text.AppendLine();
        text.Append(scripts.ToMarkdown());
        text.AppendLine();
        text.AppendLine("HyperSharp in detail:");
        text.AppendLine();
        text.AppendLine("| Scenario | Hyperlight equivalent | HyperSharp median | p90 | Raw limit | Limit median | Ratio to limit | × one exit | Alloc/op |");
        text.AppendLine("|---|---|---:|---:|---|---:|---:|---:|---:|");
        foreach (var s in scenarios)
        {
            var limit = s.Limit(raw);
            var alloc = allocations.TryGetValue(s.Name, out var bytes) ? $"{bytes:0.#} B" : "—";
            var exits = s.Name.StartsWith("GuestCalls.", StringComparison.Ordinal) || s.Name.StartsWith("Snapshots.", StringComparison.Ordinal)
                ? $"{s.Samples.Median / exit:0.0}×" : "—";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Name} | {s.Hyperlight} | {Time(s.Samples.Median)} | {Time(s.Samples.P90)} | {s.LimitName} | {Time(limit)} | {(double.IsNaN(limit) ? "—" : $"{s.Samples.Median / limit:0.00}×")} | {exits} | {alloc} |");
        }

        text.AppendLine();
        text.AppendLine("Raw KVM limits (bench/rawkvm, same run, pooled over all rounds):");
        text.AppendLine();
        text.AppendLine("| rawkvm measurement | median | p90 | samples |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var (name, samples) in raw.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Time(samples.Median)} | {Time(samples.P90)} | {samples.Count} |");
        }

        if (raw.Results.TryGetValue(RawKvm.ExitRoundTrip100Nops, out var nops))
        {
            var perInstruction = (nops.Median - raw[RawKvm.ExitRoundTrip].Median) / 100;
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"One simple ring-0 guest instruction costs {Time(perInstruction)} here ((exit_roundtrip_100nops − exit_roundtrip) / 100; under 1 ns on hardware virtualization).");
            text.AppendLine("HyperSharp's guest code runs in ring 3, so its call rows are measured against exit_roundtrip_ring3.");
        }

        text.AppendLine();
        text.AppendLine("Restore-scaling sandboxes (their one Snapshot() at start-up reads only the pages that can hold data):");
        foreach (var (label, memorySize, elapsed) in setupSnapshots)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {label}: guest memory {memorySize / 1024.0 / 1024.0:0.00} MiB, Snapshot() {Time(elapsed.TotalNanoseconds)}");
        }

        var (slowest, fastest) = RestoreScaling();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Restore after 64 dirtied pages, slowest / fastest size: {Time(slowest)} / {Time(fastest)} = {slowest / fastest:0.00}×");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Snapshot files, {snapshotFileBytes / 1024.0 / 1024.0:0.0} MiB of guest memory: Save {Throughput("SnapshotFiles.Save/64MiB")}, verified Load {Throughput("SnapshotFiles.LoadVerified/64MiB")} (medians, SHA-256 included, page cache warm)");

        if (RawKvm.SlotSizes.All(size => raw.Results.ContainsKey(RawKvm.Cycle(RawKvm.DirtyLog, size))))
        {
            text.AppendLine();
            text.AppendLine("Restore strategies for 64 guest-written pages (rawkvm, ring-3 guest; refault = the guest's run that writes them, one exit included):");
            text.AppendLine();
            text.AppendLine("| Slot | DONTNEED refault | DONTNEED restore | DONTNEED cycle | dirty-log refault | dirty-log restore | dirty-log cycle | DONTNEED / dirty-log |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var size in RawKvm.SlotSizes)
            {
                double M(string name) => raw[name].Median;
                var dontNeed = M(RawKvm.Cycle(RawKvm.DontNeed, size));
                var dirtyLog = M(RawKvm.Cycle(RawKvm.DirtyLog, size));
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {size} | {Time(M(RawKvm.Refault(RawKvm.DontNeed, size)))} | {Time(M(RawKvm.Restore(RawKvm.DontNeed, size)))} | {Time(dontNeed)} | {Time(M(RawKvm.Refault(RawKvm.DirtyLog, size)))} | {Time(M(RawKvm.Restore(RawKvm.DirtyLog, size)))} | {Time(dirtyLog)} | {dontNeed / dirtyLog:0.00}× |");
            }
        }

        foreach (var note in raw.Notes.Order(StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"rawkvm: {note}");
        }

        text.AppendLine();
        text.AppendLine("| Target | Threshold | Measured (median) | Met |");
        text.AppendLine("|---|---:|---:|---|");
        foreach (var (target, threshold, measured, met) in Targets())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {threshold} | {measured} | {(met ? "yes" : "**no**")} |");
        }

        return text.ToString();
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("machine", Machine.Describe());
            json.WriteString("settings", settings.ToString());
            json.WriteStartArray("scenarios");
            foreach (var s in scenarios)
            {
                json.WriteStartObject();
                json.WriteString("name", s.Name);
                json.WriteString("hyperlight", s.Hyperlight);
                json.WriteNumber("median_ns", Math.Round(s.Samples.Median, 1));
                json.WriteNumber("p90_ns", Math.Round(s.Samples.P90, 1));
                json.WriteNumber("samples", s.Samples.Count);
                json.WriteString("limit", s.LimitName);
                if (!double.IsNaN(s.Limit(raw)))
                {
                    json.WriteNumber("limit_median_ns", Math.Round(s.Limit(raw), 1));
                }

                if (!double.IsNaN(s.Limit(raw)))
                {
                    json.WriteNumber("ratio_to_limit", Math.Round(s.Samples.Median / s.Limit(raw), 3));
                }

                if (allocations.TryGetValue(s.Name, out var bytes))
                {
                    json.WriteNumber("allocated_bytes_per_op", Math.Round(bytes, 2));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("raw");
            foreach (var (name, samples) in raw.Results)
            {
                json.WriteStartObject(name);
                json.WriteNumber("median_ns", Math.Round(samples.Median, 1));
                json.WriteNumber("p90_ns", Math.Round(samples.P90, 1));
                json.WriteNumber("samples", samples.Count);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("rawkvm_notes");
            foreach (var note in raw.Notes.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteStartArray("targets");
            foreach (var (target, threshold, measured, met) in Targets())
            {
                json.WriteStartObject();
                json.WriteString("target", target);
                json.WriteString("threshold", threshold);
                json.WriteString("measured", measured);
                json.WriteBoolean("met", met);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            sideBySide.WriteJson(json, raw);
            scripts.WriteJson(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private IEnumerable<(string Target, string Threshold, string Measured, bool Met)> Targets()
    {
        var exit = raw[RawKvm.GuestExitRoundTrip].Median;
        var echo = Find("GuestCalls.CallEcho").Samples.Median;
        var hostCall = Find("GuestCalls.CallWithHostFunction").Samples.Median;
        var create = Find("Sandboxes.CreateSandbox").Samples;
        var alloc = allocations["GuestCalls.CallEchoI32"];
        yield return ("Warm Call<string>(\"Echo\",\"hello\") ≤ 2× one exit round trip", $"{Time(EchoTargetExits * exit)}",
            $"{Time(echo)} ({echo / exit:0.00}×)", echo <= EchoTargetExits * exit);
        yield return ("Call with one host callback ≤ 3× one exit round trip", $"{Time(HostCallTargetExits * exit)}",
            $"{Time(hostCall)} ({hostCall / exit:0.00}×)", hostCall <= HostCallTargetExits * exit);
        yield return ("Sandbox.Create from ELF ≤ 5 ms", Time(CreateTargetNs), $"{Time(create.Median)} (p90 {Time(create.P90)})",
            create.Median <= CreateTargetNs);
        yield return ("Warm Call<int>(\"EchoI32\") allocates 0 bytes", "0 B", $"{alloc:0.##} B/call", alloc == 0);
        var createLua = Find("Sandboxes.CreateLuaSandbox").Samples;
        yield return ("Sandbox.Create of the Lua guest ≤ 1.5× simpleguest's", Time(LuaCreateTargetRatio * create.Median),
            $"{Time(createLua.Median)} ({createLua.Median / create.Median:0.00}×)", createLua.Median <= LuaCreateTargetRatio * create.Median);
        var runLua = Find("GuestCalls.RunLuaOnePlusOne").Samples.Median;
        yield return ("Warm RunLua(\"return 1+1\") ≤ 1.1× one exit round trip", Time(RunLuaTargetExits * exit),
            $"{Time(runLua)} ({runLua / exit:0.00}×)", runLua <= RunLuaTargetExits * exit);

        var cycle = Find("Snapshots.CallAndRestore").Samples.Median;
        yield return ("Echo + Restore() cycle ≤ 10× one exit round trip", Time(CallAndRestoreTargetExits * exit),
            $"{Time(cycle)} ({cycle / exit:0.00}×)", cycle <= CallAndRestoreTargetExits * exit);
        var fromSnapshot = Find("Snapshots.FromSnapshotFirstCall").Samples;
        yield return ("FromSnapshot + first call ≤ 1.5 ms", Time(FromSnapshotTargetNs), $"{Time(fromSnapshot.Median)} (p90 {Time(fromSnapshot.P90)})",
            fromSnapshot.Median <= FromSnapshotTargetNs);
        var (slowest, fastest) = RestoreScaling();
        yield return ("Restore after 64 dirtied pages: 1 MiB, 64 MiB, 1 GiB guests within 1.5× of each other", $"{RestoreScalingTarget:0.0}×",
            $"{slowest / fastest:0.00}× ({Time(fastest)} to {Time(slowest)})", slowest <= RestoreScalingTarget * fastest);

        var small = Find("SnapshotFiles.LoadUnverified/1MiB").Samples.Median;
        var large = Find("SnapshotFiles.LoadUnverified/1GiB").Samples.Median;
        var ratio = Math.Max(small, large) / Math.Min(small, large);
        yield return ("Unverified Load: 1 MiB and 1 GiB blobs within 2× of each other", $"{UnverifiedLoadScalingTarget:0.0}×",
            $"{ratio:0.00}× ({Time(small)} and {Time(large)})", ratio <= UnverifiedLoadScalingTarget);
        var coldStart = Find("SnapshotFiles.ColdStartViaFile").Samples;
        yield return ("Cold start via file (unverified Load + FromSnapshot + first Echo) ≤ 1.5 ms", Time(ColdStartViaFileTargetNs),
            $"{Time(coldStart.Median)} (p90 {Time(coldStart.P90)})", coldStart.Median <= ColdStartViaFileTargetNs);
        var viaElf = Find("Sandboxes.CreateSandboxAndCall").Samples.Median;
        yield return ("Cold start via file faster than via ELF (Create + first Echo)", Time(viaElf),
            $"{Time(coldStart.Median)} ({coldStart.Median / viaElf:0.00}×)", coldStart.Median < viaElf);

        // Issue 6's targets, as same-run ratios.
        yield return ("Issue 6: warm call ≤ 1.5× the raw exit round trip", Time(WarmCallTargetExits * exit),
            $"{Time(echo)} ({echo / exit:0.00}×)", echo <= WarmCallTargetExits * exit);
        yield return ("Issue 6: call + reset cycle ≤ 4× the raw exit round trip", Time(CallAndResetTargetExits * exit),
            $"{Time(cycle)} ({cycle / exit:0.00}×)", cycle <= CallAndResetTargetExits * exit);
        var createReady = raw[RawKvm.VmCreateReady].Median;
        var firstResult = createReady + exit;
        yield return ("Issue 6: start from snapshot file to first result ≤ 2× raw VM+vCPU creation (VM create → first exit + 1 exit)",
            Time(FileStartTargetRatio * firstResult),
            $"{Time(coldStart.Median)} ({coldStart.Median / firstResult:0.00}×; {coldStart.Median / createReady:0.00}× vm_create_ready alone)",
            coldStart.Median <= FileStartTargetRatio * firstResult);
        string[] scalarCalls = ["GuestCalls.CallEchoI32", "GuestCalls.CallNothing", "GuestCalls.CallWithHostFunction"];
        var scalarAllocations = scalarCalls.Select(name => allocations.GetValueOrDefault(name, double.NaN)).ToList();
        yield return ("Issue 6: zero managed allocations per warm call with scalar arguments (EchoI32, Nothing, one host callback)", "0 B",
            string.Join(", ", scalarAllocations.Select(bytes => $"{bytes:0.##} B")), scalarAllocations.All(bytes => bytes == 0));
        foreach (var target in scripts.Targets(raw).Concat(servingTargets))
        {
            yield return target;
        }
    }

    /// <summary>The slowest and fastest median of the restore-after-dirtying rows.</summary>
    private (double Slowest, double Fastest) RestoreScaling()
    {
        var medians = scenarios.Where(s => s.Name.StartsWith(RestoreAfterDirtying, StringComparison.Ordinal)).Select(s => s.Samples.Median).ToList();
        return (medians.Max(), medians.Min());
    }

    private Scenario Find(string name) => scenarios.First(s => s.Name == name);

    /// <summary>MB/s (10^6 bytes) of the snapshot-file scenario <paramref name="name"/>'s median.</summary>
    private string Throughput(string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{snapshotFileBytes * 1e3 / Find(name).Samples.Median:0} MB/s ({Time(Find(name).Samples.Median)})");

    /// <summary>Nanoseconds in the unit that keeps three or four digits; shared with the side-by-side table.</summary>
    internal static string Time(double nanoseconds) => nanoseconds switch
    {
        double.NaN => "—",
        < 1e3 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds:0} ns"),
        < 1e6 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e3:0.0} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1e6:0.00} ms"),
    };
}

/// <summary>What the numbers were measured on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllLines("/proc/cpuinfo") : [];
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var flags = cpuinfo.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
        var nested = flags.Split(' ').Contains("hypervisor") ? "nested (hypervisor flag set)" : "bare metal (no hypervisor flag)";
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown kernel";
        return $"{model}, {Environment.ProcessorCount} CPUs, {nested}, Linux {kernel}, {RuntimeInformation.FrameworkDescription}";
    }
}
