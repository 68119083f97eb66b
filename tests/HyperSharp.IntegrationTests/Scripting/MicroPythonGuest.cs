using System.Text.Json;

namespace HyperSharp.IntegrationTests.Scripting;

/// <summary>
/// micropython.elf driven through the script protocol (guest/runtimes/common/script.h) as the script API drives it:
/// <c>Configure</c> once with the options JSON, then <c>Run</c> per script, whose JSON document is parsed here.
/// </summary>
public sealed class MicroPythonGuest : IDisposable
{
    /// <summary>A heap for the default 16 MiB Python heap plus the output and the result; a 1 MiB stack.</summary>
    public static SandboxOptions DefaultOptions { get; } = new()
    {
        HeapSize = 32UL << 20,
        StackSize = 1UL << 20,
        InputBufferSize = 1UL << 20,
        OutputBufferSize = 1UL << 20,
    };

    /// <summary>Creates the sandbox and configures the interpreter. <paramref name="tool"/> serves <c>tools.name(...)</c>:
    /// (name, JSON array of arguments) → JSON result; what it throws reaches the script as <c>tools.ToolError</c>.</summary>
    public MicroPythonGuest(string options = """{"memoryLimit":16777216}""", Func<string, string, string>? tool = null, SandboxOptions? sandboxOptions = null)
    {
        var host = new HostFunctions();
        host.Define("HostTool", tool ?? ((name, _) => throw new InvalidOperationException($"there is no tool '{name}'")));
        Sandbox = Sandbox.Create(Guests.MicroPython, host, sandboxOptions ?? DefaultOptions);
        Sandbox.Call("Configure", options);
    }

    public Sandbox Sandbox { get; }

    public ScriptResult Run(string source) => ScriptResult.Parse(Sandbox.Call<string>("Run", source));

    /// <summary>Runs a script that must succeed and returns its value.</summary>
    public JsonElement Value(string source)
    {
        var result = Run(source);
        return result.Error is null ? result.Value : throw new InvalidOperationException($"the script failed: {result.Error}");
    }

    /// <summary>Runs a script that must fail and returns its error.</summary>
    public ScriptError Error(string source) =>
        Run(source).Error ?? throw new InvalidOperationException("the script succeeded");

    public void Dispose() => Sandbox.Dispose();
}

/// <summary>Run's JSON document: the value or the error, and the captured output.</summary>
public sealed record ScriptResult(JsonElement Value, ScriptError? Error, string Stdout, string Stderr, bool StdoutTruncated, bool StderrTruncated)
{
    public static ScriptResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        ScriptError? error = null;
        if (root.TryGetProperty("error", out var e))
        {
            var line = e.GetProperty("line");
            error = new ScriptError(
                e.GetProperty("type").GetString()!,
                e.GetProperty("message").GetString()!,
                line.ValueKind == JsonValueKind.Null ? null : line.GetInt32(),
                e.GetProperty("stack").GetString()!);
        }

        return new ScriptResult(
            root.TryGetProperty("value", out var value) ? value.Clone() : default,
            error,
            root.GetProperty("stdout").GetString()!,
            root.GetProperty("stderr").GetString()!,
            root.GetProperty("stdoutTruncated").GetBoolean(),
            root.GetProperty("stderrTruncated").GetBoolean());
    }
}

public sealed record ScriptError(string Type, string Message, int? Line, string Stack);
