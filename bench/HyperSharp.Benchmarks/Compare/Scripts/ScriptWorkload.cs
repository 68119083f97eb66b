namespace HyperSharp.Benchmarks.Compare.Scripts;

/// <summary>The rows of the scripts table, each measured per language on every contender it applies to.</summary>
internal enum ScriptWorkload
{
    /// <summary>From the program (the interpreter ELF, an engine, an executable) to the first script's result.</summary>
    ColdStartFromProgram,

    /// <summary>From a snapshot file of the configured interpreter to the first script's result.</summary>
    StartFromSnapshotFile,

    /// <summary>Running a trivial expression, and getting back to a clean interpreter for the next run.</summary>
    TrivialRunWithReset,

    /// <summary><see cref="AgentScripts"/>: parse ~10 KB of JSON, filter, aggregate, print.</summary>
    AgentScript,

    /// <summary>A script that calls one host tool and returns its result.</summary>
    ToolRoundTrip,
}
