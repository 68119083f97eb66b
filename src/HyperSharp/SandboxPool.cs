using HyperSharp.Execution;
using HyperSharp.Pooling;

namespace HyperSharp;

/// <summary>
/// A bounded set of sandboxes started from one snapshot, rented one request at a time and returned to that snapshot
/// afterwards, so every request meets the same clean guest and none pays for creating a VM.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="RentAsync"/> takes an idle sandbox, or waits (asynchronously, up to
/// <see cref="SandboxPoolOptions.RentTimeout"/>) for one to be returned or created. Sandboxes are created in the
/// background on threads HyperSharp owns, <see cref="SandboxPoolOptions.MinIdle"/> of them ahead of demand, so in the
/// steady state a rent never waits on VM creation.
/// </para>
/// <para>
/// Disposing a <see cref="SandboxLease"/> returns its sandbox: restored to the snapshot (in proportion to the pages the
/// request dirtied) and made available again. A sandbox that is poisoned, unrecoverable, disposed, still running a call,
/// or has served <see cref="SandboxPoolOptions.MaxUses"/> leases is never handed out again: the pool disposes it and
/// creates a fresh one in the background.
/// </para>
/// <para>
/// Host functions learn which lease is calling them: while rented, <see cref="Sandbox.Data"/> is the lease, so
/// <see cref="SandboxLease.Of(Caller)"/> gives it and its <see cref="SandboxLease.State"/>. All members are thread-safe.
/// </para>
/// </remarks>
public sealed class SandboxPool : IDisposable, IAsyncDisposable
{
    private readonly Snapshot _snapshot;
    private readonly bool _ownsSnapshot;
    private readonly HostFunctions? _hostFunctions;
    private readonly SandboxOptions _sandboxOptions;
    private readonly PoolObserver _observer;
    private readonly Lock _lock = new();
    private readonly Stack<PooledSandbox> _idle = new();
    private readonly Queue<PoolWaiter> _waiters = new();
    private readonly TaskCompletionSource _warm = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once the pool is disposed and no creation is in flight any more: disposal waits for it.</summary>
    private readonly TaskCompletionSource _creationsSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _rented;
    private int _creating;
    private int _waiting;
    private long _created;
    private long _retired;
    private bool _disposed;

    private SandboxPool(Snapshot snapshot, bool ownsSnapshot, HostFunctions? hostFunctions, SandboxPoolOptions options)
    {
        _snapshot = snapshot;
        _ownsSnapshot = ownsSnapshot;
        _hostFunctions = hostFunctions;
        Options = options;
        _sandboxOptions = options.Sandbox ?? snapshot.Options;
        _observer = new PoolObserver(options.Name, _sandboxOptions.LoggerFactory);
    }

    /// <summary>The options the pool was created with.</summary>
    public SandboxPoolOptions Options { get; }

    /// <summary>The snapshot every sandbox starts from and returns to.</summary>
    public Snapshot Snapshot => _snapshot;

