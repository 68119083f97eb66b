using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HyperSharp.Scripting;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// <c>hypersharp demo</c>: a short tour of the library against the bundled simpleguest. Each section is one
/// method called from <see cref="Run"/>, so new sections are appended as one more method and one more call.
/// </summary>
internal sealed class DemoCommand
{
    private const int LabelWidth = 36;
    private const string PrintedText = "hello from the guest";

    private static readonly TimeSpan s_latencyBudget = TimeSpan.FromSeconds(1);

    private readonly TextWriter _out;
    private readonly string _guestPath = Path.Combine(AppContext.BaseDirectory, "guests", "simpleguest.elf");
    private int _hostAddCalls;
    private (int A, int B) _lastHostAdd;

    private DemoCommand(TextWriter output)
    {
        _out = output;
    }

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("demo", "Boots the bundled guest, calls it, measures call latency, snapshots and restores it, shows a contained guest failure, serves from a pool, and runs a script in each language.");
        command.SetAction(parseResult => new DemoCommand(parseResult.InvocationConfiguration.Output).Run());
        return command;
    }

    private int Run()
    {
        if (!File.Exists(_guestPath))
        {
            throw new GuestBinaryException($"The bundled guest '{_guestPath}' is missing; building the CLI builds it (make -C guest).");
        }

        ShowHypervisor();
        using var sandbox = CreateSandbox();
        CallGuestFunctions(sandbox);
        CallHostFromGuest(sandbox);
        PrintThroughHost(sandbox);
        KeepStateBetweenCalls(sandbox);
        MeasureLatency(sandbox);
        SnapshotAndRestore(sandbox);
        SaveAndLoad(sandbox);
        ContainFailure(sandbox);
        StopRunawayGuests();
        ServeFromAPool();
        RunScripts();
        return ExitCodes.Success;
    }

    private void ShowHypervisor()
    {
        var cpu = CpuInfo.Read();
        var machine = cpu is null ? "unknown CPU" : $"{cpu.Model ?? cpu.Vendor ?? "unknown CPU"}{(cpu.UnderHypervisor ? ", nested virtualization" : "")}";
        var status = Hypervisor.IsAvailable ? "available" : $"unavailable: {Hypervisor.UnavailableReason}";
        _out.WriteLine($"Hypervisor: {Hypervisor.Name} {status} ({machine})");
    }

    private Sandbox CreateSandbox()
    {
        Section("Sandbox");
        var start = Stopwatch.GetTimestamp();
        var sandbox = Sandbox.Create(_guestPath, CreateHostFunctions());
        var elapsed = Stopwatch.GetElapsedTime(start);
        Row($"Sandbox.Create(\"{Path.GetFileName(_guestPath)}\")",
            $"{elapsed.TotalMilliseconds:F1} ms: {ByteSizes.Format(sandbox.MemorySize)} of guest memory, {sandbox.GuestFunctions.Count} guest functions");
        return sandbox;
    }

    private void CallGuestFunctions(Sandbox sandbox)
    {
        Section("Calls into the guest");
        Row("Echo(\"hello from the host\")", $"\"{sandbox.Call<string>("Echo", "hello from the host")}\"");
        Row("Add(40, 2)", Text(sandbox.Call<int>("Add", 40, 2)));
    }

    private void CallHostFromGuest(Sandbox sandbox)
    {
        var sum = sandbox.Call<int>("CallHostAdd", 20, 22);
        Row("CallHostAdd(20, 22)", $"{sum}   (the guest called HostAdd({_lastHostAdd.A}, {_lastHostAdd.B}) in C#; host callbacks: {_hostAddCalls})");
    }

    private void PrintThroughHost(Sandbox sandbox)
    {
        // The guest's hs_printf reaches HostPrint, which writes the "[guest]" line before the result row.
        var printed = sandbox.Call<int>("Print", PrintedText);
        Row($"Print(\"{PrintedText}\")", $"{printed}   (bytes the guest printed through HostPrint)");
    }

    private void KeepStateBetweenCalls(Sandbox sandbox)
    {
        var counts = Enumerable.Range(0, 3).Select(_ => Text(sandbox.Call<int>("IncrementCounter")));
        Row("IncrementCounter() ×3", $"{string.Join(", ", counts)}   (guest memory persists between calls)");
    }

    private void MeasureLatency(Sandbox sandbox)
    {
        Section("Warm call latency");
        _out.WriteLine($"  {"",-LabelWidth}{"calls",8}{"median",12}{"p99",12}");
        Latency("EchoI32(i)", 10_000, i => sandbox.Call<int>("EchoI32", i));
        Latency("Echo(\"hello\")", 10_000, _ => sandbox.Call<string>("Echo", "hello"));
        Latency("CallHostAdd(i, 1), guest → host", 2_000, i => sandbox.Call<int>("CallHostAdd", i, 1));
    }

    /// <summary>Snapshot, dirty, restore, and a second sandbox straight from the snapshot, with timings.</summary>
    private void SnapshotAndRestore(Sandbox sandbox)
    {
        Section("Snapshots");
        var start = Stopwatch.GetTimestamp();
        using var snapshot = sandbox.Snapshot();
        Row("Snapshot()", $"{Milliseconds(start)}: generation {snapshot.Generation}, {ByteSizes.Format(snapshot.MemorySize)} of guest memory");

        var counter = sandbox.Call<int>("IncrementCounter");
        sandbox.Call<int>("Leak", 64 * 1024);
        start = Stopwatch.GetTimestamp();
        sandbox.Restore();
        var elapsed = Milliseconds(start);
        Row("Restore() after two calls", $"{elapsed}: counter back from {counter} to {sandbox.Call<int>("IncrementCounter") - 1}");

        start = Stopwatch.GetTimestamp();
        using var twin = Sandbox.FromSnapshot(snapshot, CreateHostFunctions());
        var echoed = twin.Call<string>("Echo", "from the twin");
        Row("Sandbox.FromSnapshot + first Echo", $"{Milliseconds(start)}: \"{echoed}\" (no ELF load, no guest init)");

        _out.WriteLine($"  {"",-LabelWidth}{"cycles",8}{"median",12}{"p99",12}");
        Latency("Echo(\"hello\") + Restore()", 2_000, _ =>
        {
            sandbox.Call<string>("Echo", "hello");
            sandbox.Restore();
        });
    }

    /// <summary>
    /// A snapshot through a file and back: Save, verified Load, FromSnapshot, Restore, with the results of the
    /// sandbox from the file checked against the original sandbox's.
    /// </summary>
    private void SaveAndLoad(Sandbox sandbox)
    {
        Section("Snapshot files");
        var directory = Path.Combine(Path.GetTempPath(), $"hypersharp-demo-{Guid.NewGuid():N}");
        try
        {
            // A throwaway save and load first, so the rows below show steady-state costs rather than JIT.
            using (var warmUp = sandbox.Snapshot())
            {
                warmUp.Save(directory, "warm-up");
                Snapshot.Load(directory, "warm-up").Dispose();
            }

            sandbox.Call("SetStatic", 41);
            using var snapshot = sandbox.Snapshot();
            var original = StaticAndCounter(sandbox);
            sandbox.Restore();

            var start = Stopwatch.GetTimestamp();
            var digest = snapshot.Save(directory, "demo");
            Row("Save(dir, \"demo\")", $"{Throughput(start, snapshot.MemorySize)}: {digest[..19]}…");

            start = Stopwatch.GetTimestamp();
            using var loaded = Snapshot.Load(directory, "demo");
            Row("Snapshot.Load, digests verified", Throughput(start, loaded.MemorySize));

            start = Stopwatch.GetTimestamp();
            using var fromFile = Sandbox.FromSnapshot(loaded, CreateHostFunctions());
            var first = fromFile.Call<int>("GetStatic");
            Row("FromSnapshot + first GetStatic()", $"{Milliseconds(start)}: {first}");
            var copy = (first, fromFile.Call<int>("IncrementCounter"));

            start = Stopwatch.GetTimestamp();
            fromFile.Restore();
            var restored = StaticAndCounter(fromFile);
            Row("Restore() + GetStatic(), Increment…", $"{Milliseconds(start)}: {restored.Static}, {restored.Counter}");
            Row("same as the original sandbox's", copy == original && restored == original ? $"yes ({original.Static}, {original.Counter})" : $"NO: the original's are {original}");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        static (int Static, int Counter) StaticAndCounter(Sandbox sandbox) => (sandbox.Call<int>("GetStatic"), sandbox.Call<int>("IncrementCounter"));
    }

    /// <summary>A guest that faults is contained: its sandbox is poisoned, every other sandbox carries on.</summary>
    private void ContainFailure(Sandbox healthy)
    {
        Section("Failure containment");
        using var victim = Sandbox.Create(_guestPath, CreateHostFunctions());
        try
        {
            victim.Call("Ud2");
        }
        catch (GuestFaultException e)
        {
            Row("Ud2() in a second sandbox", $"{e.GetType().Name}: {e.Message}");
        }

        Row("its state", victim.State.ToString());
        try
        {
            victim.Call<int>("Add", 1, 2);
        }
        catch (SandboxPoisonedException e)
        {
            Row("its next Add(1, 2)", $"{e.GetType().Name}: refused");
        }

        Row("first sandbox's Add(1, 2)", $"{healthy.Call<int>("Add", 1, 2)}   (state {healthy.State})");
        using var clean = healthy.Snapshot();
        victim.Restore(clean);
        Row("its Restore(snapshot of the first)", $"{victim.State}: Add(1, 2) = {victim.Call<int>("Add", 1, 2)}");
    }

    /// <summary>An infinite loop in the guest is stopped by a call timeout, or by a kill from another thread, and Restore recovers.</summary>
    private void StopRunawayGuests()
    {
        Section("Stopping runaway guests");
        var timeout = TimeSpan.FromMilliseconds(50);
        using var limited = Sandbox.Create(_guestPath, CreateHostFunctions(), new SandboxOptions { CallTimeout = timeout });
        using var limitedClean = limited.Snapshot();
        var start = Stopwatch.GetTimestamp();
        try
        {
            limited.Call("Spin");
        }
        catch (GuestCallCanceledException e)
        {
            Row($"Spin() with CallTimeout = {timeout.TotalMilliseconds:F0} ms", $"{e.GetType().Name} ({e.Reason}) after {Milliseconds(start)}; state {limited.State}");
        }

        limited.Restore();
        Row("Restore(), then Add(1, 2)", $"{limited.Call<int>("Add", 1, 2)}   (state {limited.State})");

        using var spinning = Sandbox.Create(_guestPath, CreateHostFunctions());
        using var spinningClean = spinning.Snapshot();

        // The first kill pays for JIT and the first exception; the third shows the steady state.
        var outcome = string.Empty;
        for (var round = 0; round < 3; round++)
        {
            outcome = KillSpinningGuest(spinning);
            spinning.Restore();
        }

        Row("Spin() killed from another thread", outcome);
    }

    /// <summary>Starts Spin on another thread, kills it once it runs, and says how long the call took to return.</summary>
    private static string KillSpinningGuest(Sandbox spinning)
    {
        long returned = 0;
        var call = Task.Run(() =>
        {
            try
            {
                spinning.Call("Spin");
                return "returned";
            }
            catch (GuestCallCanceledException e)
            {
                returned = Stopwatch.GetTimestamp();
                return $"{e.GetType().Name} ({e.Reason})";
            }
        });
        Thread.Sleep(20);
        long killed;
        do
        {
            killed = Stopwatch.GetTimestamp();
        }
        while (!spinning.InterruptHandle.Kill());

        var outcome = call.GetAwaiter().GetResult();
        return $"{outcome} {Microseconds(returned - killed)} after InterruptHandle.Kill()";
    }

    /// <summary>
    /// A pool of four sandboxes, as a service would hold one: created ahead of demand, rented and reset per request,
    /// called asynchronously, and four callers at once.
    /// </summary>
    private void ServeFromAPool()
    {
        Section("Serving from a pool (SandboxPool, CallAsync)");
        var start = Stopwatch.GetTimestamp();
        using var pool = SandboxPool.Create(_guestPath, CreateHostFunctions(), new SandboxPoolOptions { Name = "demo", MaxSize = 4, MinIdle = 4 });
        pool.WarmUpAsync().GetAwaiter().GetResult();
        Row("SandboxPool.Create + WarmUpAsync", $"{Milliseconds(start)}: {pool.Idle} sandboxes ready before the first request");
        using (var lease = pool.RentAsync().AsTask().GetAwaiter().GetResult())
        {
            lease.Sandbox.Call("SetStatic", 99);
        }

        using (var lease = pool.RentAsync().AsTask().GetAwaiter().GetResult())
        {
            Row("GetStatic() after a lease set 99", $"{lease.Sandbox.Call<int>("GetStatic")}   (every return restores the snapshot)");
        }

        _out.WriteLine($"  {"",-LabelWidth}{"calls",8}{"median",12}{"p99",12}");
        Latency("RentAsync + Echo + return", 5_000, _ =>
        {
            using var lease = pool.RentAsync().AsTask().GetAwaiter().GetResult();
            lease.Sandbox.Call<string>("Echo", "hello");
        });
        using (var lease = pool.RentAsync().AsTask().GetAwaiter().GetResult())
        {
            Latency("CallAsync(\"Echo\") on a vCPU thread", 5_000, _ => lease.Sandbox.CallAsync<string>("Echo", "hello").GetAwaiter().GetResult());
        }

        const int Callers = 4, CallsEach = 500;
        start = Stopwatch.GetTimestamp();
        Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < CallsEach; i++)
            {
                if (await pool.CallAsync<int>("Add", [caller, i]) != caller + i)
                {
                    throw new InvalidOperationException("a pooled call answered wrongly");
                }
            }
        }))).GetAwaiter().GetResult();
        var elapsed = Stopwatch.GetElapsedTime(start);
        Row($"{Callers} callers × {CallsEach} CallAsync",
            string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:F0} ms, {Callers * CallsEach / elapsed.TotalSeconds:F0} calls/s, all right; {pool.Created} sandboxes created in all"));
    }

    /// <summary>
    /// A script in each language whose interpreter is installed: the first sandbox boots and snapshots the
    /// interpreter, later ones start from that snapshot, and every run returns to it.
    /// </summary>
    private void RunScripts()
    {
        Section("Scripts (a clean interpreter for every run)");
        (ScriptLanguage Language, string Code)[] scripts =
        [
            (ScriptLanguage.JavaScript, "const squares = [1, 2, 3].map((x) => x * x); console.log('squares', squares); tools.add(...squares)"),
            (ScriptLanguage.Python, "squares = [x * x for x in (1, 2, 3)]\nprint('squares', squares)\ntools.add(*squares)"),
            (ScriptLanguage.Lua, "local squares = {} for i = 1, 3 do squares[i] = i * i end print('squares', table.concat(squares, ',')) return tools.add(table.unpack(squares))"),
        ];
        _out.WriteLine($"  {"",-LabelWidth}{"runs",8}{"median",12}{"p99",12}   (Run latencies below)");
        var tools = new ScriptTools();
        tools.Add("add", arguments => arguments.EnumerateArray().Sum(a => a.GetInt32()), DemoJson.Default.Int32);
        foreach (var (language, code) in scripts)
        {
            if (!ScriptSandbox.IsAvailable(language))
            {
                Row(language.ToString(), "interpreter guest not installed");
                continue;
            }

            var start = Stopwatch.GetTimestamp();
            using var sandbox = ScriptSandbox.Create(language, tools: tools);
            var created = Milliseconds(start);
            var result = sandbox.Run(code);
            Row($"{language} first Create", $"{created} (boots the interpreter, configures it, snapshots it)");
            Row($"{language} Run", $"value {result.ValueJson}, stdout \"{result.Stdout.TrimEnd('\n')}\", {result.Duration.TotalMilliseconds:F2} ms");
            start = Stopwatch.GetTimestamp();
            using (ScriptSandbox.Create(language, tools: tools))
            {
                Row($"{language} next Create", $"{Milliseconds(start)} (from the cached snapshot)");
            }

            Latency($"{language} Run(trivial) + reset", 2_000, _ => sandbox.Run(language == ScriptLanguage.Lua ? "return 1 + 1" : "1 + 1"));
        }
    }

    private HostFunctions CreateHostFunctions()
    {
        var host = new HostFunctions();
        host.Define(HostFunctions.HostPrintName, (string text) =>
        {
            _out.WriteLine($"  [guest] {text.TrimEnd('\n')}");
            return Encoding.UTF8.GetByteCount(text);
        });
        host.Define("HostAdd", (int a, int b) =>
        {
            _hostAddCalls++;
            _lastHostAdd = (a, b);
            return a + b;
        });
        return host;
    }

    /// <summary>
    /// Times each call on its own, after a warm-up, so the percentiles describe single calls. Stops early at
    /// the latency budget: under nested virtualization a call can take a millisecond.
    /// </summary>
    private void Latency(string label, int maxCalls, Action<int> call)
    {
        for (var i = 0; i < 100; i++)
        {
            call(i);
        }

        var ticks = new long[maxCalls];
        var budgetEnd = Stopwatch.GetTimestamp() + (long)(s_latencyBudget.TotalSeconds * Stopwatch.Frequency);
        var calls = 0;
        do
        {
            var start = Stopwatch.GetTimestamp();
            call(calls);
            ticks[calls++] = Stopwatch.GetTimestamp() - start;
        }
        while (calls < maxCalls && Stopwatch.GetTimestamp() < budgetEnd);

        Array.Sort(ticks, 0, calls);
        _out.WriteLine($"  {label,-LabelWidth}{calls,8:N0}{Microseconds(ticks[calls / 2]),12}{Microseconds(ticks[calls * 99 / 100]),12}");
    }

    private void Section(string title)
    {
        _out.WriteLine();
        _out.WriteLine(title);
    }

    private void Row(string label, string value) => _out.WriteLine($"  {label,-LabelWidth}{value}");

    private static string Milliseconds(long start) =>
        string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(start).TotalMilliseconds:F2} ms");

    private static string Throughput(long start, ulong bytes)
    {
        var elapsed = Stopwatch.GetElapsedTime(start);
        return string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:F2} ms ({bytes / 1e6 / elapsed.TotalSeconds:F0} MB/s)");
    }

    private static string Microseconds(long ticks) => string.Create(CultureInfo.InvariantCulture, $"{ticks * 1e6 / Stopwatch.Frequency:F1} µs");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

