namespace HyperSharp.Scripting;

/// <summary>
/// Runs untrusted JavaScript, Python or Lua in its own hardware-isolated micro-VM: a script interpreter guest started
/// from a snapshot of the freshly initialised interpreter and, by default, returned to that snapshot after every run,
/// so nothing a script does (globals, prototypes, module caches, random state, pending jobs) reaches the next run.
/// </summary>
/// <remarks>
/// <para>
/// Script errors and every limit of <see cref="ScriptOptions"/> end in an exception, never in a broken sandbox:
/// <see cref="ScriptException"/> (the script's error, too much source, too large a result),
/// <see cref="ScriptTimeoutException"/> (the time limit) and <see cref="OperationCanceledException"/> (the caller's
/// token) all leave it ready for the next run. A failure of the VM itself (the interpreter crashing, a fault) is
/// thrown as the core library's <see cref="SandboxException"/> after the sandbox was restored, so it too is ready.
/// </para>
/// <para>
/// One run at a time: a run from a second thread while one is under way throws <see cref="SandboxBusyException"/>.
/// Different sandboxes run in parallel freely. The first sandbox of a language and set of limits in a process boots
/// the interpreter and snapshots it; later ones start from that snapshot in about a millisecond.
/// </para>
/// </remarks>
public sealed class ScriptSandbox : IDisposable, IToolRunner
{
    private readonly Snapshot _fresh;
    private readonly SandboxOptions _sandboxOptions;
    private readonly ScriptRunner _runner;
    private Sandbox _sandbox;
    private int _busy;
    private bool _disposed;

    private ScriptSandbox(ScriptLanguage language, Snapshot fresh, ScriptOptions options, ScriptTools? tools)
    {
        Language = language;
        Options = options;
        Tools = tools ?? new ScriptTools();
        _fresh = fresh;
        _runner = new ScriptRunner(language, options);
        _sandboxOptions = fresh.Options with { CallTimeout = options.TimeLimit };
        _sandbox = StartSandbox();
    }

    /// <summary>The language this sandbox runs.</summary>
    public ScriptLanguage Language { get; }

    /// <summary>The limits of every run.</summary>
    public ScriptOptions Options { get; }

    /// <summary>The tools scripts can call as <c>tools.name(...)</c>; add to it at any time.</summary>
    public ScriptTools Tools { get; }

    /// <summary>Creates a sandbox for <paramref name="language"/> from the process's shared snapshot of its interpreter.</summary>
    /// <param name="language">The script language.</param>
    /// <param name="options">The limits; null for <see cref="ScriptOptions.Default"/>.</param>
    /// <param name="tools">The tools scripts may call; null for none yet (add them to <see cref="Tools"/>).</param>
    /// <exception cref="FileNotFoundException">The language's interpreter guest is not installed (<see cref="IsAvailable"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used on this machine.</exception>
    public static ScriptSandbox Create(ScriptLanguage language, ScriptOptions? options = null, ScriptTools? tools = null)
    {
        options ??= ScriptOptions.Default;
        options.Validate();
        return new ScriptSandbox(language, InterpreterGuests.Shared(language, options), options, tools);
    }

    /// <summary>
    /// Creates a sandbox from a snapshot of <see cref="CreateSnapshot"/>, e.g. one saved with <see cref="Snapshot.Save"/>
    /// and loaded in another process with <see cref="Snapshot.Load"/>.
    /// </summary>
    /// <param name="language">The language of the interpreter in the snapshot.</param>
    /// <param name="snapshot">The snapshot; it must stay undisposed as long as the sandbox lives.</param>
    /// <param name="options">The limits the snapshot was created with (only <see cref="ScriptOptions.TimeLimit"/> and <see cref="ScriptOptions.SessionMode"/> may differ); null for the defaults.</param>
    /// <param name="tools">The tools scripts may call.</param>
    /// <exception cref="ArgumentException">The snapshot's memory layout is not the one <paramref name="options"/> make.</exception>
    /// <exception cref="SnapshotMismatchException">The snapshot is not of a script interpreter, or does not fit this host.</exception>
    public static ScriptSandbox FromSnapshot(ScriptLanguage language, Snapshot snapshot, ScriptOptions? options = null, ScriptTools? tools = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= ScriptOptions.Default;
        options.Validate();
        options.RequireLayoutOf(snapshot, nameof(snapshot));
        return new ScriptSandbox(language, snapshot, options, tools);
    }

