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

    public Dictionary<string, Samples> Results { get; } = new(StringComparer.Ordinal);

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
