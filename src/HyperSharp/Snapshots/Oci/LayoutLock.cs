using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// An exclusive <c>flock</c> on a layout directory itself, held by every HyperSharp write to it (save, delete and
/// the blob collection after them), so two writers never interleave: a saver's new blobs cannot be collected before
/// its index commit, and neither writer loses the other's tags. Advisory: readers do not take it (they need not,
/// since files are only ever renamed into place or unlinked), and tools other than HyperSharp ignore it. Locking the
/// directory rather than a lock file adds nothing to the layout, and the kernel drops the lock when its holder
/// exits, so a crash never leaves a stale lock behind.
/// </summary>
internal sealed class LayoutLock : IDisposable
{
    private readonly SafeFileDescriptor _directory;

    private LayoutLock(SafeFileDescriptor directory) => _directory = directory;

    /// <summary>Waits for and takes the lock on <paramref name="layout"/>'s root directory.</summary>
    public static LayoutLock Acquire(LayoutDirectory layout)
    {
        // A descriptor of its own for the same directory: closing it releases exactly this lock.
        var descriptor = new SafeFileDescriptor(Libc.OpenAt(layout.Root, ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0));
        if (descriptor.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            throw new SandboxIOException(layout.Path, $"open({layout.Path}) to lock it failed: {Libc.DescribeErrno(errno)}");
        }

        try
        {
            while (Libc.Flock(descriptor, Libc.LOCK_EX) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR)
                {
                    throw new SandboxIOException(layout.Path, $"flock({layout.Path}, LOCK_EX) failed: {Libc.DescribeErrno(errno)}");
                }
            }

            return new LayoutLock(descriptor);
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>Closes the descriptor, which releases the lock.</summary>
    public void Dispose() => _directory.Dispose();
}
