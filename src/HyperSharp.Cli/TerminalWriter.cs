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
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Write([value]);

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer) => UntrustedText.Write(buffer, inner, keepLineBreaks: true);

    public override void Flush() => inner.Flush();
}
