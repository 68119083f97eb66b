using System.Text.Json;
using System.Text.Json.Serialization;
using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>.NET tools called from scripts: JSON both ways, .NET exceptions as catchable script exceptions, limits.</summary>
public sealed class ToolTests
{
    public static TheoryData<ScriptLanguage> Languages => IsolationTests.Languages;

    private static ScriptTools Tools()
    {
        var tools = new ScriptTools();
        tools.Add("add", arguments => arguments[0].GetInt32() + arguments[1].GetInt32(), ToolJson.Default.Int32);
        tools.Add<Query, Forecast>("forecast", query => new Forecast(query!.City, 21.5, ["sun", "wind"]), ToolJson.Default.Query, ToolJson.Default.Forecast);
        tools.Add("fail", string (_) => throw new InvalidOperationException("the database is down"), ToolJson.Default.String);
        tools.Add("echo", arguments => arguments.Clone(), ToolJson.Default.JsonElement);
        return tools;
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void ArgumentsAndResultsCrossAsJson(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, tools: Tools());
        var code = new Snippets(
            "const f = tools.forecast({ city: 'Oslo' }); [tools.add(40, 2), f.city, f.celsius, f.sky, tools.echo('a', null, [1.5])]",
            "f = tools.forecast({'city': 'Oslo'})\n[tools.add(40, 2), f['city'], f['celsius'], f['sky'], tools.echo('a', None, [1.5])]",
            "local f = tools.forecast({ city = 'Oslo' }) return { tools.add(40, 2), f.city, f.celsius, f.sky, tools.echo('a', 0, {1.5}) }");
        var echoed = language == ScriptLanguage.Lua ? """["a",0,[1.5]]""" : """["a",null,[1.5]]""";
        Assert.Equal($$"""[42,"Oslo",21.5,["sun","wind"],{{echoed}}]""", sandbox.Execute(code.For(language)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void AToolsExceptionIsTheScriptsToCatch(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language, tools: Tools());
        var caught = new Snippets(
            "try { tools.fail(); 'not thrown' } catch (e) { `caught ${e.name}: ${e.message}` }",
            "try:\n    tools.fail()\n    r = 'not thrown'\nexcept Exception as e:\n    r = 'caught: ' + str(e)\nr",
            "local ok, message = pcall(tools.fail) return ok and 'not thrown' or ('caught: ' .. message)");
        var expected = language == ScriptLanguage.JavaScript ? "\"caught Error: the database is down\"" : "\"caught: the database is down\"";
        Assert.Equal(expected, sandbox.Execute(caught.For(language)).ValueJson);

        var uncaught = Assert.Throws<ScriptException>(() => sandbox.Execute(new Snippets("\ntools.fail()", "\ntools.fail()", "\ntools.fail()").For(language)));
        Assert.Contains("the database is down", uncaught.ScriptMessage, StringComparison.Ordinal);
        Assert.Equal(language == ScriptLanguage.Lua ? null : 2, uncaught.Line);
        Assert.Contains("there is no tool named 'missing'",
            Assert.Throws<ScriptException>(() => sandbox.Execute(new Snippets("tools.missing()", "tools.missing()", "tools.missing()").For(language))).ScriptMessage,
            StringComparison.Ordinal);
        Assert.Equal("42", sandbox.Execute(new Snippets("tools.add(40, 2)", "tools.add(40, 2)", "return tools.add(40, 2)").For(language)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void AToolResultOverTheLimitFailsInsideTheScript(ScriptLanguage language)
    {
        var tools = Tools();
        tools.Add("flood", _ => new string('x', 2 << 20), ToolJson.Default.String);
        using var sandbox = Interpreters.Open(language, tools: tools);
        var code = new Snippets(
            "try { tools.flood(); 'no error' } catch (e) { e.message }",
            "try:\n    tools.flood()\n    r = 'no error'\nexcept Exception as e:\n    r = str(e)\nr",
            "local ok, message = pcall(tools.flood) return ok and 'no error' or message");
        Assert.Contains("MaxToolResultSize", sandbox.Execute(code.For(language)).Value.GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToolsAddedLaterAreVisibleAndEachSandboxHasItsOwn()
    {
        using var first = Interpreters.Open(ScriptLanguage.JavaScript);
        using var second = ScriptSandbox.Create(ScriptLanguage.JavaScript);
        first.Tools.Add("who", _ => "first", ToolJson.Default.String);
        second.Tools.Add("who", _ => "second", ToolJson.Default.String);
        Assert.Equal("\"first\"", first.Execute("tools.who()").ValueJson);
        Assert.Equal("\"second\"", second.Execute("tools.who()").ValueJson);
    }

    [Fact]
    public void ATypedArgumentAndResultRoundTrip()
    {
        var tools = new ScriptTools();
        tools.Add<Query, Forecast>("forecast", query => new Forecast(query?.City ?? "nowhere", 3, []), ToolJson.Default.Query, ToolJson.Default.Forecast);
        using var lua = Interpreters.Open(ScriptLanguage.Lua, tools: tools);
        var result = lua.Execute("return tools.forecast({ city = 'Bergen' })");
        var forecast = result.GetValue(ToolJson.Default.Forecast);
        Assert.Equal(("Bergen", 3.0, 0), (forecast?.City, forecast?.Celsius, forecast?.Sky.Length));
        Assert.Equal("nowhere", lua.Execute("return tools.forecast().city").Value.GetString());
    }

    [Fact]
    public async Task RunAsyncRunsOffTheThreadPool()
    {
        var tools = new ScriptTools();
        tools.Add("onThreadPool", _ => Thread.CurrentThread.IsThreadPoolThread, ToolJson.Default.Boolean);
        using var js = Interpreters.Open(ScriptLanguage.JavaScript, tools: tools);
        Assert.Equal("false", (await js.RunAsync("tools.onThreadPool()", TestContext.Current.CancellationToken)).ValueJson);
    }

    [Fact]
    public async Task ASecondRunWhileOneIsUnderWayIsRefused()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var tools = new ScriptTools();
        tools.Add("block", _ =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return true;
        }, ToolJson.Default.Boolean);
        using var js = Interpreters.Open(ScriptLanguage.JavaScript, tools: tools);
        var running = js.RunAsync("tools.block()", TestContext.Current.CancellationToken);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Throws<SandboxBusyException>(() => js.Execute("1"));
        release.Set();
        Assert.Equal("true", (await running).ValueJson);
        Assert.Equal("1", js.Execute("1").ValueJson);
    }
}

public sealed record Query(string City);

public sealed record Forecast(string City, double Celsius, string[] Sky);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Query))]
[JsonSerializable(typeof(Forecast))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ToolJson : JsonSerializerContext;
