using System.Diagnostics;
using System.Globalization;
using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// The same interpreters built natively on the host from the same fetched source (bench/scriptnative, compiled by
/// this project's build): the yardstick of the agent-script target. The runner times each run itself, in process,
/// so a sample is one run's time, not the runner's start.
/// </summary>
internal sealed class NativeScripts : IScriptContender
{
    /// <summary>Runs per start of the runner.</summary>
    private const int RunsPerStart = 25;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-bench-native-scripts-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<ScriptLanguage, string> _runners = new()
    {
        [ScriptLanguage.JavaScript] = BenchFiles.QuickJsNative,
        [ScriptLanguage.Lua] = BenchFiles.LuaNative,
    };

    public NativeScripts() => Directory.CreateDirectory(_directory);

    public string Name => "Native build";

    public string ResetMeans => "a new runtime and context (Lua: state) per run, created outside the timed part, which is the run alone";

    public Cell? CellFor(ScriptLanguage language, ScriptWorkload workload, out string? skipReason)
    {
        skipReason = workload != ScriptWorkload.AgentScript ? "measured for the agent script only, the yardstick of its target"
            : !_runners.ContainsKey(language) ? $"no native build of the {language} interpreter here"
            : null;
        if (skipReason is not null)
        {
            return null;
        }

        var script = Path.Combine(_directory, $"{language}.script");
        File.WriteAllText(script, AgentScripts.Agent(language));
        var pending = new Queue<double>();
        return Cell.Single(() =>
        {
            if (pending.Count == 0)
            {
                foreach (var sample in Run(_runners[language], script))
                {
                    pending.Enqueue(sample);
                }
            }

            return pending.Dequeue();
        });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static IEnumerable<double> Run(string runner, string script)
    {
        using var process = Process.Start(new ProcessStartInfo(runner, [script, RunsPerStart.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{runner} did not start");
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{runner} {script} exited with {process.ExitCode}");
        }

        foreach (var line in lines)
        {
            var (nanoseconds, json) = (line[..line.IndexOf(' ', StringComparison.Ordinal)], line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            ScriptChecks.Agent(json);
            yield return double.Parse(nanoseconds, CultureInfo.InvariantCulture);
        }
    }
}
