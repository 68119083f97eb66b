using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary>What the CLI prints never carries a raw control or bidi character: guests and snapshot files choose much of it.</summary>
public sealed class TerminalWriterTests
{
    [Fact]
    public void ControlAndBidiCharactersBecomeVisibleEscapes()
    {
        using var inner = new StringWriter();
        using var writer = new TerminalWriter(inner);
        writer.Write("a\u001b[2Jb\n\tc\r\u0000\u007f\u009b\u202eü😀");
        writer.Write('\u0007');
        writer.Write(['x', '\u0008']);
        Assert.Equal("a\\x1b[2Jb\n\tc\\x0d\\x00\\x7f\\x9b\\u202eü😀\\x07x\\x08", inner.ToString());
    }

    [Fact]
    public void GuestTextIsEscapedInPrintsResultsAndErrors()
    {
        Cli.RequireKvm();
        const string Hostile = "\u001b]0;owned\u0007\u001b[2J\r";
        var printed = Cli.RunGuest("Print", Hostile).Succeeded();
        Assert.Equal("\\x1b]0;owned\\x07\\x1b[2J\\x0d\n15\n", printed);
        Assert.Equal("\\x1b]0;owned\\x07\\x1b[2J\\x0d\n", Cli.RunGuest("Echo", Hostile).Succeeded());
        var error = Cli.RunGuest("AbortWithMessage", "3", Hostile).Failed(ExitCodes.GuestFailure);
        Assert.Contains("\\x1b]0;owned\\x07", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error);
    }

    [Fact]
    public void TheGuestsStandardErrorIsEscapedAndGoesToStandardError()
    {
        Cli.RequireKvm();
        const string Hostile = "\u001b]0;owned\u0007";
        var result = Cli.Run("run", Cli.GuestPath("libcguest.elf"), "Print", "out", Hostile);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("out", result.Stdout);
        Assert.Equal("\\x1b]0;owned\\x07", result.Stderr);
    }
}
