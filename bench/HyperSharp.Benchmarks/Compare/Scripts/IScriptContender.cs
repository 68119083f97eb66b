using HyperSharp.Scripting;

namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>One way of running a script, measured on the <see cref="ScriptWorkload"/>s it can do.</summary>
internal interface IScriptContender : IDisposable
{
    string Name { get; }

    /// <summary>What "a clean interpreter for the next run" means for this contender, for the table's notes.</summary>
    string ResetMeans { get; }

    /// <summary>The cell that measures <paramref name="workload"/> in <paramref name="language"/>, or null with the reason it is not measured.</summary>
    Cell? CellFor(ScriptLanguage language, ScriptWorkload workload, out string? skipReason);
}
