using System.Diagnostics;
using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// A fresh interpreter process per run, what many applications do today: <c>node</c> for JavaScript, <c>python3</c>
/// for Python, <c>lua5.4</c> for Lua, where the machine has them. The script goes in a file; the value comes back
/// as JSON on the last line of stdout.
/// </summary>
internal sealed class ProcessScripts : IScriptContender
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-bench-process-scripts-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<ScriptLanguage, string?> _executables = new()
    {
        [ScriptLanguage.JavaScript] = FindOnPath("node"),
        [ScriptLanguage.Python] = FindOnPath("python3"),
        [ScriptLanguage.Lua] = FindOnPath("lua5.4"),
    };

    public ProcessScripts() => Directory.CreateDirectory(_directory);

    public string Name => "Fresh process";

    public string ResetMeans => "a new interpreter process per run (start, run the script file, print the value, exit), all of it timed";

    public Cell? CellFor(ScriptLanguage language, ScriptWorkload workload, out string? skipReason)
    {
        var executable = _executables[language];
        skipReason = executable is null ? $"no {Interpreter(language)} on PATH"
            : workload == ScriptWorkload.StartFromSnapshotFile ? "a process has no snapshot to start from"
            : workload == ScriptWorkload.ToolRoundTrip ? "a plain interpreter process has no host tools (that takes an IPC protocol of its own)"
            : null;
        if (skipReason is not null)
        {
            return null;
        }

        var code = workload == ScriptWorkload.AgentScript ? AgentScripts.Agent(language) : AgentScripts.Trivial(language);
        var file = Path.Combine(_directory, $"{language}-{workload}{Extension(language)}");
        File.WriteAllText(file, Wrap(language, code));
        return Cell.Single(() =>
        {
            var start = Stopwatch.GetTimestamp();
            var json = RunProcess(executable!, file);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            if (workload == ScriptWorkload.AgentScript)
            {
                ScriptChecks.Agent(json);
            }

            return elapsed;
        });
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Interpreter(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => "node",
        ScriptLanguage.Python => "python3",
        _ => "lua5.4",
    };

    private static string Extension(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => ".js",
        ScriptLanguage.Python => ".py",
        _ => ".lua",
    };

    /// <summary>The script made to print its value as JSON last, as the guest returns it.</summary>
    private static string Wrap(ScriptLanguage language, string code) => language switch
    {
        ScriptLanguage.JavaScript => $"console.log(JSON.stringify(require('vm').runInThisContext({System.Text.Json.JsonSerializer.Serialize(code, ScriptBenchJson.Default.String)})));",
        ScriptLanguage.Python => WrapPython(code),
        _ => $"local function run() {code}\nend\nlocal v = run()\nprint(type(v) == 'table' and ('{{\"open\":' .. v.open .. '}}') or tostring(v))",
    };

    /// <summary>Python's value of a trailing expression: the last line evaluated on its own.</summary>
    private static string WrapPython(string code)
    {
        var lines = code.TrimEnd().Split('\n');
        return string.Join('\n', lines[..^1]) + $"\nimport json as _json\nprint(_json.dumps({lines[^1]}))\n";
    }

    private static string RunProcess(string executable, string file)
    {
        using var process = Process.Start(new ProcessStartInfo(executable, [file]) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"{executable} did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output.TrimEnd().Split('\n')[^1]
            : throw new InvalidOperationException($"{executable} {file} exited with {process.ExitCode}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