    /// <summary>Sandboxes the pool holds now: idle, rented and being created.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count + _rented + _creating;
            }
        }
    }

    /// <summary>Sandboxes ready to rent now.</summary>
    public int Idle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Sandboxes rented now.</summary>
    public int Rented => Volatile.Read(ref _rented);

    /// <summary>Renters waiting for a sandbox now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Sandboxes the pool has created over its life.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Sandboxes the pool has disposed instead of reusing over its life (poisoned, worn out, abandoned).</summary>
    public long Retired => Interlocked.Read(ref _retired);

    /// <summary>
    /// Creates a pool of sandboxes started from <paramref name="snapshot"/>, which the caller keeps owning and must not
    /// dispose before the pool. The first sandbox is created before this returns, so a snapshot that does not fit the
    /// host functions or this host fails here; the rest of <see cref="SandboxPoolOptions.MinIdle"/> follow in the background.
    /// </summary>
    /// <param name="snapshot">The state every sandbox starts from and returns to.</param>
    /// <param name="hostFunctions">The host functions of every sandbox, which must include those the snapshot recorded; null for the defaults.</param>
    /// <param name="options">Null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="SandboxPoolOptions.Sandbox"/> sizes differ from the snapshot's.</exception>
    /// <exception cref="SnapshotMismatchException">The snapshot does not fit the host functions or this host.</exception>
    /// <exception cref="HypervisorUnavailableException">KVM cannot be used on this machine.</exception>
    public static SandboxPool Create(Snapshot snapshot, HostFunctions? hostFunctions = null, SandboxPoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ObjectDisposedException.ThrowIf(snapshot.IsDisposed, snapshot);
        options ??= new SandboxPoolOptions();
        options.Validate();
        var first = Sandbox.FromSnapshot(snapshot, hostFunctions, options.Sandbox);
        return Start(new SandboxPool(snapshot, ownsSnapshot: false, hostFunctions, options), first);
    }

    /// <summary>
    /// Creates a pool from the guest binary at <paramref name="guestPath"/>: boots and initialises it once, snapshots it,
    /// and starts every sandbox from that snapshot, which the pool owns.
    /// </summary>
    /// <param name="guestPath">A guest built against the HyperSharp guest SDK.</param>
    /// <param name="hostFunctions">The host functions of every sandbox; null for the defaults.</param>
    /// <param name="options">Null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <inheritdoc cref="Sandbox.Create(string, HostFunctions?, SandboxOptions?)" path="/exception"/>
    public static SandboxPool Create(string guestPath, HostFunctions? hostFunctions = null, SandboxPoolOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(guestPath);
        options ??= new SandboxPoolOptions();
        options.Validate();
        var first = Sandbox.Create(guestPath, hostFunctions, options.Sandbox);
        Snapshot snapshot;
        try
        {
            snapshot = first.Snapshot();
        }
        catch
        {
            first.Dispose();
            throw;
        }

        return Start(new SandboxPool(snapshot, ownsSnapshot: true, hostFunctions, options), first);
    }

    private static SandboxPool Start(SandboxPool pool, Sandbox first)
    {
        pool._observer.Started(pool, pool.Options.MaxSize, pool.Options.MinIdle);
        Interlocked.Increment(ref pool._created);
        pool.MakeAvailable(new PooledSandbox(first), Arrival.Started);
        pool.Replenish();
        return pool;
    }

    /// <summary>
    /// Completes once the pool holds <see cref="SandboxPoolOptions.MinIdle"/> sandboxes (at least one), for a service
    /// that should not take requests before its pool is warm.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the sandboxes are still created.</param>
    /// <exception cref="ObjectDisposedException">The pool was disposed, before or while warming up.</exception>
    public Task WarmUpAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _disposed) ? Task.FromException(new ObjectDisposedException(nameof(SandboxPool))) : _warm.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Rents a sandbox: an idle one at once, or the next one returned or created. Dispose the lease to return it.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; nothing is rented.</param>
    /// <exception cref="SandboxPoolExhaustedException">No sandbox became free within <see cref="SandboxPoolOptions.RentTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="SandboxException">Creating the sandbox this renter waited for failed (the cause's own type, e.g. <see cref="HypervisorException"/>).</exception>
    public ValueTask<SandboxLease> RentAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SandboxLease>(cancellationToken);
        }

        var rent = _observer.StartRent();
        PooledSandbox? ready;
        PoolWaiter? waiter = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.FromException<SandboxLease>(new ObjectDisposedException(nameof(SandboxPool)));
            }

            if (_idle.TryPop(out ready))
            {
                _rented++;
            }
            else
            {
                waiter = new PoolWaiter();
                DropGivenUpWaiters();
                _waiters.Enqueue(waiter);
                _waiting++;
            }
        }

        if (ready is not null)
        {
            _observer.Rented(rent);
            Replenish();
            return ValueTask.FromResult(Lease(ready));
        }

        Replenish();
        return new ValueTask<SandboxLease>(WaitAsync(waiter!, rent, cancellationToken));
    }

    /// <summary>Rents a sandbox, calls <paramref name="name"/> in it on a HyperSharp thread, and returns the sandbox.</summary>
    /// <inheritdoc cref="Sandbox.CallAsync{TResult}(string, GuestValue[], CancellationToken)"/>
    public async Task<TResult> CallAsync<TResult>(string name, GuestValue[] args, CancellationToken cancellationToken = default)
    {
        var lease = await RentAsync(cancellationToken).ConfigureAwait(false);
        using (lease)
        {
            return await lease.Sandbox.CallAsync<TResult>(name, args, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Disposes every idle sandbox, fails every waiting renter with <see cref="ObjectDisposedException"/>, and returns
    /// once the sandboxes being created in the background are created and disposed too (a millisecond or so each), so
    /// that nothing of the pool outlives the call; rented sandboxes are disposed when their leases are returned.
    /// </summary>
    public void Dispose()
    {
        if (BeginDispose())
        {
            // The creations run on HyperSharp's own threads, never on this one, so waiting for them cannot deadlock.
            _creationsSettled.Task.GetAwaiter().GetResult();
            EndDispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (BeginDispose())
        {
            await _creationsSettled.Task.ConfigureAwait(false);
            EndDispose();
        }
    }

    /// <summary>Marks the pool disposed, fails the waiters and disposes the idle sandboxes; false if it was disposed already.</summary>
    private bool BeginDispose()
    {
        PooledSandbox[] idle;
        PoolWaiter[] waiters;
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
            SettleCreationsIfDisposed();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(SandboxPool)));
        }

        foreach (var sandbox in idle)
        {
            sandbox.Sandbox.Dispose();
        }

        return true;
    }

    /// <summary>After the last creation settled: the pool's end in telemetry, and the snapshot it owns.</summary>
    private void EndDispose()
    {
        _observer.Stopped(this);
        _warm.TrySetException(new ObjectDisposedException(nameof(SandboxPool)));
        if (_ownsSnapshot)
        {
            // Sandboxes still rented hold their own references to the snapshot's memory; none restores to it again.
            _snapshot.Dispose();
        }
    }

    /// <summary>Completes <see cref="_creationsSettled"/> once the pool is disposed and nothing is being created. Called under the lock.</summary>
    private void SettleCreationsIfDisposed()
    {
        if (_disposed && _creating == 0)
        {
            _creationsSettled.TrySetResult();
        }
    }

    private SandboxLease Lease(PooledSandbox pooled)
    {
        pooled.Uses++;
        var lease = new SandboxLease(this, pooled);
        pooled.Sandbox.Data = lease;
        return lease;
    }

    private async Task<SandboxLease> WaitAsync(PoolWaiter waiter, Telemetry.SandboxObserver.Operation rent, CancellationToken cancellationToken)
    {
        try
        {
            var pooled = await waiter.Task.WaitAsync(Options.RentTimeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            _observer.Rented(rent);
            return Lease(pooled);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Give up only if no sandbox was handed over meanwhile; if one was, use it after all.
            if (!waiter.TrySetCanceled(CancellationToken.None))
            {
                _observer.Rented(rent);
                return Lease(await waiter.Task.ConfigureAwait(false));
            }

            lock (_lock)
            {
                _waiting--;
            }

            var failure = e is TimeoutException ? Exhausted() : e;
            _observer.RentFailed(rent, failure);
            if (failure == e)
            {
                throw;
            }

            throw failure;
        }
        catch (Exception e)
        {
            _observer.RentFailed(rent, e);
            throw;
        }
    }

    /// <summary>
    /// Renters that gave up stay queued until a sandbox comes by; when they outnumber those still waiting, drop them
    /// now, so a pool whose sandboxes are all stuck does not collect them without bound. Called under the lock.
    /// </summary>
    private void DropGivenUpWaiters()
    {
        if (_waiters.Count > 2 * _waiting + 16)
        {
            var waiting = _waiters.Where(w => !w.Task.IsCompleted).ToArray();
            _waiters.Clear();
            foreach (var waiter in waiting)
            {
                _waiters.Enqueue(waiter);
            }
        }
    }

    private SandboxPoolExhaustedException Exhausted()
    {
        var timeout = Options.RentTimeout!.Value;
        _observer.Exhausted(timeout, Rented, Options.MaxSize);
        return new SandboxPoolExhaustedException(
            $"No sandbox of pool '{Options.Name}' became free within {timeout.TotalMilliseconds:0} ms: all {Rented} of at most {Options.MaxSize} stayed rented.");
    }

    /// <summary>Takes a lease's sandbox back: restored and made available, or retired and replaced.</summary>
    internal void Return(PooledSandbox pooled)
    {
        var sandbox = pooled.Sandbox;
        sandbox.Data = null;
        if (Volatile.Read(ref _disposed))
        {
            lock (_lock)
            {
                _rented--;
            }

            sandbox.InterruptHandle.Kill();
            sandbox.Dispose();
            return;
        }

        var reason = sandbox.State switch
        {
            SandboxState.Poisoned => "poisoned",
            SandboxState.Unrecoverable => "unrecoverable",
            SandboxState.Disposed => "disposed",
            _ => pooled.Uses >= Options.MaxUses ? "max_uses" : null,
        };
        if (reason is null)
        {
            try
            {
                sandbox.Restore(_snapshot);
            }
            catch (SandboxBusyException)
            {
                // Returned while a call still runs on another thread (an abandoned CallAsync): stop it and let it go.
                reason = "abandoned";
            }
            catch (Exception e) when (e is SandboxException or ObjectDisposedException)
            {
                reason = "restore_failed";
            }
        }

        if (reason is null)
        {
            MakeAvailable(pooled, Arrival.Returned);
            return;
        }

        // Its replacement is counted in the same step that stops counting it, so the pool never looks empty meanwhile
        // (a health probe would answer 503 while both of two sandboxes are retired); it starts once this one is gone,
        // so no more than MaxSize VMs ever exist.
        int replacements;
        lock (_lock)
        {
            _rented--;
            replacements = ClaimCreations();
        }

        sandbox.InterruptHandle.Kill();
        sandbox.Dispose();
        Interlocked.Increment(ref _retired);
        _observer.Retired(reason, pooled.Uses);
        StartCreations(replacements);
    }

    /// <summary>
    /// Hands a ready sandbox to the first renter still waiting, or keeps it idle; disposes it if the pool is gone. It stops
    /// counting as rented or in creation (<paramref name="arrival"/>) under the same lock that counts it idle or rented
    /// anew, so <see cref="Replenish"/> never sees it missing and creates one too many.
    /// </summary>
    private void MakeAvailable(PooledSandbox pooled, Arrival arrival)
    {
        var handed = false;
        bool disposed;
        lock (_lock)
        {
            if (arrival == Arrival.Returned)
            {
                _rented--;
            }
            else if (arrival == Arrival.Created)
            {
                _creating--;
            }

            disposed = _disposed;
            while (!disposed && _waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(pooled))
                {
                    _waiting--;
                    _rented++;
                    handed = true;
                    break;
                }
            }

            if (!disposed && !handed)
            {
                _idle.Push(pooled);
            }
        }

        if (disposed)
        {
            pooled.Sandbox.Dispose();
            if (arrival == Arrival.Created)
            {
                lock (_lock)
                {
                    SettleCreationsIfDisposed();
                }
            }

            return;
        }

        CheckWarm();
    }

    /// <summary>Starts background creations until idle and coming sandboxes cover the waiting renters plus <see cref="SandboxPoolOptions.MinIdle"/>.</summary>
    private void Replenish()
    {
        int toCreate;
        lock (_lock)
        {
            toCreate = ClaimCreations();
        }

        StartCreations(toCreate);
    }

    /// <summary>
    /// How many sandboxes to create now, counted in <see cref="_creating"/> at once; the caller starts them
    /// (<see cref="StartCreations"/>) after leaving the lock. Called under the lock.
    /// </summary>
    private int ClaimCreations()
    {
        if (_disposed)
        {
            return 0;
        }

        var wanted = _waiting + Options.MinIdle - _idle.Count - _creating;
        var room = Options.MaxSize - (_idle.Count + _rented + _creating);
        var toCreate = Math.Max(0, Math.Min(wanted, room));
        _creating += toCreate;
        return toCreate;
    }

    private void StartCreations(int count)
    {
        for (var i = 0; i < count; i++)
        {
            VcpuThreads.Queue(new Creation(this));
        }
    }

    /// <summary>Completes <see cref="WarmUpAsync"/> once <see cref="SandboxPoolOptions.MinIdle"/> sandboxes exist, not merely are being created.</summary>
    private void CheckWarm()
    {
        if (_warm.Task.IsCompleted)
        {
            return;
        }

        int existing;
        lock (_lock)
        {
            existing = _idle.Count + _rented;
        }

        if (existing >= Math.Max(1, Options.MinIdle))
        {
            _warm.TrySetResult();
        }
    }

    /// <summary>Where a sandbox comes from when it becomes available.</summary>
    private enum Arrival
    {
        /// <summary>The pool's first sandbox, counted nowhere yet.</summary>
        Started,

        /// <summary>A background creation, counted in <see cref="_creating"/>.</summary>
        Created,

        /// <summary>A returned lease's, counted in <see cref="_rented"/>.</summary>
        Returned,
    }

    /// <summary>Creates one sandbox on a HyperSharp thread; a failure goes to the renter waiting longest, if any.</summary>
    private sealed class Creation(SandboxPool pool) : VcpuThreads.IWorkItem
    {
        public void Run()
        {
            Sandbox sandbox;
            try
            {
                sandbox = Sandbox.FromSnapshot(pool._snapshot, pool._hostFunctions, pool.Options.Sandbox);
            }
#pragma warning disable CA1031 // A failure here has no caller of its own: it goes to a waiting renter and the log.
            catch (Exception e)
#pragma warning restore CA1031
            {
                pool.CreationFailed(e);
                return;
            }

            Interlocked.Increment(ref pool._created);
            pool.MakeAvailable(new PooledSandbox(sandbox), Arrival.Created);
        }
    }

    private void CreationFailed(Exception failure)
    {
        bool disposed;
        lock (_lock)
        {
            _creating--;
            SettleCreationsIfDisposed();
            disposed = _disposed;
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetException(failure))
                {
                    _waiting--;
                    break;
                }
            }
        }

        if (!disposed)
        {
            _observer.CreationFailed(failure);
        }
    }
}
