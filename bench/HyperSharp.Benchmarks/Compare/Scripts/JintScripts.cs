using System.Diagnostics;
using System.Text;
using HyperSharp.Scripting;
using Jint;
using Jint.Native.Json;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// Jint, a JavaScript interpreter written in .NET, in the scripts table: in-process and without isolation, the way
/// many .NET applications run scripts today. A clean interpreter is a new <see cref="Engine"/> per run.
/// </summary>
internal sealed class JintScripts : IScriptContender
{
    public string Name => "Jint (in-process)";

    public string ResetMeans => "a new Engine per run (console.log and the tool set up on it), included in the time; the engine shares the host process: no isolation";

    public Cell? CellFor(ScriptLanguage language, ScriptWorkload workload, out string? skipReason)
    {
        skipReason = language != ScriptLanguage.JavaScript ? "Jint runs JavaScript only"
            : workload == ScriptWorkload.StartFromSnapshotFile ? "Jint has no snapshot of an engine to start from"
            : null;
        return skipReason is not null ? null : workload switch
        {
            ScriptWorkload.ColdStartFromProgram => Cell.Single(() =>
            {
                var start = Stopwatch.GetTimestamp();
                _ = Run(AgentScripts.Trivial(language));
                return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            }),
            ScriptWorkload.TrivialRunWithReset => Cell.Warm(() => Run(AgentScripts.Trivial(language))),
            ScriptWorkload.AgentScript => Cell.Warm(() => ScriptChecks.Agent(Run(AgentScripts.Agent(language)))),
            ScriptWorkload.ToolRoundTrip => Cell.Warm(() => Run(AgentScripts.ToolCall(language))),
            _ => null,
        };
    }

    public void Dispose()
    {
    }

    /// <summary>A new engine with console.log (captured) and tools.echo, the script's completion value as JSON.</summary>
    private static string Run(string code)
    {
        var output = new StringBuilder();
        using var engine = new Engine();
        engine.SetValue("console", new JintConsole(output));
        engine.SetValue("tools", new JintTools());
        var value = engine.Evaluate(code);
        return new JsonSerializer(engine).Serialize(value).ToString();
    }
}

/// <summary>console.log for Jint, into a buffer as the guest captures it.</summary>
internal sealed class JintConsole(StringBuilder output)
{
#pragma warning disable IDE1006, CA1822 // JavaScript's names; an instance so each engine has its own buffer.
    public void log(params object?[] values) => output.AppendJoin(' ', values).Append('\n');
#pragma warning restore IDE1006, CA1822
}

/// <summary>The one tool of the benchmark, as a Jint host object.</summary>
internal sealed class JintTools
{
#pragma warning disable IDE1006, CA1822 // JavaScript's names; Jint binds instance members.
    public object? echo(object? value) => value;
#pragma warning restore IDE1006, CA1822
}
