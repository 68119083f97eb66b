using System.Text.Json;

namespace HyperSharp.Scripting;

/// <summary>
/// Reads the document an interpreter's Run returns (guest/runtimes/common/script.h): the value and output, or the
/// error and output. The guest is untrusted, so a document that breaks the protocol is a <see cref="GuestProtocolException"/>.
/// </summary>
internal static class RunDocument
{
    /// <summary>The result of a run that succeeded.</summary>
    /// <exception cref="ScriptException">The document reports the script's error.</exception>
    /// <exception cref="GuestProtocolException">The document is not what the protocol says.</exception>
    public static ScriptResult Read(string json, ScriptLanguage language, TimeSpan duration)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var output = new ScriptOutput(
                WithMarker(root.GetProperty("stdout").GetString()!, root.GetProperty("stdoutTruncated").GetBoolean()),
                WithMarker(root.GetProperty("stderr").GetString()!, root.GetProperty("stderrTruncated").GetBoolean()),
                root.GetProperty("stdoutTruncated").GetBoolean(),
                root.GetProperty("stderrTruncated").GetBoolean());
            if (root.TryGetProperty("error", out var error))
            {
                var line = error.GetProperty("line");
                throw new ScriptException(
                    language,
                    error.GetProperty("type").GetString()!,
                    error.GetProperty("message").GetString()!,
                    line.ValueKind == JsonValueKind.Null ? null : line.GetInt32(),
                    error.GetProperty("stack").GetString()!,
                    output.Stdout,
                    output.Stderr);
            }

            return new ScriptResult(root.GetProperty("value").Clone(), output, duration);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new GuestProtocolException($"The {language} interpreter returned a document that breaks the script protocol: {e.Message}");
        }
    }

    private static string WithMarker(string text, bool truncated) =>
        !truncated ? text : text.Length == 0 || text.EndsWith('\n') ? text + ScriptResult.TruncationMarker : text + "\n" + ScriptResult.TruncationMarker;
}
