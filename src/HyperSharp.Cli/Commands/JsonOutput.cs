using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace HyperSharp.Cli.Commands;

/// <summary>
/// The <c>--json</c> option of the commands that describe something (<c>info</c>, <c>snapshot ls</c>,
/// <c>snapshot inspect</c>) and the writer behind it: one indented JSON document on stdout, for scripts and probes.
/// Written with <see cref="Utf8JsonWriter"/>, which needs no reflection (the CLI is AOT-compiled). The relaxed encoder
/// keeps text readable (a version's <c>+</c>, non-ASCII names) and still escapes every control character; the
/// terminal writer then shows bidirectional-formatting characters as <c>\u202e</c>, which JSON reads back unchanged.
/// </summary>
internal static class JsonOutput
{
    /// <summary>A new <c>--json</c> option (an option belongs to one command).</summary>
    public static Option<bool> CreateOption() => new("--json") { Description = "Prints one JSON document instead of text, for scripts." };

    /// <summary>Writes the document <paramref name="write"/> produces, then a line break.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
