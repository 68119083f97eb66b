using Xunit;

namespace HyperSharp.Scripting.Tests;

/// <summary>
/// A pool of interpreters serves concurrent callers, each run meeting a fresh interpreter, a session lasting one lease,
/// tools per pool or per lease, and failures that never reach the next renter.
/// </summary>
public sealed class ScriptPoolTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ScriptSandboxPool Open(ScriptLanguage language, ScriptOptions? options = null, ScriptTools? tools = null, int maxSize = 2)
    {
        Interpreters.Require(language);
        return ScriptSandboxPool.Create(language, options, tools, new SandboxPoolOptions { Name = $"scripts-{language}", MaxSize = maxSize, MinIdle = maxSize });
    }

    public static TheoryData<ScriptLanguage> Languages => [ScriptLanguage.JavaScript, ScriptLanguage.Python, ScriptLanguage.Lua];

    private static readonly Snippets s_leaveAndRead = new(
        "var seen = globalThis.mark; globalThis.mark = 'left'; seen === undefined ? 'fresh' : seen",
        "seen = globals().get('mark', 'fresh')\nmark = 'left'\nseen",
        "local seen = mark or 'fresh'; mark = 'left'; return seen");

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task ConcurrentCallersEachMeetAFreshInterpreter(ScriptLanguage language)
    {
        using var pool = Open(language);
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal("\"fresh\"", (await pool.RunAsync(s_leaveAndRead.For(language), Token)).ValueJson);
            }
        }, Token));
        await Task.WhenAll(callers);
        Assert.InRange(pool.Sandboxes.Created, 1, 2);
        Assert.Equal(0, pool.Sandboxes.Rented);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task ASessionLastsOneLease(ScriptLanguage language)
    {
        using var pool = Open(language, ScriptOptions.Default with { SessionMode = true }, maxSize: 1);
        await using (var lease = await pool.RentAsync(Token))
        {
            Assert.Equal("\"fresh\"", (await lease.RunAsync(s_leaveAndRead.For(language), Token)).ValueJson);
            Assert.Equal("\"left\"", (await lease.RunAsync(s_leaveAndRead.For(language), Token)).ValueJson);
            lease.Reset();
            Assert.Equal("\"fresh\"", lease.Run(s_leaveAndRead.For(language), Token).ValueJson);
        }

        await using (var next = await pool.RentAsync(Token))
        {
            Assert.Equal("\"fresh\"", (await next.RunAsync(s_leaveAndRead.For(language), Token)).ValueJson);
        }
    }

    [Fact]
    public async Task ALeaseCanCarryItsOwnTools()
    {
        var shared = new ScriptTools();
        shared.Add("who", _ => "everyone", ToolJson.Default.String);
        using var pool = Open(ScriptLanguage.JavaScript, tools: shared);

        await using var mine = await pool.RentAsync(Token);
        var own = new ScriptTools();
        own.Add("who", _ => "alice", ToolJson.Default.String);
        mine.Tools = own;
        await using var theirs = await pool.RentAsync(Token);

        Assert.Equal("\"alice\"", (await mine.RunAsync("tools.who()", Token)).ValueJson);
        Assert.Equal("\"everyone\"", (await theirs.RunAsync("tools.who()", Token)).ValueJson);
    }

    [Fact]
    public async Task RunsHappenOffTheThreadPool()
    {
        var tools = new ScriptTools();
        tools.Add("onThreadPool", _ => Thread.CurrentThread.IsThreadPoolThread, ToolJson.Default.Boolean);
        using var pool = Open(ScriptLanguage.Lua, tools: tools);
        Assert.Equal("false", (await pool.RunAsync("return tools.onThreadPool()", Token)).ValueJson);
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public async Task TimeoutsAndErrorsLeaveThePoolServing(ScriptLanguage language)
    {
        using var pool = Open(language, ScriptOptions.Default with { TimeLimit = TimeSpan.FromMilliseconds(200) }, maxSize: 1);
        var loop = new Snippets("for (;;) {}", "while True:\n    pass", "while true do end").For(language);
        var error = new Snippets("null.x", "None.x", "error('boom')").For(language);

        await Assert.ThrowsAsync<ScriptTimeoutException>(() => pool.RunAsync(loop, Token));
        await Assert.ThrowsAsync<ScriptException>(() => pool.RunAsync(error, Token));
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.RunAsync(loop, cancel.Token));
        }

        Assert.Equal("\"fresh\"", (await pool.RunAsync(s_leaveAndRead.For(language), Token)).ValueJson);
        Assert.Equal(1, pool.Sandboxes.Count);
    }

    [Fact]
    public async Task OversizedSourceIsRefusedBeforeAnythingIsRented()
    {
        using var pool = Open(ScriptLanguage.JavaScript, ScriptOptions.Default with { MaxSourceSize = 1024 }, maxSize: 1);
        await using var held = await pool.RentAsync(Token);
        var failure = await Assert.ThrowsAsync<ScriptException>(() => pool.RunAsync(new string('1', 2000), Token));
        Assert.Equal("SourceTooLarge", failure.ErrorType);
    }
}
