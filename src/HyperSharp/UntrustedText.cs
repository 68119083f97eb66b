using System.Buffers;
using System.Globalization;
using System.Text;

namespace HyperSharp;

/// <summary>
/// Makes text a guest or a file chose safe to show a person: control characters (C0, DEL, C1) and Unicode's
/// bidirectional-formatting characters become visible escapes, <c>\x1b</c> and <c>\u202e</c>, so a terminal or log
/// viewer never acts on them: no cursor moves, rewritten titles or clipboards, no hidden, overwritten or reordered
/// text, and, with line breaks escaped too, no forged log lines.
/// </summary>
public static class UntrustedText
{
    private const string BidiControls = "\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069";

    private static readonly SearchValues<char> s_unsafeKeepingLines = SearchValues.Create(UnsafeCharacters(keepLineBreaks: true));
    private static readonly SearchValues<char> s_unsafe = SearchValues.Create(UnsafeCharacters(keepLineBreaks: false));

    /// <summary>Writes <paramref name="text"/> to <paramref name="writer"/> with every unsafe character escaped.</summary>
    /// <param name="text">The untrusted text.</param>
    /// <param name="writer">Where the escaped text goes.</param>
    /// <param name="keepLineBreaks">Whether line feeds and tabs pass through (a terminal) or are escaped as well (one log line).</param>
    public static void Write(ReadOnlySpan<char> text, TextWriter writer, bool keepLineBreaks)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var unsafeCharacters = keepLineBreaks ? s_unsafeKeepingLines : s_unsafe;
        Span<char> escape = stackalloc char[6];
        while (!text.IsEmpty)
        {
            var next = text.IndexOfAny(unsafeCharacters);
            if (next < 0)
            {
                writer.Write(text);
                return;
            }

            writer.Write(text[..next]);
            writer.Write(escape[..FormatEscape(text[next], escape)]);
            text = text[(next + 1)..];
        }
    }

    /// <summary>
    /// Returns <paramref name="text"/> with every unsafe character, line breaks included, escaped, cut after
    /// <paramref name="maxLength"/> characters of input with a note of how many more there were.
    /// </summary>
    /// <param name="text">The untrusted text.</param>
    /// <param name="maxLength">The most characters of <paramref name="text"/> kept.</param>
    public static string Escape(ReadOnlySpan<char> text, int maxLength = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var kept = text.Length <= maxLength ? text : text[..maxLength];
        if (kept.IndexOfAny(s_unsafe) < 0 && kept.Length == text.Length)
        {
            return kept.ToString();
        }

        using var writer = new StringWriter(new StringBuilder(kept.Length + 16), CultureInfo.InvariantCulture);
        Write(kept, writer, keepLineBreaks: false);
        if (kept.Length < text.Length)
        {
            writer.Write($"… ({text.Length - kept.Length} more characters)");
        }

        return writer.ToString();
    }

    private static int FormatEscape(char c, Span<char> destination)
    {
        var written = c <= 0xFF
            ? destination.TryWrite(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}", out var length)
            : destination.TryWrite(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}", out length);
        return written ? length : throw new InvalidOperationException("An escape is at most six characters.");
    }

    /// <summary>C0 (but line feed and tab when <paramref name="keepLineBreaks"/>), DEL, C1, and the bidi marks, embeddings, overrides and isolates.</summary>
    private static string UnsafeCharacters(bool keepLineBreaks)
    {
        var characters = new StringBuilder();
        for (var c = '\0'; c <= '\u009F'; c++)
        {
            if (char.IsControl(c) && !(keepLineBreaks && c is '\n' or '\t'))
            {
                characters.Append(c);
            }
        }

        return characters.Append(BidiControls).ToString();
    }
}
