using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace HyperSharp.Scripting;

/// <summary>
/// .NET functions that scripts call as <c>tools.name(...)</c> in every language. A tool receives the script's
/// arguments as one JSON array and returns a value that becomes JSON; the script gets that value back. An exception
/// from a tool arrives in the script as that language's exception (in JavaScript an <c>Error</c>, in Lua an error
/// value) whose message is the exception's <see cref="Exception.Message"/>, and the script may catch it; nothing on
/// the host is harmed. Calling a tool that does not exist fails the same way.
/// </summary>
/// <remarks>
/// Thread-safe. Shareable between sandboxes; a sandbox looks tools up when the script calls them, so tools added
/// later are visible at once. Tools run on the thread of the run, inside it: a slow tool counts against
/// <see cref="ScriptOptions.TimeLimit"/>. The argument <see cref="JsonElement"/> is valid only during the call
/// (<see cref="JsonElement.Clone"/> it to keep it). Tools are the script's only way out of its sandbox: treat their
/// arguments as untrusted input, and keep secrets out of exception messages.
/// </remarks>
public sealed class ScriptTools
{
    private readonly ConcurrentDictionary<string, Func<JsonElement, string>> _tools = new(StringComparer.Ordinal);

    /// <summary>The names of the tools, in no particular order.</summary>
    public IReadOnlyCollection<string> Names => [.. _tools.Keys];

    /// <summary>
    /// Adds (or replaces) a tool whose result is serialised by reflection: any value <see cref="JsonSerializer"/>
    /// can write, e.g. numbers, strings, records, dictionaries, <see cref="JsonElement"/> or <c>JsonNode</c>.
    /// </summary>
    /// <param name="name">The name scripts use: <c>tools.name(...)</c>.</param>
    /// <param name="tool">Gets the arguments as a JSON array; returns the result (null for JSON null).</param>
    /// <param name="options">Serializer options for the result; null for <see cref="JsonSerializerOptions.Default"/>.</param>
    [RequiresUnreferencedCode("The result is serialised by reflection; use the overload that takes a JsonTypeInfo for trimmed or AOT code.")]
    [RequiresDynamicCode("The result is serialised by reflection; use the overload that takes a JsonTypeInfo for trimmed or AOT code.")]
    public void Add(string name, Func<JsonElement, object?> tool, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tool);
        Define(name, arguments => JsonSerializer.Serialize(tool(arguments), options ?? JsonSerializerOptions.Default));
    }

    /// <summary>Adds (or replaces) a tool whose result is serialised with source-generated metadata.</summary>
    /// <param name="name">The name scripts use: <c>tools.name(...)</c>.</param>
    /// <param name="tool">Gets the arguments as a JSON array; returns the result.</param>
    /// <param name="resultType">The result's metadata, e.g. <c>MyJsonContext.Default.Forecast</c>.</param>
    public void Add<TResult>(string name, Func<JsonElement, TResult> tool, JsonTypeInfo<TResult> resultType)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(resultType);
        Define(name, arguments => JsonSerializer.Serialize(tool(arguments), resultType));
    }

    /// <summary>
    /// Adds (or replaces) a tool that takes one typed argument, the usual shape of an agent's tool:
    /// <c>tools.search({ query: "…" })</c>. The script's first argument is deserialised as <typeparamref name="TArgument"/>
    /// (a missing one as JSON null); further arguments are ignored.
    /// </summary>
    /// <param name="name">The name scripts use: <c>tools.name(argument)</c>.</param>
    /// <param name="tool">Gets the argument; returns the result.</param>
    /// <param name="argumentType">The argument's metadata.</param>
    /// <param name="resultType">The result's metadata.</param>
    public void Add<TArgument, TResult>(string name, Func<TArgument?, TResult> tool, JsonTypeInfo<TArgument> argumentType, JsonTypeInfo<TResult> resultType)
    {
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(argumentType);
        ArgumentNullException.ThrowIfNull(resultType);
        Define(name, arguments =>
        {
            var argument = arguments.GetArrayLength() > 0 ? arguments[0].Deserialize(argumentType) : default;
            return JsonSerializer.Serialize(tool(argument), resultType);
        });
    }

    /// <summary>Removes a tool; returns whether it existed.</summary>
    public bool Remove(string name) => _tools.TryRemove(name, out _);

    /// <summary>
    /// Runs tool <paramref name="name"/> on the script's arguments (a JSON array) and returns its result as JSON, refused
    /// if larger than <paramref name="maxResultSize"/> UTF-8 bytes.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such tool.</exception>
    /// <exception cref="InvalidOperationException">The result is larger than <paramref name="maxResultSize"/>.</exception>
    internal string Call(string name, string argumentsJson, int maxResultSize)
    {
        if (!_tools.TryGetValue(name, out var tool))
        {
            throw new KeyNotFoundException($"there is no tool named '{name}'");
        }

        using var arguments = JsonDocument.Parse(argumentsJson);
        var result = tool(arguments.RootElement);
        var size = Encoding.UTF8.GetByteCount(result);
        return size <= maxResultSize
            ? result
            : throw new InvalidOperationException($"tool '{name}' returned {size} bytes of JSON; ScriptOptions.MaxToolResultSize allows {maxResultSize}");
    }

    private void Define(string name, Func<JsonElement, string> tool)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _tools[name] = tool;
    }
}
