using HyperSharp.Scripting;
using Microsoft.Extensions.Options;

namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// Checks every configured pool when the host starts: a source that exists, exactly one of them, a language for a
/// script pool, unique names, and options in range, so that a mistyped path or size stops the application with a message naming the pool and setting, instead
/// of failing its first request.
/// </summary>
internal sealed class HyperSharpOptionsValidator : IValidateOptions<HyperSharpOptions>
{
    public ValidateOptionsResult Validate(string? name, HyperSharpOptions options)
    {
        var failures = new List<string>();
        foreach (var (poolName, pool) in options.Pools)
        {
            var where = $"{HyperSharpOptions.SectionName}:Pools:{poolName}";
            if (pool is null)
            {
                failures.Add($"{where}: the pool has no settings.");
                continue;
            }

            failures.AddRange(SourceFailures(pool).Select(failure => $"{where}: {failure}"));
            try
            {
                var sandbox = pool.ToSandboxOptions(SandboxOptions.Default, loggerFactory: null);
                pool.ToPoolOptions(poolName, sandbox).Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                failures.Add($"{where}: {e.Message}");
            }
        }

        foreach (var (poolName, pool) in options.ScriptPools)
        {
            var where = $"{HyperSharpOptions.SectionName}:ScriptPools:{poolName}";
            if (pool is null)
            {
                failures.Add($"{where}: the pool has no settings.");
                continue;
            }

            if (options.Pools.ContainsKey(poolName))
            {
                failures.Add($"{where}: '{poolName}' is also the name of a sandbox pool; a pool's name is its metrics' name and must be unique.");
            }

            if (pool.Language is null)
            {
                failures.Add($"{where}: set Language to one of {string.Join(", ", Enum.GetNames<ScriptLanguage>())}.");
            }

            try
            {
                pool.ToScriptOptions().Validate();
                pool.ToPoolOptions(poolName, SandboxOptions.Default).Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                failures.Add($"{where}: {e.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> SourceFailures(SandboxPoolSettings pool)
    {
        if ((pool.Guest is null) == (pool.Snapshot is null))
        {
            yield return "set exactly one of Guest (a guest binary) and Snapshot (an OCI layout directory).";
            yield break;
        }

        if (pool.Guest is { } guest && !File.Exists(SandboxPools.ResolvePath(guest)))
        {
            yield return $"Guest '{guest}' is not a file (relative paths start at {AppContext.BaseDirectory}).";
        }

        if (pool.Snapshot is { } snapshot)
        {
            if (!Directory.Exists(SandboxPools.ResolvePath(snapshot)))
            {
                yield return $"Snapshot '{snapshot}' is not a directory (relative paths start at {AppContext.BaseDirectory}).";
            }

            if (string.IsNullOrEmpty(pool.Tag))
            {
                yield return "Tag is empty: name the snapshot's tag or manifest digest.";
            }

            if (pool.HeapSize is not null || pool.StackSize is not null || pool.InputBufferSize is not null || pool.OutputBufferSize is not null)
            {
                yield return "HeapSize, StackSize, InputBufferSize and OutputBufferSize apply to Guest pools only: a snapshot brings its own memory layout.";
            }
        }
    }
}
