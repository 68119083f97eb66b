using System.Diagnostics;
using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// HyperSharp.Scripting in the scripts table: a <see cref="ScriptSandbox"/> per language with the default options,
/// every run followed by the restore to the fresh interpreter.
/// </summary>
internal sealed class HyperSharpScripts : IScriptContender
{
    private const string Tag = "bench";

    private static readonly SnapshotLoadOptions s_unverified = new() { VerifyDigests = false };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hypersharp-bench-scripts-" + Guid.NewGuid().ToString("N"));
    private readonly ScriptTools _tools = new();
    private readonly Dictionary<ScriptLanguage, ScriptSandbox> _sandboxes = [];
    private readonly Dictionary<ScriptLanguage, string> _snapshotFiles = [];

    public HyperSharpScripts()
    {
        _tools.Add("echo", arguments => arguments[0].Clone(), ScriptBenchJson.Default.JsonElement);
        foreach (var language in Enum.GetValues<ScriptLanguage>().Where(ScriptSandbox.IsAvailable))
        {
            _sandboxes[language] = ScriptSandbox.Create(language, tools: _tools);
            using var snapshot = ScriptSandbox.CreateSnapshot(language);
            var directory = Path.Combine(_root, language.ToString());
            snapshot.Save(directory, Tag);
            _snapshotFiles[language] = directory;
        }
    }

    public string Name => "HyperSharp";

    public string ResetMeans => "Restore() to the snapshot of the freshly configured interpreter after every run (ScriptSandbox's default), included in the time";

    public Cell? CellFor(ScriptLanguage language, ScriptWorkload workload, out string? skipReason)
    {
        skipReason = _sandboxes.ContainsKey(language) ? null : $"the {language} interpreter guest is not built yet";
        if (skipReason is not null)
        {
            return null;
        }

        var sandbox = _sandboxes[language];
        return workload switch
        {
            ScriptWorkload.ColdStartFromProgram => Cell.Single(() => ColdStart(language)),
            ScriptWorkload.StartFromSnapshotFile => Cell.Single(() => StartFromFile(language)),
            ScriptWorkload.TrivialRunWithReset => Cell.Warm(() => sandbox.Run(AgentScripts.Trivial(language))),
            ScriptWorkload.AgentScript => Cell.Warm(() => ScriptChecks.Agent(sandbox.Run(AgentScripts.Agent(language)).ValueJson)),
            ScriptWorkload.ToolRoundTrip => Cell.Warm(() => sandbox.Run(AgentScripts.ToolCall(language))),
            _ => null,
        };
    }

    public void Dispose()
    {
        foreach (var sandbox in _sandboxes.Values)
        {
            sandbox.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The interpreter ELF booted, configured, and the first script run; what a one-off CLI run pays.</summary>
    private static double ColdStart(ScriptLanguage language)
    {
        var options = ScriptOptions.Default;
        var start = Stopwatch.GetTimestamp();
        var sandbox = Sandbox.Create(InterpreterGuests.PathOf(language), ScriptHost.Functions, options.ToSandboxOptions());
        sandbox.Call(ScriptHost.ConfigureFunction, options.ConfigurationJson);
        _ = sandbox.Call<string>(ScriptHost.RunFunction, AgentScripts.Trivial(language));
        var end = Stopwatch.GetTimestamp();
        sandbox.Dispose();
        return Timing.Nanoseconds(start, end);
    }

    /// <summary>Unverified Load + FromSnapshot + the first run, as <c>SnapshotFiles.ColdStartViaFile</c> for the simple guest.</summary>
    private double StartFromFile(ScriptLanguage language)
    {
        var start = Stopwatch.GetTimestamp();
        var snapshot = Snapshot.Load(_snapshotFiles[language], Tag, s_unverified);
        var sandbox = ScriptSandbox.FromSnapshot(language, snapshot, tools: _tools);
        _ = sandbox.Run(AgentScripts.Trivial(language));
        var end = Stopwatch.GetTimestamp();
        sandbox.Dispose();
        snapshot.Dispose();
        return Timing.Nanoseconds(start, end);
    }
}
