using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>
/// Every run starts from the freshly initialised interpreter: what one run changes (globals, built-in prototypes and
/// modules, random state, queued jobs) is gone in the next. Each test first proves the change took effect inside its
/// run, so a test cannot pass by a change that never happened.
/// </summary>
public sealed class IsolationTests
{
    public static TheoryData<ScriptLanguage> Languages => [ScriptLanguage.JavaScript, ScriptLanguage.Python, ScriptLanguage.Lua];

    [Theory]
    [MemberData(nameof(Languages))]
    public void GlobalsDoNotLeakIntoTheNextRun(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language);
        var set = new Snippets("globalThis.leak = 41; leak + 1", "leak = 41\nleak + 1", "leak = 41 return leak + 1");
        var read = new Snippets("typeof leak", "'leak' not in globals()", "return leak == nil");
        Assert.Equal("42", sandbox.Execute(set.For(language)).ValueJson);
        Assert.Equal(language == ScriptLanguage.JavaScript ? "\"undefined\"" : "true", sandbox.Execute(read.For(language)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void ChangedBuiltInsDoNotLeakIntoTheNextRun(ScriptLanguage language)
    {
        using var sandbox = Interpreters.Open(language);
        var change = new Snippets(
            "Array.prototype.sum = function () { return 0; }; Object.prototype.polluted = 1; JSON.parse = () => 'hacked'; [[1].sum(), ({}).polluted, JSON.parse('1')]",
            "import json\nlen = lambda v: -1\n_dumps = json.dumps\n[_dumps(1), len([1])]",
            "string.upper = function() return 'hacked' end math.pi = 3 return { ('a'):upper(), math.pi }");
        var check = new Snippets(
            "[typeof [].sum, ({}).polluted === undefined, JSON.parse('1')]",
            "import json\n[json.dumps(1), len([1]), '_dumps' in globals()]",
            "return { ('a'):upper(), math.pi == 3 }");
        var expected = new Snippets("""["undefined",true,1]""", """["1",1,false]""", """["A",false]""");
        var changed = new Snippets("""[0,1,"hacked"]""", """["1",-1]""", """["hacked",3]""");
        Assert.Equal(changed.For(language), sandbox.Execute(change.For(language)).ValueJson);
        Assert.Equal(expected.For(language), sandbox.Execute(check.For(language)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void RandomNumbersNeverRepeatAcrossRunsOrSandboxes(ScriptLanguage language)
    {
        using var first = Interpreters.Open(language);
        using var second = ScriptSandbox.Create(language);
        // Seeding where the language allows it must not carry over either.
        var draw = new Snippets(
            "Array.from({ length: 4 }, () => Math.random())",
            "import random\n[random.getrandbits(30) for _ in range(4)]",
            "local t = {} for i = 1, 4 do t[i] = math.random(1, 1 << 40) end return t");
        var seed = new Snippets("0", "import random\nrandom.seed(1)", "math.randomseed(1)");
        var runs = new HashSet<string>(StringComparer.Ordinal) { first.Execute(draw.For(language)).ValueJson };
        first.Execute(seed.For(language));
        Assert.True(runs.Add(first.Execute(draw.For(language)).ValueJson), "the second run repeated the first run's numbers");
        Assert.True(runs.Add(first.Execute(draw.For(language)).ValueJson), "the third run repeated an earlier run's numbers");
        Assert.True(runs.Add(second.Execute(draw.For(language)).ValueJson), "a second sandbox repeated the first one's numbers");
    }

    [Fact]
    public void JobsQueuedByOneRunDoNotRunInTheNext()
    {
        using var js = Interpreters.Open(ScriptLanguage.JavaScript);
        var queued = js.Execute("""
            globalThis.order = [];
            Promise.resolve().then(() => order.push('job'));
            order.push('sync');
            order
            """);
        // The jobs ran within the run, before its value was serialised.
        Assert.Equal("""["sync","job"]""", queued.ValueJson);
        Assert.Equal("\"undefined\"", js.Execute("typeof order").ValueJson);
    }

    [Fact]
    public void SessionModeKeepsStateUntilReset()
    {
        using var js = Interpreters.Open(ScriptLanguage.JavaScript, ScriptOptions.Default with { SessionMode = true });
        js.Execute("var counter = 40; let lexical = 'kept'; class Kept {}");
        Assert.Equal("41", js.Execute("++counter").ValueJson);
        Assert.Equal("""["kept","function"]""", js.Execute("[lexical, typeof Kept]").ValueJson);
        Assert.Equal("TypeError", Assert.Throws<ScriptException>(() => js.Execute("null.x")).ErrorType);
        Assert.Equal("42", js.Execute("++counter").ValueJson); // a script error does not end the session
        js.Reset();
        Assert.Equal("\"undefined\"", js.Execute("typeof counter").ValueJson);
    }

    [Fact]
    public void ATimeoutEndsASessionAndTheSandboxStartsAfresh()
    {
        using var lua = Interpreters.Open(ScriptLanguage.Lua, ScriptOptions.Default with { SessionMode = true, TimeLimit = TimeSpan.FromMilliseconds(200) });
        lua.Execute("kept = 1");
        Assert.Equal("1", lua.Execute("return kept").ValueJson);
        Assert.Throws<ScriptTimeoutException>(() => lua.Execute("while true do end"));
        Assert.Equal("true", lua.Execute("return kept == nil").ValueJson);
    }

    [Fact]
    public void ResetIsHarmlessWithoutSessionMode()
    {
        using var lua = Interpreters.Open(ScriptLanguage.Lua);
        lua.Reset();
        Assert.Equal("2", lua.Execute("return 1 + 1").ValueJson);
    }
}
