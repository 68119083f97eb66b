using HyperSharp.Scripting;
using Xunit;

namespace HyperSharp.Cli.Tests;

/// <summary><c>hypersharp js|python|lua</c>: output, the value, exit codes, stdin and files, as a user runs them.</summary>
public sealed class ScriptCommandTests
{
    private static void Require(ScriptLanguage language)
    {
        Cli.RequireKvm();
        Assert.SkipUnless(ScriptSandbox.IsAvailable(language), $"the {language} interpreter guest is not built");
    }

    [Fact]
    public void JavaScriptPrintsItsOutputThenItsValue()
    {
        Require(ScriptLanguage.JavaScript);
        Assert.Equal("hi\n42\n", Cli.Run("js", "-e", "console.log('hi'); 6 * 7").Succeeded());
        Assert.Equal("no newline\n\"v\"\n", Cli.Run("js", "-e", "print('no newline'); 'v'").Succeeded());
        Assert.Equal("", Cli.Run("js", "-e", "undefined").Succeeded());
    }

    [Fact]
    public void StderrGoesToStderrAndEscapesAreShownSafely()
    {
        Require(ScriptLanguage.JavaScript);
        var result = Cli.Run("js", "-e", "console.error('\\x1b[31mred'); null");
        Assert.Equal((ExitCodes.Success, "", "\\x1b[31mred\n"), (result.ExitCode, result.Stdout, result.Stderr));
    }

    [Fact]
    public void LuaRunsAFileAndStandardInput()
    {
        Require(ScriptLanguage.Lua);
        var file = Path.Combine(Path.GetTempPath(), $"hypersharp-{Guid.NewGuid():N}.lua");
        File.WriteAllText(file, "print('from a file')\nreturn { answer = 42 }\n");
        try
        {
            Assert.Equal("from a file\n{\"answer\":42}\n", Cli.Run("lua", file).Succeeded());
        }
        finally
        {
            File.Delete(file);
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Success, Program.Run(["lua", "-"], stdout, stderr, new StringReader("return 1 + 1")));
        Assert.Equal("2\n", stdout.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void AScriptErrorIsExitCode3WithTypeMessageAndLine()
    {
        Require(ScriptLanguage.JavaScript);
        var result = Cli.Run("js", "-e", "console.log('partial');\nnull.x");
        Assert.Equal("partial\n", result.Stdout);
        Assert.Equal("error: ScriptException: TypeError: cannot read property 'x' of null (line 2)\n", result.Failed(ExitCodes.GuestFailure));
    }

    [Fact]
    public void TheTimeoutIsExitCode8()
    {
        Require(ScriptLanguage.Lua);
        Assert.Contains("time limit of 100 ms", Cli.Run("lua", "--timeout", "100", "-e", "while true do end").Failed(ExitCodes.TimedOut), StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryIsLimitedByTheMemoryOption()
    {
        Require(ScriptLanguage.Lua);
        Assert.Contains("MemoryError: not enough memory",
            Cli.Run("lua", "--memory", "8M", "-e", "local t = {} for i = 1, 1e8 do t[i] = i end").Failed(ExitCodes.GuestFailure), StringComparison.Ordinal);
        Assert.Contains("--memory", Cli.Run("lua", "--memory", "lots", "-e", "return 1").Failed(ExitCodes.Usage), StringComparison.Ordinal);
        Assert.Contains("--memory", Cli.Run("lua", "--memory", "16K", "-e", "return 1").Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("js")]
    [InlineData("python")]
    [InlineData("lua")]
    public void TheScriptComesFromAFileOrTheFlagNotBoth(string command)
    {
        var flag = command == "python" ? "-c" : "-e";
        Assert.Contains("not both or neither", Cli.Run(command).Failed(ExitCodes.Usage), StringComparison.Ordinal);
        Assert.Contains("not both or neither", Cli.Run(command, "file.txt", flag, "1").Failed(ExitCodes.Usage), StringComparison.Ordinal);
        Assert.Contains("does not exist", Cli.Run(command, "/nonexistent/script").Failed(ExitCodes.Usage), StringComparison.Ordinal);
        Assert.Contains("is a directory", Cli.Run(command, "/").Failed(ExitCodes.Usage), StringComparison.Ordinal);
    }

    [Fact]
    public void PythonRunsWhenItsInterpreterIsInstalled()
    {
        Require(ScriptLanguage.Python);
        Assert.Equal("hi\n3\n", Cli.Run("python", "-c", "print('hi')\n1 + 2").Succeeded());
    }
}
