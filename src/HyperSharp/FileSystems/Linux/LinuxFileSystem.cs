using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.FileSystems.Linux;

/// <summary>
/// Files on Linux: descriptors, and every name resolved relative to a directory descriptor (<c>openat</c>,
/// <c>mkdirat</c>, <c>renameat</c>, <c>unlinkat</c>), with <c>O_NOFOLLOW</c> where links are refused, so a directory
/// replaced by a link after it was opened is never followed. Files are opened <c>O_RDONLY | O_NONBLOCK | O_CLOEXEC</c>
/// and proven regular by <c>fstat</c> on that descriptor: <c>O_NONBLOCK</c> makes opening a FIFO with no writer return
/// at once instead of blocking forever. Locks are <c>flock</c> on a directory descriptor of their own.
/// </summary>
internal sealed class LinuxFileSystem : IFileSystem
{
    public RegularFileStatus TryOpenRegular(SafeHandle? directory, string name, bool followSymlinks, out SafeHandle? file, out long length, out string problem)
    {
        file = null;
        length = 0;
        var flags = Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC | (followSymlinks ? 0 : Libc.O_NOFOLLOW);
        var descriptor = new SafeFileDescriptor(directory is null ? Libc.Open(name, flags) : Libc.OpenAt(Descriptor(directory), name, flags, 0));
        if (descriptor.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            (var status, problem) = errno switch
            {
                Libc.ENOENT or Libc.ENOTDIR => (RegularFileStatus.Missing, "does not exist"),
                Libc.ELOOP when !followSymlinks => (RegularFileStatus.SymbolicLink, "is a symbolic link"),
                // What open(2) says of a socket, or of a device file with no driver behind it.
                Libc.ENXIO => (RegularFileStatus.NotRegular, "is a socket or a device with nothing behind it, not a regular file"),
                _ => (RegularFileStatus.Failed, $"cannot be opened: {Libc.DescribeErrno(errno)}"),
            };
            return status;
        }

        if (Libc.FStat(descriptor, out var stat) < 0)
        {
            problem = $"cannot be examined (fstat): {Libc.DescribeErrno(Marshal.GetLastPInvokeError())}";
            descriptor.Dispose();
            return RegularFileStatus.Failed;
        }

        if ((stat.StMode & Libc.S_IFMT) != Libc.S_IFREG)
        {
            problem = $"is {DescribeType(stat.StMode)}, not a regular file";
            descriptor.Dispose();
            return RegularFileStatus.NotRegular;
        }

        file = descriptor;
        length = stat.StSize;
        problem = string.Empty;
        return RegularFileStatus.Opened;
    }

    public RegularFileStatus TryOpenDirectory(SafeHandle? parent, string name, bool followSymlinks, out SafeHandle? directory, out string problem)
    {
        directory = null;
        var flags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC | (followSymlinks ? 0 : Libc.O_NOFOLLOW);
        var descriptor = new SafeFileDescriptor(parent is null ? Libc.Open(name, flags) : Libc.OpenAt(Descriptor(parent), name, flags, 0));
        if (!descriptor.IsInvalid)
        {
            directory = descriptor;
            problem = string.Empty;
            return RegularFileStatus.Opened;
        }

        var errno = Marshal.GetLastPInvokeError();
        descriptor.Dispose();
        (var status, problem) = errno switch
        {
            Libc.ENOENT => (RegularFileStatus.Missing, "does not exist"),
            // O_DIRECTORY | O_NOFOLLOW reports a link as ENOTDIR, as it does a file: tell them apart for the message.
            Libc.ENOTDIR or Libc.ELOOP when !followSymlinks && IsSymbolicLink(parent, name) =>
                (RegularFileStatus.SymbolicLink, "is a symbolic link; no link below the layout directory is followed"),
            Libc.ENOTDIR or Libc.ELOOP when !followSymlinks => (RegularFileStatus.NotRegular, "is not a directory"),
            Libc.ENOTDIR => (RegularFileStatus.NotRegular, "is not a directory"),
            _ => (RegularFileStatus.Failed, $"cannot be opened: {Libc.DescribeErrno(errno)}"),
        };
        return status;
    }

    public unsafe int Read(SafeHandle file, Span<byte> destination, long offset, string path)
    {
        while (true)
        {
            nint read;
            // SAFETY: fixed pins destination for the call; the kernel writes at most its length.
            fixed (byte* buffer = destination)
            {
                read = Libc.PRead(Descriptor(file), buffer, (nuint)destination.Length, offset);
            }

            if (read >= 0)
            {
                return (int)read;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                throw new SandboxIOException(path, $"Reading {path} failed: {Libc.DescribeErrno(errno)}.");
            }
        }
    }

