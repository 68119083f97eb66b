using HyperSharp.Scripting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HyperSharp.Extensions.Hosting;

/// <summary>
/// The application's configured sandbox pools and script pools by name, created on first use or when the host starts
/// (which also waits until each holds <see cref="SandboxPoolOptions.MinIdle"/> sandboxes), and disposed with the container.
/// </summary>
public sealed class SandboxPools : IDisposable, IAsyncDisposable
{
    private readonly HyperSharpOptions _options;
    private readonly PoolHostFunctions[] _hostFunctions;
    private readonly PoolScriptTools[] _scriptTools;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Dictionary<string, Lazy<Entry>> _pools;
    private readonly Dictionary<string, Lazy<ScriptSandboxPool>> _scriptPools;
    private bool _disposed;

    internal SandboxPools(IOptions<HyperSharpOptions> options, IEnumerable<PoolHostFunctions> hostFunctions, IEnumerable<PoolScriptTools> scriptTools,
        IServiceProvider services, ILoggerFactory? loggerFactory)
    {
        _options = options.Value;
        _hostFunctions = [.. hostFunctions];
        _scriptTools = [.. scriptTools];
        _services = services;
        _loggerFactory = loggerFactory;
        _pools = _options.Pools.ToDictionary(p => p.Key, p => new Lazy<Entry>(() => Open(p.Key, p.Value)), StringComparer.Ordinal);
        _scriptPools = _options.ScriptPools.ToDictionary(p => p.Key, p => new Lazy<ScriptSandboxPool>(() => OpenScriptPool(p.Key, p.Value)), StringComparer.Ordinal);
    }

    /// <summary>The names of the configured sandbox pools.</summary>
    public IReadOnlyCollection<string> Names => _pools.Keys;

    /// <summary>The names of the configured script pools.</summary>
    public IReadOnlyCollection<string> ScriptPoolNames => _scriptPools.Keys;

    /// <summary>The pool named <paramref name="name"/>, created now if this is its first use.</summary>
    /// <exception cref="KeyNotFoundException">No pool of that name is configured; the message lists those that are.</exception>
    /// <exception cref="ObjectDisposedException">The registry was disposed.</exception>
    /// <exception cref="SandboxException">Creating the pool failed: its guest or snapshot could not be loaded or started.</exception>
    public SandboxPool Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _pools.TryGetValue(name, out var pool)
            ? pool.Value.Pool
            : throw new KeyNotFoundException($"No sandbox pool '{name}' is configured; configured: {string.Join(", ", _pools.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>The script pool named <paramref name="name"/>, created now if this is its first use.</summary>
    /// <exception cref="KeyNotFoundException">No script pool of that name is configured; the message lists those that are.</exception>
    /// <exception cref="ObjectDisposedException">The registry was disposed.</exception>
    /// <exception cref="SandboxException">Creating the pool failed: its interpreter could not be started.</exception>
    /// <exception cref="FileNotFoundException">The language's interpreter guest is not installed.</exception>
    public ScriptSandboxPool GetScriptPool(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _scriptPools.TryGetValue(name, out var pool)
            ? pool.Value
            : throw new KeyNotFoundException($"No script pool '{name}' is configured; configured: {string.Join(", ", _scriptPools.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Creates every pool and script pool and waits until each is warm (<see cref="SandboxPool.WarmUpAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task WarmUpAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll([
            .. _pools.Keys.Select(name => Get(name).WarmUpAsync(cancellationToken)),
            .. _scriptPools.Keys.Select(name => GetScriptPool(name).Sandboxes.WarmUpAsync(cancellationToken)),
        ]);

    /// <summary>Disposes every pool and script pool created, then the snapshots loaded for them.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var pool in _pools.Values.Where(p => p.IsValueCreated))
        {
            pool.Value.Pool.Dispose();
            pool.Value.LoadedSnapshot?.Dispose();
        }

        foreach (var pool in _scriptPools.Values.Where(p => p.IsValueCreated))
        {
            pool.Value.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A configured path: absolute as given, relative from the application's base directory.</summary>
    internal static string ResolvePath(string path) => Path.GetFullPath(path, AppContext.BaseDirectory);

    private Entry Open(string name, SandboxPoolSettings settings)
    {
        var host = new HostFunctions();
        foreach (var registration in _hostFunctions.Where(r => r.Pool is null || r.Pool == name))
        {
            registration.Define(_services, host);
        }

        if (settings.Guest is { } guest)
        {
            var sandbox = settings.ToSandboxOptions(SandboxOptions.Default, _loggerFactory);
            return new Entry(SandboxPool.Create(ResolvePath(guest), host, settings.ToPoolOptions(name, sandbox)), null);
        }

        var snapshot = HyperSharp.Snapshot.Load(ResolvePath(settings.Snapshot!), settings.Tag);
        try
        {
            var sandbox = settings.ToSandboxOptions(snapshot.Options, _loggerFactory);
            return new Entry(SandboxPool.Create(snapshot, host, settings.ToPoolOptions(name, sandbox)), snapshot);
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    private ScriptSandboxPool OpenScriptPool(string name, ScriptPoolSettings settings)
    {
        var tools = new ScriptTools();
        foreach (var registration in _scriptTools.Where(r => r.Pool is null || r.Pool == name))
        {
            registration.Define(_services, tools);
        }

        return ScriptSandboxPool.Create(settings.Language!.Value, settings.ToScriptOptions(), tools, settings.ToPoolOptions(name, SandboxOptions.Default with { LoggerFactory = _loggerFactory }));
    }

    private sealed record Entry(SandboxPool Pool, Snapshot? LoadedSnapshot);
}
