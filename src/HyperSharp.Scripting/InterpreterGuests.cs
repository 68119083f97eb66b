using System.Collections.Concurrent;

namespace HyperSharp.Scripting;

/// <summary>
/// The interpreter guests (the package's <c>runtimes/*.elf</c>, next to the application) and, per process, one
/// snapshot of each freshly configured interpreter, which every script sandbox starts from and returns to.
/// </summary>
internal static class InterpreterGuests
{
    /// <summary>Snapshots by what shapes them; Lazy so that concurrent first users create one, not several.</summary>
    private static readonly ConcurrentDictionary<SnapshotKey, Lazy<Snapshot>> s_snapshots = new();

    /// <summary>The guest file of <paramref name="language"/>, whether or not it exists.</summary>
    public static string PathOf(ScriptLanguage language) => Path.Combine(AppContext.BaseDirectory, "runtimes", language switch
    {
        ScriptLanguage.JavaScript => "quickjs.elf",
        ScriptLanguage.Python => "micropython.elf",
        ScriptLanguage.Lua => "lua.elf",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "Unknown script language."),
    });

    /// <summary>The shared snapshot for <paramref name="language"/> with <paramref name="options"/>, created on first use.</summary>
    public static Snapshot Shared(ScriptLanguage language, ScriptOptions options)
    {
        var key = new SnapshotKey(language, options.MemoryLimit, options.OutputLimit, options.MaxSourceSize, options.MaxToolResultSize);
        while (true)
        {
            var entry = s_snapshots.GetOrAdd(key, _ => new Lazy<Snapshot>(() => Create(language, options)));
            try
            {
                return entry.Value;
            }
            catch
            {
                // A failed creation (a missing guest, no KVM) must not stay cached: the next caller tries again.
                s_snapshots.TryRemove(KeyValuePair.Create(key, entry));
                throw;
            }
        }
    }

    /// <summary>Boots the interpreter, configures it and snapshots it; the caller owns the snapshot.</summary>
    /// <exception cref="FileNotFoundException">The interpreter guest is not installed.</exception>
    public static Snapshot Create(ScriptLanguage language, ScriptOptions options)
    {
        var path = PathOf(language);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The {language} interpreter guest {path} is not installed next to the application.", path);
        }

        using var sandbox = Sandbox.Create(path, ScriptHost.Functions, options.ToSandboxOptions() with { CallTimeout = null });
        sandbox.Call(ScriptHost.ConfigureFunction, options.ConfigurationJson);
        return sandbox.Snapshot();
    }

    private readonly record struct SnapshotKey(ScriptLanguage Language, ulong MemoryLimit, int OutputLimit, int MaxSourceSize, int MaxToolResultSize);
}
