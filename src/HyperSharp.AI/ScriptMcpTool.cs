using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace HyperSharp.AI;

/// <summary>
/// A <see cref="ScriptFunction"/> as a Model Context Protocol tool: the same name, description, input schema and JSON
/// answer, given to the client both as text and as structured content, and flagged <c>isError</c> when the code
/// failed, so a client shows the failure as one while the model still reads its type, message and line.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddMcpServer().WithStdioServerTransport().WithTools([new ScriptMcpTool(new ScriptFunction(pool))]);
/// </code>
/// </example>
public sealed class ScriptMcpTool(ScriptFunction function) : McpServerTool
{
    private readonly ScriptFunction _function = function ?? throw new ArgumentNullException(nameof(function));

    /// <inheritdoc/>
    public override Tool ProtocolTool { get; } = new()
    {
        Name = function.Name,
        Description = function.Description,
        InputSchema = function.JsonSchema,
        Annotations = new ToolAnnotations
        {
            // The code runs in a fresh, isolated interpreter that reaches nothing outside: it changes nothing anywhere.
            ReadOnlyHint = true,
            DestructiveHint = false,
            OpenWorldHint = false,
        },
    };

    /// <inheritdoc/>
    public override IReadOnlyList<object> Metadata { get; } = [];

    /// <inheritdoc/>
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new AIFunctionArguments();
        foreach (var (name, value) in request.Params?.Arguments ?? new Dictionary<string, JsonElement>())
        {
            arguments[name] = value;
        }

        var answer = (JsonElement)(await _function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false))!;
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = answer.GetRawText() }],
            StructuredContent = answer,
            IsError = answer.TryGetProperty("error", out _),
        };
    }
}