    public bool TryCreateDirectory(SafeHandle parent, string name, string path)
    {
        if (Libc.MkdirAt(Descriptor(parent), name, Libc.NewDirectoryMode) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EEXIST ? false : throw new SandboxIOException(path, $"{path} cannot be created: {Libc.DescribeErrno(errno)}.");
    }

    /// <summary>Lists through the descriptor's own <c>/proc/self/fd</c> entry (so procfs must be mounted).</summary>
    public List<string> EnumerateNames(SafeHandle directory, string path)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{Descriptor(directory).Number}").Select(entry => Path.GetFileName(entry))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SandboxIOException(path, $"{path} cannot be listed: {e.Message}", e);
        }
    }

    /// <summary><c>O_CREAT | O_EXCL | O_NOFOLLOW</c>: always a new regular file.</summary>
    public SafeHandle CreateNewFile(SafeHandle directory, string name, string path)
    {
        var file = new SafeFileDescriptor(Libc.OpenAt(Descriptor(directory), name,
            Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, Libc.NewFileMode));
        if (file.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw Failed(path, "create", errno);
        }

        return file;
    }

    public unsafe void Write(SafeHandle file, ReadOnlySpan<byte> data, long offset, string path)
    {
        // SAFETY: fixed pins data for the call, which reads exactly its length.
        fixed (byte* pointer = data)
        {
            if (DescriptorWrites.WriteAll(Descriptor(file), pointer, data.Length, offset) is not 0 and var errno)
            {
                throw Failed(path, "write", errno);
            }
        }
    }

    /// <summary><c>ftruncate</c>: growing leaves a hole.</summary>
    public void SetLength(SafeHandle file, long length, string path)
    {
        if (Libc.FTruncate(Descriptor(file).Number, length) < 0)
        {
            throw Failed(path, "ftruncate", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary><c>fsync</c>, on a file or a directory alike.</summary>
    public void Flush(SafeHandle fileOrDirectory, string path)
    {
        if (Libc.FSync(Descriptor(fileOrDirectory)) < 0)
        {
            throw Failed(path, "fsync", Marshal.GetLastPInvokeError());
        }
    }

    public void Rename(SafeHandle directory, string from, string to, string path)
    {
        var descriptor = Descriptor(directory);
        if (Libc.RenameAt(descriptor, from, descriptor, to) < 0)
        {
            throw Failed(path, "rename into place", Marshal.GetLastPInvokeError());
        }
    }

    public bool TryDelete(SafeHandle directory, string name) => Libc.UnlinkAt(Descriptor(directory), name, 0) == 0;

    /// <summary>
    /// <c>flock(LOCK_EX)</c> on a descriptor of its own for the same directory, so closing it releases exactly this
    /// lock; the kernel drops it when the holder dies.
    /// </summary>
    public IDisposable Lock(SafeHandle directory, string path)
    {
        var descriptor = new SafeFileDescriptor(Libc.OpenAt(Descriptor(directory), ".", Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0));
        if (descriptor.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            descriptor.Dispose();
            throw new SandboxIOException(path, $"open({path}) to lock it failed: {Libc.DescribeErrno(errno)}");
        }

        try
        {
            while (Libc.Flock(descriptor, Libc.LOCK_EX) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR)
                {
                    throw new SandboxIOException(path, $"flock({path}, LOCK_EX) failed: {Libc.DescribeErrno(errno)}");
                }
            }

            return descriptor;
        }
        catch
        {
            descriptor.Dispose();
            throw;
        }
    }

    /// <summary>On Linux every file and directory is a descriptor this provider opened.</summary>
    private static SafeFileDescriptor Descriptor(SafeHandle handle) =>
        handle as SafeFileDescriptor ?? throw new ArgumentException($"A Linux file is a file descriptor, not a {handle.GetType().Name}.", nameof(handle));

    private bool IsSymbolicLink(SafeHandle? parent, string name)
    {
        var status = TryOpenRegular(parent, name, followSymlinks: false, out var file, out _, out _);
        file?.Dispose();
        return status == RegularFileStatus.SymbolicLink;
    }

    private static SandboxIOException Failed(string path, string operation, int errno) =>
        new(path, $"Cannot {operation} {path}: {Libc.DescribeErrno(errno)}.");

    private static string DescribeType(uint mode) => (mode & Libc.S_IFMT) switch
    {
        Libc.S_IFDIR => "a directory",
        Libc.S_IFIFO => "a FIFO",
        Libc.S_IFCHR => "a character device",
        Libc.S_IFBLK => "a block device",
        Libc.S_IFSOCK => "a socket",
        var type => $"of file type 0{Convert.ToString(type, 8)}",
    };
}
