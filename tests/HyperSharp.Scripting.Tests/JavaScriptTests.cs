using System.Text.Json;
using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>JavaScript on QuickJS: values, output, promises and errors as the script API reports them.</summary>
public sealed class JavaScriptTests
{
    private static ScriptSandbox Open(ScriptOptions? options = null) => Interpreters.Open(ScriptLanguage.JavaScript, options);

    [Fact]
    public void TheCompletionValueComesBackAsJson()
    {
        using var js = Open();
        Assert.Equal("42", js.Execute("40 + 2").ValueJson);
        Assert.Equal("""{"a":[1,"two",null],"b":true}""", js.Execute("({ a: [1, 'two', null], b: true })").ValueJson);
        Assert.Equal(JsonValueKind.Null, js.Execute("let unused = 1;").Value.ValueKind);
        Assert.Equal("null", js.Execute("undefined").ValueJson);
        Assert.Equal("null", js.Execute("(function () {})").ValueJson);
        Assert.Equal("\"x\"", js.Execute("if (true) { 'x' } else { 'y' }").ValueJson);
    }

    [Fact]
    public void ModernJavaScriptRuns()
    {
        using var js = Open();
        const string code = """
            class Counter { #n = 0; inc() { return ++this.#n; } static of(n) { const c = new Counter(); while (n--) c.inc(); return c; } }
            const square = (x) => x ** 2;
            const { a, ...rest } = { a: 1, b: 2, c: 3 };
            const big = 2n ** 100n;
            const m = new Map([['k', 1]]); const s = new Set([1, 1, 2]);
            const re = /(?<year>\d{4})-(?<month>\d{2})/u.exec('on 2026-12-06');
            [Counter.of(3).inc(), square(7), rest, big.toString(), m.get('k'), s.size, re.groups.year, [3, 1, 2].toSorted(),
             [1, 2, 3].findLast((x) => x < 3), Object.hasOwn(rest, 'b'), 'abc'.at(-1)]
            """;
        Assert.Equal("""[4,49,{"b":2,"c":3},"1267650600228229401496703205376",1,2,"2026",[1,2,3],2,true,"c"]""",
            js.Execute(code).ValueJson);
    }

    [Fact]
    public void PromisesAreAwaitedAndPendingJobsRun()
    {
        using var js = Open();
        Assert.Equal("5", js.Execute("(async () => 5)()").ValueJson);
        Assert.Equal("6", js.Execute("const v = await new Promise((resolve) => resolve(3)); v * 2").ValueJson);
        var drained = js.Execute("Promise.resolve().then(() => console.log('job ran')); 'sync value'");
        Assert.Equal("\"sync value\"", drained.ValueJson);
        Assert.Equal("job ran\n", drained.Stdout);
        var never = Assert.Throws<ScriptException>(() => js.Execute("await new Promise(() => {})"));
        Assert.Equal("TypeError", never.ErrorType);
        Assert.Contains("never settle", never.ScriptMessage, StringComparison.Ordinal);
        var rejected = Assert.Throws<ScriptException>(() => js.Execute("\nawait Promise.reject(new RangeError('no'))"));
        Assert.Equal(("RangeError", "no", 2), (rejected.ErrorType, rejected.ScriptMessage, rejected.Line));
    }

    [Fact]
    public void ConsoleWritesToTheCapturedStreams()
    {
        using var js = Open();
        var result = js.Execute("console.log('a', 1, { b: [2] }, null, undefined, 3n); print('p'); console.error('oops'); console.warn('careful')");
        Assert.Equal("a 1 {\"b\":[2]} null undefined 3n\np\n", result.Stdout);
        Assert.Equal("oops\ncareful\n", result.Stderr);
        Assert.False(result.StdoutTruncated || result.StderrTruncated);
    }

    [Fact]
    public void ErrorsCarryTypeMessageLineAndStack()
    {
        using var js = Open();
        var thrown = Assert.Throws<ScriptException>(() => js.Execute("console.log('before');\nfunction f() {\n  return null.x;\n}\nf();"));
        Assert.Equal(ScriptLanguage.JavaScript, thrown.Language);
        Assert.Equal("TypeError", thrown.ErrorType);
        Assert.Equal("cannot read property 'x' of null", thrown.ScriptMessage);
        Assert.Equal(3, thrown.Line);
        Assert.Contains("at f (script:3", thrown.ScriptStack, StringComparison.Ordinal);
        Assert.Equal("before\n", thrown.Stdout);

        var syntax = Assert.Throws<ScriptException>(() => js.Execute("let a = 1;\nlet b = ;"));
        Assert.Equal(("SyntaxError", 2), (syntax.ErrorType, syntax.Line));

        // The line is where the error object was made: here, inside the constructor on line 1.
        var custom = Assert.Throws<ScriptException>(() => js.Execute("class MyError extends Error { constructor() { super('mine'); this.name = 'MyError'; } }\nthrow new MyError()"));
        Assert.Equal(("MyError", "mine", 1), (custom.ErrorType, custom.ScriptMessage, custom.Line));

        var notAnError = Assert.Throws<ScriptException>(() => js.Execute("throw 'just a string'"));
        Assert.Equal(("Error", "just a string", (int?)null), (notAnError.ErrorType, notAnError.ScriptMessage, notAnError.Line));
    }

    [Fact]
    public void ValuesWithoutJsonAreErrorsOfJsonStringify()
    {
        using var js = Open();
        Assert.Equal("TypeError", Assert.Throws<ScriptException>(() => js.Execute("const o = {}; o.self = o; o")).ErrorType);
        Assert.Equal("TypeError", Assert.Throws<ScriptException>(() => js.Execute("10n")).ErrorType);
        Assert.Equal("[null,null]", js.Execute("[NaN, Infinity]").ValueJson);
    }

    [Fact]
    public void DateIsTheHostsClockAndTheZoneIsUtc()
    {
        using var js = Open();
        var now = js.Execute("[Date.now(), new Date(0).getTimezoneOffset(), new Date(86400000 * 365).toISOString()]").Value;
        Assert.InRange(now[0].GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 5_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 5_000);
        Assert.Equal(0, now[1].GetInt32());
        Assert.Equal("1971-01-01T00:00:00.000Z", now[2].GetString());
    }
}