    /// <summary>
    /// Boots a fresh <paramref name="language"/> interpreter configured with <paramref name="options"/> and returns its
    /// snapshot, owned by the caller: to save with <see cref="Snapshot.Save"/> and start sandboxes from with
    /// <see cref="FromSnapshot"/>.
    /// </summary>
    /// <inheritdoc cref="Create" path="/exception"/>
    public static Snapshot CreateSnapshot(ScriptLanguage language, ScriptOptions? options = null)
    {
        options ??= ScriptOptions.Default;
        options.Validate();
        return InterpreterGuests.Create(language, options);
    }

    /// <summary>Whether the interpreter guest of <paramref name="language"/> is installed next to the application.</summary>
    public static bool IsAvailable(ScriptLanguage language) => File.Exists(InterpreterGuests.PathOf(language));

    /// <summary>Runs <paramref name="code"/> and returns its value and output.</summary>
    /// <param name="code">The script's source text.</param>
    /// <exception cref="ScriptException">The script raised an error, its source is larger than <see cref="ScriptOptions.MaxSourceSize"/>, or its value too large to return.</exception>
    /// <exception cref="ScriptTimeoutException">The run took longer than <see cref="ScriptOptions.TimeLimit"/>.</exception>
    /// <exception cref="SandboxBusyException">Another thread is running a script in this sandbox.</exception>
    /// <exception cref="SandboxException">The interpreter failed at the VM level (aborted, faulted, broke the protocol); the sandbox was restored.</exception>
    public ScriptResult Run(string code) => Run(code, CancellationToken.None);

    /// <summary>Runs <paramref name="code"/> and returns its value and output, stopping it if <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="code">The script's source text.</param>
    /// <param name="cancellationToken">Stops the run; the sandbox is restored and ready afterwards.</param>
    /// <exception cref="ScriptException">The script raised an error, its source is larger than <see cref="ScriptOptions.MaxSourceSize"/>, or its value too large to return.</exception>
    /// <exception cref="ScriptTimeoutException">The run took longer than <see cref="ScriptOptions.TimeLimit"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="SandboxBusyException">Another thread is running a script in this sandbox.</exception>
    /// <exception cref="SandboxException">The interpreter failed at the VM level (aborted, faulted, broke the protocol); the sandbox was restored.</exception>
    public ScriptResult Run(string code, CancellationToken cancellationToken)
    {
        _runner.CheckSource(code);
        Enter();
        try
        {
            return Finish(_runner.Run(_sandbox, code, cancellationToken));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Runs <paramref name="code"/> on a thread HyperSharp owns, never a thread-pool thread: the vCPU blocks the thread
    /// that runs it for the whole run. Everything else is as <see cref="Run(string, CancellationToken)"/>.
    /// </summary>
    /// <inheritdoc cref="Run(string, CancellationToken)"/>
    public async Task<ScriptResult> RunAsync(string code, CancellationToken cancellationToken = default)
    {
        _runner.CheckSource(code);
        Enter();
        try
        {
            return Finish(await _runner.RunAsync(_sandbox, code, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Returns the interpreter to its fresh state: in session mode, the end of the session; otherwise a no-op, since every run starts fresh.</summary>
    /// <exception cref="SandboxBusyException">A run is under way on another thread.</exception>
    public void Reset()
    {
        Enter();
        try
        {
            ReturnToFresh();
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Releases the sandbox's VM; the shared interpreter snapshot stays for other sandboxes.</summary>
    public void Dispose()
    {
        _disposed = true;
        if (Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            _sandbox.Dispose();
        }
    }

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new SandboxBusyException();
        }

        if (_disposed)
        {
            _sandbox.Dispose();
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    /// <summary>Ends a run or reset; a Dispose that came meanwhile releases the VM now.</summary>
    private void Exit()
    {
        Volatile.Write(ref _busy, 0);
        if (_disposed && Interlocked.CompareExchange(ref _busy, 1, 0) == 0)
        {
            _sandbox.Dispose();
        }
    }

    /// <summary>Returns to the fresh interpreter if the run calls for it, then hands back its result or failure.</summary>
    private ScriptResult Finish(ScriptOutcome outcome)
    {
        if (outcome.Fresh)
        {
            ReturnToFresh();
        }

        return outcome.GetResult();
    }

    /// <summary>Restores the fresh interpreter; a sandbox whose restore failed halfway is replaced by a new one.</summary>
    private void ReturnToFresh()
    {
        try
        {
            _sandbox.Restore();
        }
        catch (SandboxUnrecoverableException)
        {
            _sandbox.Dispose();
            _sandbox = StartSandbox();
        }
    }

    private Sandbox StartSandbox()
    {
        var sandbox = Sandbox.FromSnapshot(_fresh, ScriptHost.Functions, _sandboxOptions);
        sandbox.Data = this;
        return sandbox;
    }

    string IToolRunner.CallTool(string name, string argumentsJson) => Tools.Call(name, argumentsJson, Options.MaxToolResultSize);
}
