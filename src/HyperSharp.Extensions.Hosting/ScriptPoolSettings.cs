using HyperSharp.Scripting;
using Microsoft.Extensions.Logging;

namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// One pool of script interpreters as configuration describes it: the language, the <see cref="ScriptOptions"/>
/// limits of every run and the <see cref="SandboxPoolOptions"/> of the pool. Checked when the host starts; an
/// invalid pool stops the start with a message naming the pool and the setting.
/// </summary>
public sealed class ScriptPoolSettings
{
    /// <summary>The language the pool runs (<c>JavaScript</c>, <c>Python</c> or <c>Lua</c>); required.</summary>
    public ScriptLanguage? Language { get; set; }

    /// <inheritdoc cref="SandboxPoolOptions.MaxSize"/>
    public int MaxSize { get; set; } = 16;

    /// <inheritdoc cref="SandboxPoolOptions.MinIdle"/>
    public int MinIdle { get; set; } = 1;

    /// <inheritdoc cref="SandboxPoolOptions.MaxUses"/>
    public int? MaxUses { get; set; }

    /// <summary>How long a rent waits for an interpreter. Default 30 seconds.</summary>
    public TimeSpan RentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc cref="ScriptOptions.TimeLimit"/>
    public TimeSpan? TimeLimit { get; set; } = ScriptOptions.Default.TimeLimit;

    /// <inheritdoc cref="ScriptOptions.MemoryLimit"/>
    public ulong MemoryLimit { get; set; } = ScriptOptions.Default.MemoryLimit;

    /// <inheritdoc cref="ScriptOptions.OutputLimit"/>
    public int OutputLimit { get; set; } = ScriptOptions.Default.OutputLimit;

    /// <inheritdoc cref="ScriptOptions.MaxSourceSize"/>
    public int MaxSourceSize { get; set; } = ScriptOptions.Default.MaxSourceSize;

    /// <inheritdoc cref="ScriptOptions.MaxToolResultSize"/>
    public int MaxToolResultSize { get; set; } = ScriptOptions.Default.MaxToolResultSize;

    /// <inheritdoc cref="ScriptOptions.SessionMode"/>
    public bool SessionMode { get; set; }

    internal ScriptOptions ToScriptOptions() => new()
    {
        TimeLimit = TimeLimit,
        MemoryLimit = MemoryLimit,
        OutputLimit = OutputLimit,
        MaxSourceSize = MaxSourceSize,
        MaxToolResultSize = MaxToolResultSize,
        SessionMode = SessionMode,
    };

    /// <summary>The pool's options; its sandboxes' sizes and time limit come from the script options, their logger from the host.</summary>
    internal SandboxPoolOptions ToPoolOptions(string name, ILoggerFactory? loggerFactory) => new()
    {
        Name = name,
        MaxSize = MaxSize,
        MinIdle = MinIdle,
        MaxUses = MaxUses,
        RentTimeout = RentTimeout,
        Sandbox = SandboxOptions.Default with { LoggerFactory = loggerFactory },
    };
}
