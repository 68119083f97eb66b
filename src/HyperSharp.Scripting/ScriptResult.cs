using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace HyperSharp.Scripting;

/// <summary>What a successful <see cref="ScriptSandbox.Run(string)"/> produced.</summary>
public sealed class ScriptResult
{
    /// <summary>
    /// Appended to <see cref="ScriptResult.Stdout"/> or <see cref="ScriptResult.Stderr"/> (on a line of its own) when
    /// the script printed more than <see cref="ScriptOptions.OutputLimit"/>.
    /// </summary>
    public const string TruncationMarker = "[output truncated: the script printed more than ScriptOptions.OutputLimit allows]\n";

    internal ScriptResult(JsonElement value, ScriptOutput output, TimeSpan duration)
    {
        Value = value;
        Stdout = output.Stdout;
        Stderr = output.Stderr;
        StdoutTruncated = output.StdoutTruncated;
        StderrTruncated = output.StderrTruncated;
        Duration = duration;
    }

    /// <summary>
    /// The script's value as JSON: JavaScript's completion value (awaited if a promise), Python's trailing
    /// expression, Lua's returned values (several become an array). <see cref="JsonValueKind.Null"/> when there is none.
    /// </summary>
    public JsonElement Value { get; }

    /// <summary><see cref="Value"/> as JSON text.</summary>
    public string ValueJson => Value.GetRawText();

    /// <summary>What the script printed to standard output (<c>console.log</c>, <c>print</c>).</summary>
    public string Stdout { get; }

    /// <summary>What the script printed to standard error (<c>console.error</c>, <c>warn</c>, <c>sys.stderr</c>).</summary>
    public string Stderr { get; }

    /// <summary>Whether <see cref="Stdout"/> was cut at <see cref="ScriptOptions.OutputLimit"/>.</summary>
    public bool StdoutTruncated { get; }

    /// <summary>Whether <see cref="Stderr"/> was cut at <see cref="ScriptOptions.OutputLimit"/>.</summary>
    public bool StderrTruncated { get; }

    /// <summary>How long the run took inside the sandbox, tool calls included (the restore afterwards is not counted).</summary>
    public TimeSpan Duration { get; }

    /// <summary>Deserialises <see cref="Value"/> with source-generated metadata (trimming- and AOT-safe).</summary>
    public T? GetValue<T>(JsonTypeInfo<T> typeInfo) => Value.Deserialize(typeInfo);
}

/// <summary>The captured output of a run, with the truncation marker already appended.</summary>
internal sealed record ScriptOutput(string Stdout, string Stderr, bool StdoutTruncated, bool StderrTruncated);
