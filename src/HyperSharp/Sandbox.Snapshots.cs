using HyperSharp.Execution;
using HyperSharp.Hypervisors;
using HyperSharp.Memory;
using HyperSharp.Telemetry;

namespace HyperSharp;

/// <summary>Snapshots of a sandbox: taking one, and returning to one in proportion to the pages dirtied since.</summary>
public sealed partial class Sandbox
{
    /// <summary>
    /// Captures guest memory and vCPU state. Afterwards the sandbox's memory is a copy-on-write view of
    /// the snapshot, so <see cref="Restore()"/> back to it costs in proportion to the pages dirtied since.
    /// </summary>
    /// <returns>A snapshot owned by the caller; dispose it when no longer needed for new sandboxes or restores.</returns>
    /// <exception cref="SandboxPoisonedException">The sandbox is poisoned: its state is not worth keeping.</exception>
    /// <exception cref="SandboxBusyException">Another thread is using the sandbox.</exception>
    public Snapshot Snapshot()
    {
        Enter();
        try
        {
            ThrowIfNotReady();
            var vcpu = _vm.CaptureState();
            var image = _memory.Capture();
            var snapshot = new Snapshot(image, _layout, vcpu, _guestFunctions, [.. _hostFunctions.Values], _generation + 1);
            try
            {
                _memory.Remap(image);
                ForgetDirtyPages();
            }
            catch (Exception e)
            {
                snapshot.Dispose();
                throw BecomeUnrecoverable("Remapping guest memory onto the new snapshot failed", e);
            }

            _current = snapshot;
            _generation = snapshot.Generation;
            _unchangedSinceRestore = true;
            return snapshot;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Returns to the snapshot this sandbox last took, restored or was created from. Recovers a poisoned sandbox.</summary>
    /// <exception cref="InvalidOperationException">The sandbox has no snapshot yet.</exception>
    /// <inheritdoc cref="Restore(HyperSharp.Snapshot)"/>
    public void Restore() => Restore(_current ?? throw new InvalidOperationException("The sandbox has no snapshot to return to: take one with Snapshot() first."));

    /// <summary>
    /// Returns guest memory and all guest-visible vCPU state to <paramref name="snapshot"/>, which may come
    /// from another sandbox with the same layout and host functions. Recovers a poisoned sandbox. The guest's
    /// random source is reseeded.
    /// </summary>
    /// <exception cref="SnapshotMismatchException">The layout or recorded host functions differ, or the vCPU state does not fit this host; the sandbox is unchanged.</exception>
    /// <exception cref="SandboxUnrecoverableException">The restore failed halfway; the sandbox refuses everything from now on.</exception>
    /// <exception cref="ObjectDisposedException">The snapshot, not current to this sandbox, was disposed.</exception>
    public void Restore(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Enter();
        var restore = SandboxObserver.StartRestore();
        try
        {
            var pages = RestoreEntered(snapshot);
            _observer.Restored(restore, _generation, pages);
        }
        catch (Exception e)
        {
            _observer.RestoreFailed(restore, e, unrecoverable: _unrecoverableCause is not null);
            throw;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The restore itself, with the sandbox entered; returns the pages copied back.</summary>
    private long RestoreEntered(Snapshot snapshot)
    {
        ThrowIfUnrecoverable();
        // The current snapshot was checked when it became current; only another one needs checking.
        var current = ReferenceEquals(snapshot, _current);
        if (!current)
        {
            var mismatches = snapshot.LayoutMismatches(_layout);
            mismatches.AddRange(snapshot.MissingHostFunctions(_hostFunctions));
            mismatches.AddRange(HypervisorBackend.Current.StateMismatches(snapshot.Vcpu));
            if (mismatches.Count > 0)
            {
                throw new SnapshotMismatchException("The snapshot cannot be restored into this sandbox", mismatches);
            }

            ObjectDisposedException.ThrowIf(snapshot.IsDisposed, snapshot);
        }

        if (current && _unchangedSinceRestore && _buffers.InputWritten == 0)
        {
            return 0;
        }

        long pages = 0;
        try
        {
            if (current)
            {
                pages = DropDirtyPages();
            }
            else
            {
                _memory.Remap(snapshot.Memory);
                ForgetDirtyPages();
            }

            _vm.RestoreState(snapshot.Vcpu);
            Reseed(_memory);
        }
        catch (Exception e)
        {
            throw BecomeUnrecoverable("Restoring the snapshot failed halfway", e);
        }

        _current = snapshot;
        _guestFunctions = snapshot.GuestFunctionTable;
        _generation = snapshot.Generation;
        _poisonCause = null;
        _unchangedSinceRestore = true;
        return pages;
    }

    /// <summary>
    /// Returns memory to the current snapshot by copying back the pages written since it was taken or last
    /// restored: those the VM's dirty log reports for the guest (<see cref="DirtyPageLog"/>), plus the ones only the
    /// host writes (the PEB, which <see cref="Reseed"/> rewrites, and as much of the input buffer as the host wrote into).
    /// </summary>
    private long DropDirtyPages()
    {
        var dirty = _dirtyPages.TakeForRestore();
        PageBitmap.MarkRange(dirty, GuestAbi.PebAddress, GuestAbi.PageSize);
        if (_buffers.InputWritten > 0)
        {
            PageBitmap.MarkRange(dirty, _layout.InputBase, _buffers.InputWritten);
        }

        _buffers.ForgetInputWritten();
        return _memory.Reset(dirty);
    }

    /// <summary>After a remap every page is the snapshot's again: start a new dirty-log interval.</summary>
    private void ForgetDirtyPages()
    {
        _dirtyPages.Forget();
        _buffers.ForgetInputWritten();
    }

    /// <summary>Gives the guest a new random seed; it reseeds on its next call, so restored sandboxes never repeat a sequence.</summary>
    private static void Reseed(GuestMemory memory) =>
        ParameterBlock.Reseed(memory, GuestImageBuilder.NewSeed(), (ulong)Interlocked.Increment(ref s_seedGeneration));
}
