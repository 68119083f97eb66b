using System.Text.Json;
using HyperSharp.Scripting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>
/// <c>hypersharp mcp</c> driven by the official Model Context Protocol C# SDK's own client, which starts it as a child
/// process and speaks the protocol over its standard input and output.
/// </summary>
public sealed class McpServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<McpClient> Connect(params string[] arguments) => McpClient.CreateAsync(
        new StdioClientTransport(new StdioClientTransportOptions { Name = "hypersharp", Command = Requirements.Cli, Arguments = ["mcp", .. arguments] }),
        cancellationToken: Token);

    [Fact]
    public async Task ItOffersOneToolPerLanguageWithASchemaAModelCanFollow()
    {
        Requirements.Interpreters([.. Enum.GetValues<ScriptLanguage>()]);
        await using var client = await Connect("--pool-size", "1");

        var tools = await client.ListToolsAsync(cancellationToken: Token);

        Assert.Equal(["run_javascript", "run_lua", "run_python"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var tool in tools)
        {
            Assert.Contains("isolated sandbox", tool.Description!, StringComparison.Ordinal);
            Assert.Equal("string", tool.JsonSchema.GetProperty("properties").GetProperty("code").GetProperty("type").GetString());
            Assert.Equal("code", tool.JsonSchema.GetProperty("required")[0].GetString());
        }

        Assert.Equal("hypersharp", client.ServerInfo?.Name);
    }

    [Fact]
    public async Task ToolsRunCodeAndAnswerItsValueAndOutput()
    {
        Requirements.Interpreters([.. Enum.GetValues<ScriptLanguage>()]);
        await using var client = await Connect("--pool-size", "1");

        var js = await Call(client, "run_javascript", "console.log('hi'); [1, 2, 3].map(x => x * 2)");
        var python = await Call(client, "run_python", "import json\nprint(json.dumps({'a': 1}))\nsum(range(10))");
        var lua = await Call(client, "run_lua", "return ('x'):rep(3)");

        Assert.Equal(("[2,4,6]", "hi\n", false), (js.Answer.GetProperty("value").GetRawText(), js.Answer.GetProperty("stdout").GetString(), js.IsError));
        Assert.Equal(("45", "{\"a\": 1}\n"), (python.Answer.GetProperty("value").GetRawText(), python.Answer.GetProperty("stdout").GetString()));
        Assert.Equal("\"xxx\"", lua.Answer.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task FailuresAreToolErrorsTheModelCanRead()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript, ScriptLanguage.Python);
        await using var client = await Connect("--pool-size", "1", "--script-timeout", "300", "--languages", "javascript,python");

        var thrown = await Call(client, "run_javascript", "let x = 1;\nundefinedFunction(x)");
        var looping = await Call(client, "run_python", "while True:\n    pass");
        var missing = await client.CallToolAsync("run_javascript", new Dictionary<string, object?> { ["source"] = "1" }, cancellationToken: Token);

        Assert.True(thrown.IsError);
        Assert.Equal(("ReferenceError", 2), (thrown.Answer.GetProperty("error").GetProperty("type").GetString(), thrown.Answer.GetProperty("error").GetProperty("line").GetInt32()));
        Assert.True(looping.IsError);
        Assert.Equal(ScriptJson.TimeoutType, looping.Answer.GetProperty("error").GetProperty("type").GetString());
        Assert.True(missing.IsError);

        // The interpreters are fine afterwards.
        Assert.Equal("2", (await Call(client, "run_javascript", "1 + 1")).Answer.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task HostileArgumentsAreToolErrors()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        await using var client = await Connect("--pool-size", "1", "--languages", "javascript");

        var number = await client.CallToolAsync("run_javascript", new Dictionary<string, object?> { ["code"] = 42 }, cancellationToken: Token);
        var huge = await Call(client, "run_javascript", new string('1', 300 << 10));

        Assert.True(number.IsError);
        Assert.True(huge.IsError);
        Assert.Equal("SourceTooLarge", huge.Answer.GetProperty("error").GetProperty("type").GetString());
        await Assert.ThrowsAnyAsync<Exception>(async () => await client.CallToolAsync("run_cobol", new Dictionary<string, object?> { ["code"] = "1" }, cancellationToken: Token));
        Assert.Equal("2", (await Call(client, "run_javascript", "1 + 1")).Answer.GetProperty("value").GetRawText());
    }

    [Fact]
    public async Task GarbageOnStandardInputNeitherCrashesTheServerNorCorruptsItsOutput()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        var start = new System.Diagnostics.ProcessStartInfo(Requirements.Cli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["mcp", "--pool-size", "1", "--languages", "javascript"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Token);
        var stderr = process.StandardError.ReadToEndAsync(Token);
        foreach (var line in (string[])[
            "not json at all", "{", "[1,2,3]", "{\"jsonrpc\":\"2.0\"}", new string('{', 100_000),
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"run_javascript\",\"arguments\":{\"code\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no/such/method\"}"])
        {
            await process.StandardInput.WriteLineAsync(line.AsMemory(), Token);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        foreach (var line in (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var message = JsonDocument.Parse(line);
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
        }

        _ = await stderr;
    }

    [Fact]
    public async Task EachCallMeetsAFreshInterpreter()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        await using var client = await Connect("--pool-size", "1", "--languages", "javascript");
        await Call(client, "run_javascript", "globalThis.secret = 'left behind'");
        Assert.Equal("\"undefined\"", (await Call(client, "run_javascript", "typeof secret")).Answer.GetProperty("value").GetRawText());
    }

    private static async Task<(JsonElement Answer, bool IsError)> Call(McpClient client, string tool, string code)
    {
        var result = await client.CallToolAsync(tool, new Dictionary<string, object?> { ["code"] = code }, cancellationToken: Token);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        using var document = JsonDocument.Parse(text);
        Assert.True(JsonElement.DeepEquals(document.RootElement, result.StructuredContent!.Value), "the text and the structured content differ");
        return (document.RootElement.Clone(), result.IsError == true);
    }
}
