using System.CommandLine;
using System.CommandLine.Parsing;
using HyperSharp.Scripting;

namespace HyperSharp.Cli.Commands.Serving;

/// <summary>
/// The options <c>serve</c> and <c>mcp</c> share for their script interpreters: which languages, how many interpreters
/// per language, and each run's time and memory limits; and the pools they make.
/// </summary>
internal sealed class ScriptPoolOptions
{
    private readonly Option<ScriptLanguage[]> _languages = new("--languages")
    {
        Description = "The script languages to serve, comma-separated: javascript, python, lua, or none; default every installed interpreter.",
        HelpName = "list",
        CustomParser = ParseLanguages,
    };

    private readonly Option<int> _poolSize = NumberOption.Create("--pool-size",
        "Sandboxes per pool (each language, and the guest's), all created before the first request; default 4.", "n", 4, 1, SandboxPoolOptions.MaxPoolSize);

    private readonly Option<double> _scriptTimeout = NumberOption.Create("--script-timeout",
        "Stop a script that runs longer than this many milliseconds; default 5000.", "ms", 5000.0, 1, 3_600_000);

    private readonly Option<ulong?> _memory = new("--memory")
    {
        Description = $"Memory a script may allocate, in bytes or with a K, M or G suffix; default {ByteSizes.Format(ScriptOptions.Default.MemoryLimit)}.",
        HelpName = "size",
        CustomParser = ScriptCommand.ParseMemory,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_languages);
        command.Options.Add(_poolSize);
        command.Options.Add(_scriptTimeout);
        command.Options.Add(_memory);
    }

    public int PoolSize(ParseResult parseResult) => parseResult.GetValue(_poolSize);

    /// <summary>A warm pool per requested (or installed) language; the caller disposes them.</summary>
    /// <exception cref="UsageException">A requested language's interpreter is not installed.</exception>
    public Dictionary<ScriptLanguage, ScriptSandboxPool> CreatePools(ParseResult parseResult, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory)
    {
        var requested = parseResult.GetResult(_languages) is null
            ? [.. Enum.GetValues<ScriptLanguage>().Where(ScriptSandbox.IsAvailable)]
            : parseResult.GetValue(_languages)!;
        var missing = requested.Where(language => !ScriptSandbox.IsAvailable(language)).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException($"the {string.Join(" and ", missing)} interpreter guest is not installed next to hypersharp.");
        }

        var options = ScriptOptions.Default with
        {
            TimeLimit = TimeSpan.FromMilliseconds(parseResult.GetValue(_scriptTimeout)),
            MemoryLimit = parseResult.GetValue(_memory) ?? ScriptOptions.Default.MemoryLimit,
        };
        var size = PoolSize(parseResult);
        var pools = new Dictionary<ScriptLanguage, ScriptSandboxPool>();
        try
        {
            foreach (var language in requested.Distinct())
            {
                pools[language] = ScriptSandboxPool.Create(language, options, poolOptions: new SandboxPoolOptions
                {
                    Name = language.ToString().ToLowerInvariant(),
                    MaxSize = size,
                    MinIdle = size,
                    Sandbox = new SandboxOptions { LoggerFactory = loggerFactory },
                });
            }

            return pools;
        }
        catch
        {
            foreach (var pool in pools.Values)
            {
                pool.Dispose();
            }

            throw;
        }
    }

    private static ScriptLanguage[] ParseLanguages(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (text == "none")
        {
            return [];
        }

        var languages = new List<ScriptLanguage>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name.ToLowerInvariant())
            {
                case "javascript" or "js":
                    languages.Add(ScriptLanguage.JavaScript);
                    break;
                case "python" or "py":
                    languages.Add(ScriptLanguage.Python);
                    break;
                case "lua":
                    languages.Add(ScriptLanguage.Lua);
                    break;
                default:
                    result.AddError($"--languages: '{name}' is not javascript, python, lua or none.");
                    return [];
            }
        }

        return [.. languages];
    }
}
