using System.Buffers;
using System.Globalization;
using System.Text;

namespace HyperSharp.Cli;

/// <summary>
/// Everything the CLI prints passes through here, because much of it is text a guest or a snapshot file chose: host
/// prints, string results, guest error and abort texts, function names, tags and annotations. Control characters other
/// than line feed and tab (C0, DEL, C1) and the bidirectional-formatting characters are written as visible escapes,
/// <c>\x1b</c> and <c>\u202e</c>, so a terminal never acts on them: no cursor moves, no rewritten title or clipboard, no
/// hidden, overwritten or reordered text.
/// </summary>
internal sealed class TerminalWriter(TextWriter inner) : TextWriter(CultureInfo.InvariantCulture)
{
    private static readonly SearchValues<char> s_unsafe = SearchValues.Create(UnsafeCharacters());

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Write([value]);

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var next = buffer.IndexOfAny(s_unsafe);
            if (next < 0)
            {
                inner.Write(buffer);
                return;
            }

            inner.Write(buffer[..next]);
            var c = buffer[next];
            inner.Write(c <= 0xFF ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
            buffer = buffer[(next + 1)..];
        }
    }

    public override void Flush() => inner.Flush();

    /// <summary>C0 but line feed and tab, DEL, C1, and the marks, embeddings, overrides and isolates of Unicode's bidi algorithm.</summary>
    private static string UnsafeCharacters()
    {
        var characters = new StringBuilder();
        for (var c = '\0'; c <= '\u009F'; c++)
        {
            if (char.IsControl(c) && c is not '\n' and not '\t')
            {
                characters.Append(c);
            }
        }

        return characters.Append("\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069").ToString();
    }
}
