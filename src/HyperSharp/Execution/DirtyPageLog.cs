using System.Numerics;
using HyperSharp.Hypervisors;

namespace HyperSharp.Execution;

/// <summary>
/// Which guest pages a restore must copy back, read from the VM's dirty log, and which pages it leaves writable.
/// </summary>
/// <remarks>
/// Every run writes some pages again — the stack, the allocator's and an interpreter's hot structures. A page
/// protected at restore costs the guest a write-protection fault on its next write, ~16 µs each under the nested
/// paging of this project's CI machine (docs/performance.md), while copying it back costs well under a microsecond.
/// So a page written in two intervals in a row is left writable: the backend keeps reporting it dirty, and every
/// restore copies it back whether or not it was written. At most <see cref="MaxWritablePages"/> pages are left so,
/// bounding the copying wasted on pages no longer written, and every <see cref="RelearnInterval"/> restores all pages
/// are protected again so the set follows what the guest writes now. Backends that protect every page when the log
/// is read (<see cref="IVirtualMachine.ProtectPages"/>) keep their behaviour: only new writes are reported.
/// </remarks>
internal sealed class DirtyPageLog
{
    /// <summary>
    /// At most this many pages are left writable: 2 MiB copied per restore if none of them was written (~70 µs here,
    /// against the ~8 ms of faults they cost when they are: a Lua script that writes 83 pages a run needs this many).
    /// </summary>
    public const int MaxWritablePages = 512;

    /// <summary>Every this many restores, every page is protected again.</summary>
    public const int RelearnInterval = 64;

    private readonly IVirtualMachine _vm;
    private readonly ulong[] _dirty;
    private readonly ulong[] _previous;
    private readonly ulong[] _protect;
    private int _restoresSinceRelearn;

    public DirtyPageLog(IVirtualMachine vm, int bitmapLength)
    {
        _vm = vm;
        _dirty = new ulong[bitmapLength];
        _previous = new ulong[bitmapLength];
        _protect = new ulong[bitmapLength];
    }

    /// <summary>
    /// The pages to copy back: those written since they were last protected, and those left writable. Protects them
    /// again except the ones written in the interval before as well. The returned bitmap is this log's own, valid until
    /// the next call; the caller may add the pages only the host writes.
    /// </summary>
    public Span<ulong> TakeForRestore()
    {
        _vm.GetDirtyPages(0, _dirty);
        var keep = ++_restoresSinceRelearn < RelearnInterval;
        if (keep)
        {
            var writable = 0;
            for (var i = 0; i < _dirty.Length; i++)
            {
                var again = _dirty[i] & _previous[i];
                writable += BitOperations.PopCount(again);
                _protect[i] = _dirty[i] & ~again;
            }

            keep = writable <= MaxWritablePages;
        }

        if (!keep)
        {
            _dirty.CopyTo(_protect);
            _restoresSinceRelearn = 0;
        }

        _dirty.CopyTo(_previous);
        _vm.ProtectPages(0, _protect);
        return _dirty;
    }

    /// <summary>After memory was remapped every page is the snapshot's again: protect every page and start afresh.</summary>
    public void Forget()
    {
        _vm.GetDirtyPages(0, _dirty);
        _vm.ProtectPages(0, _dirty);
        Array.Clear(_previous);
        _restoresSinceRelearn = 0;
    }
}
