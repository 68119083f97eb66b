using Xunit;

namespace HyperSharp.Tests;

/// <summary>Text a guest chose reaches a log as one line of visible characters, cut to length.</summary>
public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("two\nlines", "two\\x0alines")]
    [InlineData("cr\r\nlf", "cr\\x0d\\x0alf")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("\u001b[2Jclear", "\\x1b[2Jclear")]
    [InlineData("c1 \u009b csi", "c1 \\x9b csi")]
    [InlineData("del \u007f", "del \\x7f")]
    [InlineData("bidi \u202eevil\u2066", "bidi \\u202eevil\\u2066")]
    [InlineData("ünïcödé ✓", "ünïcödé ✓")]
    public void EscapeLeavesOneLineOfVisibleCharacters(string text, string expected) =>
        Assert.Equal(expected, UntrustedText.Escape(text));

    [Fact]
    public void EscapeCutsLongTextAndSaysHowMuchMoreThereWas()
    {
        Assert.Equal("abc… (7 more characters)", UntrustedText.Escape("abcdefghij", 3));
        Assert.Equal("abc", UntrustedText.Escape("abc", 3));
        Assert.Equal("\\x0a… (1 more characters)", UntrustedText.Escape("\n\n", 1));
    }

    [Fact]
    public void WriteKeepsLineBreaksForATerminalWhenAsked()
    {
        var writer = new StringWriter();
        UntrustedText.Write("a\n\tb\u001b", writer, keepLineBreaks: true);
        Assert.Equal("a\n\tb\\x1b", writer.ToString());
    }

    [Fact]
    public void ANegativeLengthIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => UntrustedText.Escape("x", -1));
}
