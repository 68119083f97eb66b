using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>What <see cref="RegularFile.TryOpen"/> found at a path.</summary>
internal enum RegularFileStatus
{
    /// <summary>A regular file, now open.</summary>
    Opened,

    /// <summary>Nothing there, or a path component that is not a directory.</summary>
    Missing,

    /// <summary>A symbolic link, where links are refused.</summary>
    SymbolicLink,

    /// <summary>A directory, FIFO, device or socket.</summary>
    NotRegular,

    /// <summary>open or fstat failed for another reason (permissions, I/O).</summary>
    Failed,
}

/// <summary>
/// The one way HyperSharp opens a file it reads (guest binaries, snapshot layout files, the CLI's <c>@file</c>
/// arguments): <c>O_RDONLY | O_NONBLOCK | O_CLOEXEC</c>, plus <c>O_NOFOLLOW</c> where links are refused, then
/// <c>fstat</c> on that descriptor must say regular file. <c>O_NONBLOCK</c> makes opening a FIFO with no writer return at
/// once instead of blocking forever, so a FIFO, device, socket or directory is refused without waiting; every later
/// read goes through the descriptor that was checked, so a file swapped after the check is never read.
/// </summary>
internal sealed class RegularFile : IDisposable
{
    private SafeFileDescriptor? _descriptor;

    private RegularFile(SafeFileDescriptor descriptor, long length)
    {
        _descriptor = descriptor;
        Length = length;
    }

    /// <summary>The size <c>fstat</c> reported when the file was opened.</summary>
    public long Length { get; }

    /// <summary>
    /// Opens <paramref name="path"/>: relative to <paramref name="directory"/> when one is given, else as a path.
    /// <paramref name="problem"/> says what was found instead when the result is not <see cref="RegularFileStatus.Opened"/>,
    /// as a phrase that follows the path: "does not exist", "is a FIFO", "cannot be opened: Permission denied".
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character, which would cut it short.</exception>
    public static RegularFileStatus TryOpen(SafeFileDescriptor? directory, string path, bool followSymlinks, out RegularFile? file, out string problem)
    {
        RequireNativePath(path, nameof(path));
        file = null;
        var flags = Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC | (followSymlinks ? 0 : Libc.O_NOFOLLOW);
        var descriptor = new SafeFileDescriptor(directory is null ? Libc.Open(path, flags) : Libc.OpenAt(directory, path, flags, 0));
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

        file = new RegularFile(descriptor, stat.StSize);
        problem = string.Empty;
        return RegularFileStatus.Opened;
    }

    /// <summary>Refuses what Linux cannot take as a path: marshalling would cut a string at its first NUL.</summary>
    /// <exception cref="ArgumentException">The path is empty or holds a NUL character.</exception>
    public static void RequireNativePath(string path, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, parameterName);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path holds a NUL character, which no Linux path can.", parameterName);
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from <paramref name="offset"/>; false when the file ends first (it shrank
    /// since it was opened).
    /// </summary>
    /// <exception cref="SandboxIOException">pread failed; <paramref name="path"/> names the file in the message.</exception>
    public unsafe bool TryReadExactly(Span<byte> destination, long offset, string path)
    {
        var descriptor = _descriptor ?? throw new ObjectDisposedException(path);
        while (!destination.IsEmpty)
        {
            nint read;
            // SAFETY: fixed pins destination for the call; the kernel writes at most its length.
            fixed (byte* buffer = destination)
            {
                read = Libc.PRead(descriptor, buffer, (nuint)destination.Length, offset);
            }

            if (read < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw new SandboxIOException(path, $"Reading {path} failed: {Libc.DescribeErrno(errno)}.");
            }

            if (read == 0)
            {
                return false;
            }

            destination = destination[(int)read..];
            offset += read;
        }

        return true;
    }

    /// <summary>Hands the descriptor to the caller (for mapping); this object no longer closes it.</summary>
    public SafeFileDescriptor TakeDescriptor()
    {
        var descriptor = _descriptor ?? throw new ObjectDisposedException(nameof(RegularFile));
        _descriptor = null;
        return descriptor;
    }

    public void Dispose() => _descriptor?.Dispose();

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
