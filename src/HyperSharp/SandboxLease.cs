using HyperSharp.Pooling;

namespace HyperSharp;

/// <summary>
/// A sandbox rented from a <see cref="SandboxPool"/> for one request. Dispose it to return the sandbox, which the
/// pool restores to its snapshot before anyone else gets it.
/// </summary>
/// <remarks>
/// While rented, the sandbox's <see cref="Sandbox.Data"/> is this lease, so host functions reach it with
/// <see cref="Of(Caller)"/> and the request's state with <see cref="State"/>. After the lease is disposed every
/// member but <see cref="State"/> throws <see cref="ObjectDisposedException"/>; a sandbox reference kept from
/// <see cref="Sandbox"/> must not be used any more, since the next renter owns it.
/// </remarks>
public sealed class SandboxLease : IDisposable, IAsyncDisposable
{
    private readonly PooledSandbox _pooled;
    private SandboxPool? _pool;

    internal SandboxLease(SandboxPool pool, PooledSandbox pooled)
    {
        _pool = pool;
        _pooled = pooled;
        Use = pooled.Uses;
    }

    /// <summary>The rented sandbox.</summary>
    /// <exception cref="ObjectDisposedException">The lease was returned.</exception>
    public Sandbox Sandbox
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pool is null, this);
            return _pooled.Sandbox;
        }
    }

    /// <summary>The pool the sandbox came from.</summary>
    /// <exception cref="ObjectDisposedException">The lease was returned.</exception>
    public SandboxPool Pool => _pool ?? throw new ObjectDisposedException(nameof(SandboxLease));

    /// <summary>Which lease of its sandbox this is: 1 for a fresh sandbox's first, counting up to <see cref="SandboxPoolOptions.MaxUses"/>.</summary>
    public int Use { get; }

    /// <summary>Whatever the application attaches to this request for its host functions (a user, a budget, an output buffer).</summary>
    public object? State { get; set; }

    /// <summary>
    /// The lease of the sandbox whose guest is calling a host function.
    /// </summary>
    /// <param name="caller">The host function's <see cref="Caller"/>.</param>
    /// <exception cref="InvalidOperationException">The calling sandbox is not rented from a pool (or its <see cref="Sandbox.Data"/> was replaced).</exception>
    public static SandboxLease Of(Caller caller) =>
        caller.Data as SandboxLease ?? throw new InvalidOperationException("The calling sandbox is not rented from a SandboxPool.");

    /// <summary>Returns the sandbox to its pool; the second and later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _pool, null) is { } pool)
        {
            pool.Return(_pooled);
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
