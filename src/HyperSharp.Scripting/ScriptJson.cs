using System.Text.Json;

namespace HyperSharp.Scripting;

/// <summary>
/// A run's outcome as the JSON a program or a language model reads: what the HTTP endpoints and the agent tools answer.
/// A result is <c>{"value": …, "stdout": "…", "stderr": "…", "durationMs": 1.23}</c>; a failure is
/// <c>{"error": {"type": "TypeError", "message": "…", "line": 3, "stack": "…"}, "stdout": "…", "stderr": "…"}</c>, where
/// <c>type</c> is the script's own error type, or <see cref="TimeoutType"/>, <see cref="CancelledType"/>,
/// <see cref="BusyType"/> or <see cref="InterpreterFailureType"/> for what ended the run from outside.
/// </summary>
public static class ScriptJson
{
    /// <summary>The error type of a run stopped by <see cref="ScriptOptions.TimeLimit"/>.</summary>
    public const string TimeoutType = "Timeout";

    /// <summary>The error type of a run stopped by its caller's cancellation.</summary>
    public const string CancelledType = "Cancelled";

    /// <summary>The error type of a run that found no interpreter free in time (<see cref="SandboxPoolExhaustedException"/>).</summary>
    public const string BusyType = "Busy";

    /// <summary>The error type of a run whose interpreter failed below the script (a VM fault, a protocol violation); it was restored.</summary>
    public const string InterpreterFailureType = "InterpreterFailure";

    /// <summary>Writes <paramref name="result"/> as a result object.</summary>
    public static void WriteResult(Utf8JsonWriter writer, ScriptResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.WriteStartObject();
        writer.WritePropertyName("value");
        result.Value.WriteTo(writer);
        writer.WriteString("stdout", result.Stdout);
        writer.WriteString("stderr", result.Stderr);
        writer.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 3));
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes <paramref name="failure"/> as an error object if it is one a run ends with (<see cref="ErrorType"/> is not
    /// null); returns false, writing nothing, for anything else, which is the caller's own bug to let through.
    /// </summary>
    public static bool TryWriteError(Utf8JsonWriter writer, Exception failure)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(failure);
        if (ErrorType(failure) is not { } type)
        {
            return false;
        }

        var script = failure as ScriptException;
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("type", type);
        writer.WriteString("message", script?.ScriptMessage ?? failure.Message);
        if (script?.Line is { } line)
        {
            writer.WriteNumber("line", line);
        }

        if (!string.IsNullOrEmpty(script?.ScriptStack))
        {
            writer.WriteString("stack", script.ScriptStack);
        }

        writer.WriteEndObject();
        writer.WriteString("stdout", script?.Stdout ?? "");
        writer.WriteString("stderr", script?.Stderr ?? "");
        writer.WriteEndObject();
        return true;
    }

    /// <summary>
    /// Writes <c>{"error": {"type": …, "message": …}}</c>: the error of a request that never became a run (a missing
    /// argument, a malformed body), in the shape a run's errors have, so that readers need to know one.
    /// </summary>
    public static void WriteError(Utf8JsonWriter writer, string type, string message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("type", type);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The error of <see cref="WriteError(Utf8JsonWriter, string, string)"/> as a JSON string.</summary>
    public static string SerializeError(string type, string message) => Write(writer => WriteError(writer, type, message));

    /// <summary>The <c>error.type</c> <paramref name="failure"/> is reported with, or null if a run does not end with it.</summary>
    public static string? ErrorType(Exception failure) => failure switch
    {
        ScriptException script => script.ErrorType,
        ScriptTimeoutException => TimeoutType,
        SandboxPoolExhaustedException => BusyType,
        OperationCanceledException => CancelledType,
        SandboxException => InterpreterFailureType,
        _ => null,
    };

    /// <summary>The result as a JSON string.</summary>
    public static string Serialize(ScriptResult result) => Write(writer => WriteResult(writer, result));

    /// <summary>The error as a JSON string, or null as for <see cref="TryWriteError"/>.</summary>
    public static string? SerializeError(Exception failure)
    {
        var written = false;
        var json = Write(writer => written = TryWriteError(writer, failure));
        return written ? json : null;
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        // Only what JSON requires is escaped, so texts read as written; these documents are never embedded in HTML.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
