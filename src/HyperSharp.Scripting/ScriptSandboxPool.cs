namespace HyperSharp.Scripting;

/// <summary>
/// A <see cref="SandboxPool"/> of script interpreters: concurrent requests each rent a fresh interpreter, run their
/// scripts, and give it back, restored to the fresh interpreter's snapshot, to the next. For a service that runs
/// scripts from many callers at once, where one <see cref="ScriptSandbox"/> would serve them one at a time.
/// </summary>
/// <remarks>
/// The pool's sandboxes and renters behave as <see cref="SandboxPool"/> documents: renters wait when all are busy, and
/// an interpreter that faulted, was stopped or served <see cref="SandboxPoolOptions.MaxUses"/> leases is replaced, not
/// reused. Within one lease, runs follow <see cref="ScriptOptions.SessionMode"/>: by default each starts fresh; in
/// session mode they share the interpreter's state, a conversation's worth, until the lease is returned.
/// </remarks>
public sealed class ScriptSandboxPool : IDisposable, IAsyncDisposable
{
    private readonly ScriptRunner _runner;

    private ScriptSandboxPool(ScriptLanguage language, Snapshot fresh, ScriptOptions options, ScriptTools? tools, SandboxPoolOptions? poolOptions)
    {
        Language = language;
        Options = options;
        Tools = tools ?? new ScriptTools();
        _runner = new ScriptRunner(language, options);
        poolOptions ??= new SandboxPoolOptions();
        var sandbox = (poolOptions.Sandbox ?? fresh.Options) with
        {
            HeapSize = fresh.Options.HeapSize,
            StackSize = fresh.Options.StackSize,
            InputBufferSize = fresh.Options.InputBufferSize,
            OutputBufferSize = fresh.Options.OutputBufferSize,
            CallTimeout = options.TimeLimit,
        };
        Sandboxes = SandboxPool.Create(fresh, ScriptHost.Functions, poolOptions with { Sandbox = sandbox });
    }

    /// <summary>The language the pool runs.</summary>
    public ScriptLanguage Language { get; }

    /// <summary>The limits of every run.</summary>
    public ScriptOptions Options { get; }

    /// <summary>The tools scripts may call, unless a lease replaces them (<see cref="ScriptLease.Tools"/>).</summary>
    public ScriptTools Tools { get; }

    /// <summary>The pool of interpreter sandboxes underneath: its size, idle and rented counts, and its metrics' name.</summary>
    public SandboxPool Sandboxes { get; }

    /// <summary>Creates a pool of <paramref name="language"/> interpreters from the process's shared snapshot of it.</summary>
    /// <param name="language">The script language.</param>
    /// <param name="options">The limits of every run; null for <see cref="ScriptOptions.Default"/>.</param>
    /// <param name="tools">The tools scripts may call; null for none yet (add them to <see cref="Tools"/>).</param>
    /// <param name="poolOptions">The pool's size, prewarming, recycling and name; its sandboxes' logger. Sizes and the time limit come from <paramref name="options"/>.</param>
    /// <exception cref="FileNotFoundException">The language's interpreter guest is not installed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used on this machine.</exception>
    public static ScriptSandboxPool Create(ScriptLanguage language, ScriptOptions? options = null, ScriptTools? tools = null, SandboxPoolOptions? poolOptions = null)
    {
        options ??= ScriptOptions.Default;
        options.Validate();
        poolOptions?.Validate();
        return new ScriptSandboxPool(language, InterpreterGuests.Shared(language, options), options, tools, poolOptions);
    }

    /// <summary>
    /// Creates a pool from a snapshot of <see cref="ScriptSandbox.CreateSnapshot"/>, which the caller keeps owning and must
    /// not dispose before the pool.
    /// </summary>
    /// <param name="language">The language of the interpreter in the snapshot.</param>
    /// <param name="snapshot">The fresh interpreter every sandbox starts from and returns to.</param>
    /// <param name="options">The limits the snapshot was created with (only <see cref="ScriptOptions.TimeLimit"/> and <see cref="ScriptOptions.SessionMode"/> may differ); null for the defaults.</param>
    /// <param name="tools">The tools scripts may call.</param>
    /// <param name="poolOptions">The pool's size, prewarming, recycling and name; its sandboxes' logger.</param>
    /// <exception cref="ArgumentException">The snapshot's memory layout is not the one <paramref name="options"/> make.</exception>
    /// <exception cref="SnapshotMismatchException">The snapshot is not of a script interpreter, or does not fit this host.</exception>
    public static ScriptSandboxPool FromSnapshot(ScriptLanguage language, Snapshot snapshot, ScriptOptions? options = null, ScriptTools? tools = null, SandboxPoolOptions? poolOptions = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= ScriptOptions.Default;
        options.Validate();
        options.RequireLayoutOf(snapshot, nameof(snapshot));
        poolOptions?.Validate();
        return new ScriptSandboxPool(language, snapshot, options, tools, poolOptions);
    }

    /// <summary>Rents an interpreter for one or more runs; dispose the lease to give it back.</summary>
    /// <inheritdoc cref="SandboxPool.RentAsync" path="/exception"/>
    /// <inheritdoc cref="SandboxPool.RentAsync" path="/param"/>
    public async ValueTask<ScriptLease> RentAsync(CancellationToken cancellationToken = default)
    {
        var lease = await Sandboxes.RentAsync(cancellationToken).ConfigureAwait(false);
        return new ScriptLease(lease, _runner, Tools, Options);
    }

    /// <summary>Rents an interpreter, runs <paramref name="code"/> in it on a HyperSharp thread, and gives it back.</summary>
    /// <inheritdoc cref="ScriptSandbox.Run(string, CancellationToken)"/>
    /// <exception cref="SandboxPoolExhaustedException">No interpreter became free within <see cref="SandboxPoolOptions.RentTimeout"/>.</exception>
    public async Task<ScriptResult> RunAsync(string code, CancellationToken cancellationToken = default)
    {
        _runner.CheckSource(code);
        await using var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        return await lease.RunAsync(code, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the pool's sandboxes (rented ones when they are returned); the shared snapshot stays for others.</summary>
    public void Dispose() => Sandboxes.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => Sandboxes.DisposeAsync();
}
