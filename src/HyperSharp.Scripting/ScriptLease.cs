namespace HyperSharp.Scripting;

/// <summary>
/// An interpreter rented from a <see cref="ScriptSandboxPool"/>: run scripts in it, one at a time, then dispose the
/// lease to give it back. Runs start fresh, or, with <see cref="ScriptOptions.SessionMode"/>, share state until
/// <see cref="Reset"/> or the lease's end; either way the next renter meets the fresh interpreter.
/// </summary>
public sealed class ScriptLease : IDisposable, IAsyncDisposable, IToolRunner
{
    private readonly SandboxLease _lease;
    private readonly ScriptRunner _runner;
    private readonly ScriptOptions _options;

    internal ScriptLease(SandboxLease lease, ScriptRunner runner, ScriptTools tools, ScriptOptions options)
    {
        _lease = lease;
        _runner = runner;
        _options = options;
        Tools = tools;
        lease.State = this;
    }

    /// <summary>The tools this lease's scripts may call: the pool's, unless replaced for this request (a user's own tools, say).</summary>
    public ScriptTools Tools { get; set; }

    /// <summary>Runs <paramref name="code"/> on the calling thread.</summary>
    /// <inheritdoc cref="ScriptSandbox.Run(string, CancellationToken)"/>
    /// <exception cref="ObjectDisposedException">The lease was returned.</exception>
    public ScriptResult Run(string code, CancellationToken cancellationToken = default)
    {
        _runner.CheckSource(code);
        return Finish(_runner.Run(_lease.Sandbox, code, cancellationToken));
    }

    /// <summary>Runs <paramref name="code"/> on a thread HyperSharp owns, never a thread-pool thread.</summary>
    /// <inheritdoc cref="Run(string, CancellationToken)"/>
    public async Task<ScriptResult> RunAsync(string code, CancellationToken cancellationToken = default)
    {
        _runner.CheckSource(code);
        return Finish(await _runner.RunAsync(_lease.Sandbox, code, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Ends a session: the interpreter returns to its fresh state. A no-op outside session mode.</summary>
    /// <exception cref="SandboxBusyException">A run is under way on another thread.</exception>
    /// <exception cref="ObjectDisposedException">The lease was returned.</exception>
    public void Reset() => _lease.Sandbox.Restore();

    /// <summary>Gives the interpreter back to the pool, which restores it (or replaces it) for the next renter.</summary>
    public void Dispose() => _lease.Dispose();

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync() => _lease.DisposeAsync();

    string IToolRunner.CallTool(string name, string argumentsJson) => Tools.Call(name, argumentsJson, _options.MaxToolResultSize);

    /// <summary>
    /// Returns to the fresh interpreter if the run calls for it. A restore that fails leaves the sandbox unrecoverable;
    /// later runs of this lease say so, and the pool replaces it when the lease is returned.
    /// </summary>
    private ScriptResult Finish(ScriptOutcome outcome)
    {
        if (outcome.Fresh)
        {
            try
            {
                _lease.Sandbox.Restore();
            }
            catch (SandboxUnrecoverableException)
            {
                // Reported by the next run; the run's own outcome matters more now.
            }
        }

        return outcome.GetResult();
    }
}
