using HyperSharp.Scripting;

namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// One pool of script interpreters as configuration describes it: the language, the <see cref="ScriptOptions"/>
/// limits of every run and the <see cref="SandboxPoolOptions"/> of the pool. Checked when the host starts; an
/// invalid pool stops the start with a message naming the pool and the setting.
/// </summary>
public sealed class ScriptPoolSettings : PoolSettings
{
    /// <summary>The language the pool runs (<c>JavaScript</c>, <c>Python</c> or <c>Lua</c>); required.</summary>
    public ScriptLanguage? Language { get; set; }

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
}
