using System.Text.Json;
using HyperSharp.Scripting;
using Microsoft.Extensions.AI;

namespace HyperSharp.AI;

/// <summary>
/// A Microsoft.Extensions.AI function an agent calls to run code: it takes <c>{"code": "…"}</c>, runs it on a pool of
/// interpreters in hardware-isolated micro-VMs, a fresh interpreter each call, and returns what the model needs to go
/// on, as JSON (<see cref="ScriptJson"/>): the value, stdout and stderr, or the error with its type, message and line.
/// A script's error, time limit or memory exhaustion is a result the model reads, not an exception: the agent fixes
/// its code and tries again.
/// </summary>
/// <example>
/// <code>
/// using var pool = ScriptSandboxPool.Create(ScriptLanguage.Python);
/// var options = new ChatOptions { Tools = [new ScriptFunction(pool)] };
/// </code>
/// </example>
public sealed class ScriptFunction : AIFunction
{
    private static readonly JsonElement s_schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "code": { "type": "string", "description": "The complete program to run." }
          },
          "required": ["code"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    private readonly ScriptSandboxPool _pool;

    /// <summary>Creates the function over <paramref name="pool"/>, which the caller keeps owning.</summary>
    /// <param name="pool">The interpreters the code runs on; its language and limits are the function's.</param>
    /// <param name="name">The function's name as the model sees it; default <c>run_javascript</c>, <c>run_python</c> or <c>run_lua</c>.</param>
    /// <param name="description">What the model is told; default a description of the language, its limits and what comes back.</param>
    public ScriptFunction(ScriptSandboxPool pool, string? name = null, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        Name = name ?? DefaultName(pool.Language);
        Description = description ?? DefaultDescription(pool);
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description { get; }

    /// <inheritdoc/>
    public override JsonElement JsonSchema => s_schema;

    /// <summary>The language the function runs.</summary>
    public ScriptLanguage Language => _pool.Language;

    /// <summary>The name a function running <paramref name="language"/> has by default, which the MCP server uses too.</summary>
    public static string DefaultName(ScriptLanguage language) => language switch
    {
        ScriptLanguage.JavaScript => "run_javascript",
        ScriptLanguage.Python => "run_python",
        ScriptLanguage.Lua => "run_lua",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "Unknown script language."),
    };

    /// <summary>The description a function over <paramref name="pool"/> has by default: the language, what is inside, the limits, the answer.</summary>
    public static string DefaultDescription(ScriptSandboxPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var (language, printing, value) = pool.Language switch
        {
            ScriptLanguage.JavaScript => ("JavaScript (ES2023, QuickJS)", "console.log", "the value of the last expression (a promise is awaited)"),
            ScriptLanguage.Python => ("Python 3 (MicroPython: json, re, math, random, collections and more; no pip packages)", "print", "the value of the last expression"),
            _ => ("Lua 5.4", "print", "what the chunk returns"),
        };
        var limits = pool.Options.TimeLimit is { } time ? $"at most {time.TotalSeconds:0.###} s and " : "";
        return $"Runs {language} in an isolated sandbox with no files, network or processes, {limits}{pool.Options.MemoryLimit >> 20} MiB of memory, "
            + $"starting fresh every call. Returns JSON: {{\"value\": {value} as JSON, \"stdout\": what {printing} wrote, \"stderr\", \"durationMs\"}}, "
            + "or {\"error\": {\"type\", \"message\", \"line\", \"stack\"}, \"stdout\", \"stderr\"} when the code fails or runs out of time or memory.";
    }

    /// <inheritdoc/>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!TryGetCode(arguments, out var code))
        {
            return Parse(ScriptJson.SerializeError("ArgumentError", "Pass the program as the string argument \"code\"."));
        }

        try
        {
            var result = await _pool.RunAsync(code, cancellationToken).ConfigureAwait(false);
            return Parse(ScriptJson.Serialize(result));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ScriptJson.SerializeError(e) is { } error)
        {
            return Parse(error);
        }
    }

    private static bool TryGetCode(AIFunctionArguments arguments, out string code)
    {
        code = arguments.TryGetValue("code", out var value) ? value switch
        {
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
            _ => null!,
        } : null!;
        return code is not null;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
