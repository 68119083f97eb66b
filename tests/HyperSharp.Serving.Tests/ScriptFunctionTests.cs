using System.Text.Json;
using HyperSharp.AI;
using HyperSharp.Scripting;
using Microsoft.Extensions.AI;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>
/// <see cref="ScriptFunction"/> as Microsoft.Extensions.AI invokes it: a schema with one required string, and answers a
/// model can read, failures included, from a pool of interpreters.
/// </summary>
public sealed class ScriptFunctionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ScriptSandboxPool Pool(ScriptLanguage language, ScriptOptions? options = null)
    {
        Requirements.Interpreters(language);
        return ScriptSandboxPool.Create(language, options, poolOptions: new SandboxPoolOptions { MaxSize = 2, MinIdle = 1 });
    }

    [Fact]
    public void ItDescribesItselfSoAModelCanCallIt()
    {
        using var pool = Pool(ScriptLanguage.Python, ScriptOptions.Default with { TimeLimit = TimeSpan.FromSeconds(2) });
        AIFunction function = new ScriptFunction(pool);

        Assert.Equal("run_python", function.Name);
        Assert.Contains("Python", function.Description, StringComparison.Ordinal);
        Assert.Contains("at most 2 s", function.Description, StringComparison.Ordinal);
        Assert.Equal("object", function.JsonSchema.GetProperty("type").GetString());
        Assert.Equal(["code"], function.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("custom", new ScriptFunction(pool, "custom", "d").Name);
    }

    [Fact]
    public async Task ItAnswersTheValueAndOutput()
    {
        using var pool = Pool(ScriptLanguage.JavaScript);
        var answer = await Invoke(new ScriptFunction(pool), "console.log('thinking'); Math.max(3, 9)");
        Assert.Equal(9, answer.GetProperty("value").GetInt32());
        Assert.Equal("thinking\n", answer.GetProperty("stdout").GetString());
        Assert.True(answer.GetProperty("durationMs").GetDouble() > 0);
    }

    [Fact]
    public async Task ItAcceptsTheCodeAsAJsonElementAsModelsSendIt()
    {
        using var pool = Pool(ScriptLanguage.Lua);
        var arguments = new AIFunctionArguments { ["code"] = JsonDocument.Parse("\"return 2 ^ 10\"").RootElement };
        var answer = (JsonElement)(await new ScriptFunction(pool).InvokeAsync(arguments, Token))!;
        Assert.Equal(1024.0, answer.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task FailuresAreAnswersNotExceptions()
    {
        using var pool = Pool(ScriptLanguage.JavaScript, ScriptOptions.Default with { TimeLimit = TimeSpan.FromMilliseconds(200), MemoryLimit = 8 << 20 });
        var function = new ScriptFunction(pool);

        var syntax = await Invoke(function, "let = ;");
        var timeout = await Invoke(function, "while (true) {}");
        var memory = await Invoke(function, "let a = []; for (;;) a.push(new Array(1e6).fill(1));");
        var missing = (JsonElement)(await function.InvokeAsync(new AIFunctionArguments { ["program"] = "1" }, Token))!;

        Assert.Equal("SyntaxError", syntax.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, syntax.GetProperty("error").GetProperty("line").GetInt32());
        Assert.Equal(ScriptJson.TimeoutType, timeout.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("InternalError", memory.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("ArgumentError", missing.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(2, (await Invoke(function, "1 + 1")).GetProperty("value").GetInt32());
    }

    [Fact]
    public async Task CancellationByTheAgentIsACancellation()
    {
        using var pool = Pool(ScriptLanguage.JavaScript);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await new ScriptFunction(pool).InvokeAsync(new AIFunctionArguments { ["code"] = "for (;;) {}" }, cancel.Token));
    }

    private static async Task<JsonElement> Invoke(AIFunction function, string code) =>
        (JsonElement)(await function.InvokeAsync(new AIFunctionArguments { ["code"] = code }, Token))!;
}
