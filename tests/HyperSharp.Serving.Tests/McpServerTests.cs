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
