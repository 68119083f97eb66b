using System.Globalization;
using System.Text;
using System.Text.Json;
using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>
/// The scripts table of issue 14: per language, HyperSharp.Scripting beside Jint (JavaScript, in-process), a fresh
/// interpreter process per run, and the same interpreter built natively, on the same scripts in the same run. As in
/// <see cref="SideBySideTable"/>, within each round every row is measured on every contender before the next row, the
/// first contender rotating from round to round.
/// </summary>
internal sealed class ScriptTable(IReadOnlyList<IScriptContender> contenders)
{
    private const double TrivialRunTargetExits = 4;
    private const double FileStartTargetRatio = 2.5;
    private const double AgentScriptTargetRatio = 2;

    private static readonly (ScriptWorkload Workload, string Title)[] s_workloads =
    [
        (ScriptWorkload.ColdStartFromProgram, "Cold start to first result, from the program (ELF / engine / executable)"),
        (ScriptWorkload.StartFromSnapshotFile, "Start from a snapshot file to first result"),
        (ScriptWorkload.TrivialRunWithReset, "Run of a trivial expression, with the reset to clean"),
        (ScriptWorkload.AgentScript, "Agent script: parse ~10 KB of JSON, filter, aggregate, print"),
        (ScriptWorkload.ToolRoundTrip, "A script making one tool call"),
    ];

    private readonly Dictionary<(ScriptLanguage, ScriptWorkload, string), (Cell? Cell, string? Skip)> _cells = Build(contenders);

    public void WarmUp(double seconds)
    {
        foreach (var cell in _cells.Values.Select(c => c.Cell).OfType<Cell>())
        {
            cell.WarmUp(seconds);
        }
    }

    public void MeasureRound(int round, double secondsPerCell, int samplesPerCell, double sampleSeconds, int callsPerSample)
    {
        foreach (var language in Enum.GetValues<ScriptLanguage>())
        {
            foreach (var (workload, _) in s_workloads)
            {
                for (var i = 0; i < contenders.Count; i++)
                {
                    _cells[(language, workload, contenders[(i + round) % contenders.Count].Name)].Cell?
                        .MeasureRound(secondsPerCell, samplesPerCell, sampleSeconds, callsPerSample);
                }
            }
        }
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder("| Language | Scenario |");
        foreach (var contender in contenders)
        {
            text.Append(CultureInfo.InvariantCulture, $" {contender.Name} median | p90 |");
        }

        text.AppendLine().Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---:|---:|", contenders.Count))).AppendLine();
        foreach (var language in Enum.GetValues<ScriptLanguage>())
        {
            foreach (var (workload, title) in s_workloads)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {language} | {title} |");
                foreach (var contender in contenders)
                {
                    var samples = _cells[(language, workload, contender.Name)].Cell?.Samples;
                    text.Append(samples is null ? " — | — |" : $" {Report.Time(samples.Median)} | {Report.Time(samples.P90)} |");
                }

                text.AppendLine();
            }
        }

        text.AppendLine();
        foreach (var note in Notes())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }

    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject("scripts");
        foreach (var language in Enum.GetValues<ScriptLanguage>())
        {
            json.WriteStartObject(language.ToString());
            foreach (var (workload, _) in s_workloads)
            {
                json.WriteStartObject(workload.ToString());
                foreach (var contender in contenders)
                {
                    var (cell, skip) = _cells[(language, workload, contender.Name)];
                    if (cell is null)
                    {
                        json.WriteString(contender.Name, "skipped: " + skip);
                        continue;
                    }

                    json.WriteStartObject(contender.Name);
                    json.WriteNumber("median_ns", Math.Round(cell.Samples.Median, 1));
                    json.WriteNumber("p90_ns", Math.Round(cell.Samples.P90, 1));
                    json.WriteNumber("samples", cell.Samples.Count);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>Issue 14's targets, per language HyperSharp runs, as same-run ratios.</summary>
    public IEnumerable<(string Target, string Threshold, string Measured, bool Met)> Targets(RawKvm raw)
    {
        var exit = raw[RawKvm.GuestExitRoundTrip].Median;
        var create = raw[RawKvm.VmCreateReady].Median;
        var hyperSharp = contenders[0].Name;
        foreach (var language in Enum.GetValues<ScriptLanguage>())
        {
            if (Median(language, ScriptWorkload.TrivialRunWithReset, hyperSharp) is not { } trivial)
            {
                continue;
            }

            yield return ($"Issue 14, {language}: trivial Run with reset ≤ {TrivialRunTargetExits:0}× one exit round trip", Report.Time(TrivialRunTargetExits * exit),
                $"{Report.Time(trivial)} ({trivial / exit:0.00}×)", trivial <= TrivialRunTargetExits * exit);
            var file = Median(language, ScriptWorkload.StartFromSnapshotFile, hyperSharp)!.Value;
            yield return ($"Issue 14, {language}: start from a snapshot file to first result ≤ {FileStartTargetRatio}× VM creation (vm_create_ready)",
                Report.Time(FileStartTargetRatio * create), $"{Report.Time(file)} ({file / create:0.00}×)", file <= FileStartTargetRatio * create);
            if (contenders.OfType<NativeScripts>().FirstOrDefault() is { } nativeBuild
                && Median(language, ScriptWorkload.AgentScript, nativeBuild.Name) is { } native
                && Median(language, ScriptWorkload.AgentScript, hyperSharp) is { } agent)
            {
                yield return ($"Issue 14, {language}: agent script within {AgentScriptTargetRatio:0}× of the interpreter built natively", Report.Time(AgentScriptTargetRatio * native),
                    $"{Report.Time(agent)} ({agent / native:0.00}× native {Report.Time(native)})", agent <= AgentScriptTargetRatio * native);
            }
        }
    }

    private static Dictionary<(ScriptLanguage, ScriptWorkload, string), (Cell?, string?)> Build(IReadOnlyList<IScriptContender> contenders)
    {
        var cells = new Dictionary<(ScriptLanguage, ScriptWorkload, string), (Cell?, string?)>();
        foreach (var language in Enum.GetValues<ScriptLanguage>())
        {
            foreach (var (workload, _) in s_workloads)
            {
                foreach (var contender in contenders)
                {
                    var cell = contender.CellFor(language, workload, out var skip);
                    cells[(language, workload, contender.Name)] = (cell, skip);
                }
            }
        }

        return cells;
    }

    private double? Median(ScriptLanguage language, ScriptWorkload workload, string contender) =>
        _cells[(language, workload, contender)].Cell?.Samples is { Count: > 0 } samples ? samples.Median : null;

    private IEnumerable<string> Notes()
    {
        foreach (var contender in contenders)
        {
            yield return $"{contender.Name} reset to clean: {contender.ResetMeans}.";
        }

        foreach (var group in _cells.Where(c => c.Value.Cell is null).GroupBy(c => (c.Key.Item3, c.Value.Skip)))
        {
            var where = string.Join(", ", group.Select(c => $"{c.Key.Item1} {c.Key.Item2}"));
            yield return $"{group.Key.Item1} not measured ({where}): {group.Key.Skip}.";
        }

        yield return "The agent-script target compares HyperSharp with the native build of the same interpreter: "
            + "the native runner times the run alone, HyperSharp's row includes the VM exit, the result document and the restore.";
    }
}
