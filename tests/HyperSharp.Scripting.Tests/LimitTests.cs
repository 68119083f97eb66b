using System.Diagnostics;
using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>
/// Hostile scripts in every language: each limit ends the run in a typed, script-level error, the host carries on,
/// and the very same sandbox runs the next script normally.
/// </summary>
public sealed class LimitTests
{
    public static TheoryData<ScriptLanguage> Languages => IsolationTests.Languages;

    private static readonly Snippets s_onePlusOne = new("1 + 1", "1 + 1", "return 1 + 1");

    private static void AssertStillWorks(ScriptSandbox sandbox) => Assert.Equal("2", sandbox.Execute(s_onePlusOne.For(sandbox.Language)).ValueJson);

    [Theory]
    [MemberData(nameof(Languages))]
    public void AnInfiniteLoopIsStoppedByTheTimeLimit(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { TimeLimit = TimeSpan.FromMilliseconds(200) });
        var start = Stopwatch.GetTimestamp();
        var e = Assert.Throws<ScriptTimeoutException>(() => sandbox.Execute(new Snippets("for (;;) {}", "while True:\n    pass", "while true do end").For(language)));
        Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(30), "the loop was not stopped near its time limit");
        Assert.Equal(TimeSpan.FromMilliseconds(200), e.TimeLimit);
        AssertStillWorks(sandbox);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task CancellationStopsARunAndTheSandboxCarriesOn(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { TimeLimit = null });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var loop = new Snippets("while (true) {}", "while True:\n    pass", "while true do end").For(language);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.RunAsync(loop, cancellation.Token));
        Assert.Equal("2", (await sandbox.RunAsync(s_onePlusOne.For(language), TestContext.Current.CancellationToken)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void AMemoryBombIsTheLanguagesOutOfMemoryError(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { MemoryLimit = 16UL << 20 });
        var bomb = new Snippets(
            "const hoard = []; for (;;) hoard.push(new Array(100000).fill(hoard.length));",
            "hoard = []\nwhile True:\n    hoard.append(bytearray(100000))",
            "local hoard = {} while true do hoard[#hoard + 1] = string.rep('x', 100000) .. #hoard end");
        var e = Assert.Throws<ScriptException>(() => sandbox.Execute(bomb.For(language)));
        var expected = new Snippets("InternalError: out of memory", "MemoryError: ", "MemoryError: not enough memory").For(language);
        Assert.StartsWith(expected, $"{e.ErrorType}: {e.ScriptMessage}", StringComparison.Ordinal);
        AssertStillWorks(sandbox);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void DeepRecursionIsTheLanguagesStackOverflowError(ScriptLanguage language)
    {
        // Enough memory that the interpreter's own recursion limit comes first.
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { MemoryLimit = 256UL << 20 });
        var recursion = new Snippets(
            "function down(n) { return down(n + 1) + 1; }\ndown(0)",
            "def down(n):\n    return down(n + 1) + 1\ndown(0)",
            "local function down(n) return down(n + 1) + 1 end\nreturn down(0)");
        var e = Assert.Throws<ScriptException>(() => sandbox.Execute(recursion.For(language)));
        var expected = new Snippets("InternalError: stack overflow", "RuntimeError: maximum recursion depth exceeded", "RuntimeError: stack overflow").For(language);
        Assert.StartsWith(expected, $"{e.ErrorType}: {e.ScriptMessage}", StringComparison.Ordinal);
        AssertStillWorks(sandbox);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void HugeOutputIsCutAtTheLimitWithAMarker(ScriptLanguage language)
    {
        const int limit = 64 << 10;
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { OutputLimit = limit });
        var flood = new Snippets(
            "for (let i = 0; i < 1e6; i++) { console.log('line ' + i); console.error('é'.repeat(50)); } 'done'",
            "import sys\nfor i in range(1000000):\n    print('line', i)\n    sys.stderr.write('é' * 50 + '\\n')\n'done'",
            "for i = 1, 1e6 do print('line ' .. i) warn(('é'):rep(50)) end return 'done'");
        var result = sandbox.Execute(flood.For(language));
        Assert.Equal("\"done\"", result.ValueJson);
        Assert.True(result.StdoutTruncated && result.StderrTruncated);
        Assert.EndsWith(ScriptResult.TruncationMarker, result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(ScriptResult.TruncationMarker, result.Stderr, StringComparison.Ordinal);
        var kept = result.Stderr[..^ScriptResult.TruncationMarker.Length];
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(kept), limit - 200, limit + 1);
        Assert.DoesNotContain('\uFFFD', kept); // cut at a UTF-8 boundary
        AssertStillWorks(sandbox);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void HugeSourceIsRefusedBeforeAnythingRuns(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language);
        var huge = new string(' ', ScriptOptions.Default.MaxSourceSize) + s_onePlusOne.For(language);
        var e = Assert.Throws<ScriptException>(() => sandbox.Execute(huge));
        Assert.Equal("SourceTooLarge", e.ErrorType);
        Assert.Equal("2", sandbox.Execute(huge[^20..].Trim()).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void AValueTooLargeToReturnIsAScriptError(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, ScriptOptions.Default with { MemoryLimit = 256UL << 20 });
        var huge = new Snippets("'x'.repeat(40 << 20)", "'x' * (40 << 20)", "return ('x'):rep(40 << 20)");
        Assert.Equal("ResultTooLarge", Assert.Throws<ScriptException>(() => sandbox.Execute(huge.For(language))).ErrorType);
        AssertStillWorks(sandbox);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void FilesNetworkAndProcessesAreOutOfReach(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language);
        var probe = new Snippets(
            "[typeof std, typeof os, typeof require, typeof process, typeof fetch, typeof XMLHttpRequest, typeof WebSocket, typeof Deno, typeof Bun]",
            "def blocked(action):\n    try:\n        action()\n        return False\n    except Exception:\n        return True\n"
                + "[blocked(lambda: open('/etc/passwd').read()), blocked(lambda: __import__('socket')), blocked(lambda: __import__('subprocess')), blocked(lambda: __import__('os').listdir('/'))]",
            "return { io == nil, require == nil, package == nil, dofile == nil, loadfile == nil, debug == nil, os.execute == nil, os.exit == nil, os.getenv == nil, os.remove == nil, os.rename == nil, os.tmpname == nil }");
        var expected = new Snippets(
            """["undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined"]""",
            "[true,true,true,true]",
            "[true,true,true,true,true,true,true,true,true,true,true,true]");
        Assert.Equal(expected.For(language), sandbox.Execute(probe.For(language)).ValueJson);
    }

    [Fact]
    public void JavaScriptModulesCannotBeImported()
    {
        using var js = Interpreters.Open(ScriptLanguage.JavaScript);
        var e = Assert.Throws<ScriptException>(() => js.Execute("await import('std')"));
        Assert.Contains("std", e.ScriptMessage, StringComparison.Ordinal);
        Assert.Equal("SyntaxError", Assert.Throws<ScriptException>(() => js.Execute("import * as os from 'os';")).ErrorType);
    }
}
