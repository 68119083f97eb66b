using HyperSharp.FileSystems;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// An exclusive lock on a layout directory itself (<see cref="IFileSystem.Lock"/>: <c>flock</c> on Linux), held by every
/// HyperSharp write to it (save, delete and the blob collection after them), so two writers never interleave: a saver's
/// new blobs cannot be collected before its index commit, and neither writer loses the other's tags. Advisory: readers
/// do not take it (they need not, since files are only ever renamed into place or deleted), and tools other than
/// HyperSharp ignore it. Locking the directory rather than a lock file adds nothing to the layout, and the OS drops the
/// lock when its holder exits, so a crash never leaves a stale lock behind.
/// </summary>
internal sealed class LayoutLock : IDisposable
{
    private readonly IDisposable _lock;

    private LayoutLock(IDisposable held) => _lock = held;

    /// <summary>Waits for and takes the lock on <paramref name="layout"/>'s root directory.</summary>
    public static LayoutLock Acquire(LayoutDirectory layout) => new(FileSystem.Current.Lock(layout.Root, layout.Path));

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}
