using System.Runtime.InteropServices;
using HyperSharp.FileSystems;

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

    /// <summary>A directory, FIFO, device or socket (for a directory opened as one: anything but a directory).</summary>
    NotRegular,

    /// <summary>Opening or examining it failed for another reason (permissions, I/O).</summary>
    Failed,
}

/// <summary>
/// The one way HyperSharp opens a file it reads (guest binaries, snapshot layout files, the CLI's <c>@file</c>
/// arguments): read-only, never blocking, without following a link where links are refused, and proven a regular file
/// on the handle that was opened (<see cref="IFileSystem.TryOpenRegular"/>, per OS). A FIFO, device, socket or
/// directory is refused without waiting; every later read goes through the handle that was checked, so a file swapped
/// after the check is never read.
/// </summary>
internal sealed class RegularFile : IDisposable
{
    private SafeHandle? _handle;

    private RegularFile(SafeHandle handle, long length)
    {
        _handle = handle;
        Length = length;
    }

    /// <summary>The size the OS reported when the file was opened.</summary>
    public long Length { get; }

    /// <summary>
    /// Opens <paramref name="path"/>: relative to <paramref name="directory"/> when one is given, else as a path.
    /// <paramref name="problem"/> says what was found instead when the result is not <see cref="RegularFileStatus.Opened"/>,
    /// as a phrase that follows the path: "does not exist", "is a FIFO", "cannot be opened: Permission denied".
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or holds a NUL character, which would cut it short.</exception>
    public static RegularFileStatus TryOpen(SafeHandle? directory, string path, bool followSymlinks, out RegularFile? file, out string problem)
    {
        RequireNativePath(path, nameof(path));
        var status = FileSystem.Current.TryOpenRegular(directory, path, followSymlinks, out var handle, out var length, out problem);
        file = status == RegularFileStatus.Opened ? new RegularFile(handle!, length) : null;
        return status;
    }

    /// <summary>Refuses what no OS can take as a path: marshalling would cut a string at its first NUL.</summary>
    /// <exception cref="ArgumentException">The path is empty or holds a NUL character.</exception>
    public static void RequireNativePath(string path, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path, parameterName);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The path holds a NUL character, which no path can.", parameterName);
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from <paramref name="offset"/>; false when the file ends first (it shrank
    /// since it was opened).
    /// </summary>
    /// <exception cref="SandboxIOException">The read failed; <paramref name="path"/> names the file in the message.</exception>
    public bool TryReadExactly(Span<byte> destination, long offset, string path)
    {
        var handle = _handle ?? throw new ObjectDisposedException(path);
        while (!destination.IsEmpty)
        {
            var read = FileSystem.Current.Read(handle, destination, offset, path);
            if (read == 0)
            {
                return false;
            }

            destination = destination[read..];
            offset += read;
        }

        return true;
    }

    /// <summary>Hands the handle to the caller (for mapping); this object no longer closes it.</summary>
    public SafeHandle TakeHandle()
    {
        var handle = _handle ?? throw new ObjectDisposedException(nameof(RegularFile));
        _handle = null;
        return handle;
    }

    public void Dispose() => _handle?.Dispose();
}
