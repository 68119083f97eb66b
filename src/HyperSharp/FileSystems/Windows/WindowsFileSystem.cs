using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HyperSharp.Interop;
using HyperSharp.Interop.Windows;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.FileSystems.Windows;

/// <summary>
/// Files on Windows: <c>CreateFileW</c> handles. Links are refused with <c>FILE_FLAG_OPEN_REPARSE_POINT</c>, which opens
/// a symbolic link or junction itself, and <c>GetFileInformationByHandle</c> on that handle then says what it is; a
/// device or pipe is refused by <c>GetFileType</c> before a byte is read. Windows has no <c>openat</c> in its documented
/// API, so a name "relative to a directory" is resolved against the directory's current path as its open handle reports
/// it (<c>GetFinalPathNameByHandleW</c>), and directories are held open without <c>FILE_SHARE_DELETE</c>, so they cannot
/// be renamed, replaced by a link or deleted while HyperSharp uses them. Files are opened for reading without
/// <c>FILE_SHARE_WRITE</c>: nobody can write a blob while it is loaded. Locks are named mutexes (see <see cref="Lock"/>).
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsFileSystem : IFileSystem
{
    /// <summary>No delete sharing: a directory held open cannot be renamed or deleted meanwhile.</summary>
    private const uint DirectoryShare = Kernel32.FILE_SHARE_READ | Kernel32.FILE_SHARE_WRITE;

    /// <summary>No write sharing: nobody can change a file while HyperSharp reads or maps it.</summary>
    private const uint ReadShare = Kernel32.FILE_SHARE_READ | Kernel32.FILE_SHARE_DELETE;

    public RegularFileStatus TryOpenRegular(SafeHandle? directory, string name, bool followSymlinks, out SafeHandle? file, out long length, out string problem)
    {
        file = null;
        length = 0;
        var status = Open(Resolve(directory, name), Kernel32.GENERIC_READ, ReadShare, followSymlinks, "a regular file", "is a symbolic link",
            out var handle, out var information, out problem);
        if (status != RegularFileStatus.Opened)
        {
            return status;
        }

        if ((information.FileAttributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0)
        {
            handle.Dispose();
            problem = "is a directory, not a regular file";
            return RegularFileStatus.NotRegular;
        }

        file = handle;
        length = information.FileSize;
        return RegularFileStatus.Opened;
    }

    public RegularFileStatus TryOpenDirectory(SafeHandle? parent, string name, bool followSymlinks, out SafeHandle? directory, out string problem)
    {
        directory = null;
        var status = Open(Resolve(parent, name), Kernel32.GENERIC_READ, DirectoryShare, followSymlinks, "a directory",
            "is a symbolic link; no link below the layout directory is followed", out var handle, out var information, out problem);
        if (status != RegularFileStatus.Opened)
        {
            return status;
        }

        if ((information.FileAttributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) == 0)
        {
            handle.Dispose();
            problem = "is not a directory";
            return RegularFileStatus.NotRegular;
        }

        directory = handle;
        return RegularFileStatus.Opened;
    }

    public int Read(SafeHandle file, Span<byte> destination, long offset, string path)
    {
        try
        {
            return RandomAccess.Read(FileHandle(file), destination, offset);
        }
        catch (IOException e)
        {
            throw new SandboxIOException(path, $"Reading {path} failed: {e.Message}", e);
        }
    }

    public bool TryCreateDirectory(SafeHandle parent, string name, string path)
    {
        if (Kernel32.CreateDirectoryW(Resolve(parent, name), 0))
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == Kernel32.ERROR_ALREADY_EXISTS ? false : throw Failed(path, "create", error);
    }

    public List<string> EnumerateNames(SafeHandle directory, string path)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(FinalPath(directory, path)).Select(entry => Path.GetFileName(entry))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SandboxIOException(path, $"{path} cannot be listed: {e.Message}", e);
        }
    }

    /// <summary><c>CREATE_NEW</c> fails on any existing entry, a link included, as <c>O_CREAT | O_EXCL</c> does.</summary>
    public SafeHandle CreateNewFile(SafeHandle directory, string name, string path)
    {
        var file = Kernel32.CreateFileW(Resolve(directory, name), Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, Kernel32.FILE_SHARE_READ, 0,
            Kernel32.CREATE_NEW, Kernel32.FILE_ATTRIBUTE_NORMAL | Kernel32.FILE_FLAG_OPEN_REPARSE_POINT, 0);
        if (file.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw Failed(path, "create", error);
        }

        return file;
    }

    public void Write(SafeHandle file, ReadOnlySpan<byte> data, long offset, string path)
    {
        try
        {
            RandomAccess.Write(FileHandle(file), data, offset);
        }
        catch (IOException e)
        {
            throw new SandboxIOException(path, $"Cannot write {path}: {e.Message}", e);
        }
    }

    /// <summary>NTFS leaves the bytes past the valid data length unwritten; they read as zero.</summary>
    public void SetLength(SafeHandle file, long length, string path)
    {
        try
        {
            RandomAccess.SetLength(FileHandle(file), length);
        }
        catch (IOException e)
        {
            throw new SandboxIOException(path, $"Cannot set the length of {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// <c>FlushFileBuffers</c> on a file. A directory needs none: Windows has no directory fsync, and NTFS journals
    /// its names; <see cref="Rename"/> writes through instead.
    /// </summary>
    public void Flush(SafeHandle fileOrDirectory, string path)
    {
        if (fileOrDirectory is not SafeFileHandle file || IsDirectory(file))
        {
            return;
        }

        try
        {
            RandomAccess.FlushToDisk(file);
        }
        catch (IOException e)
        {
            throw new SandboxIOException(path, $"Cannot flush {path}: {e.Message}", e);
        }
    }

    /// <summary><c>MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)</c>: a link at the target is replaced, not followed.</summary>
    public void Rename(SafeHandle directory, string from, string to, string path)
    {
        if (!Kernel32.MoveFileExW(Resolve(directory, from), Resolve(directory, to), Kernel32.MOVEFILE_REPLACE_EXISTING | Kernel32.MOVEFILE_WRITE_THROUGH))
        {
            throw Failed(path, "rename into place", Marshal.GetLastPInvokeError());
        }
    }

    public bool TryDelete(SafeHandle directory, string name)
    {
        try
        {
            File.Delete(Resolve(directory, name));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SandboxIOException)
        {
            return false;
        }
    }

    /// <summary>
    /// A named mutex per directory, named after the directory's volume serial number and file index (the same directory
    /// under any path or link gets the same name), in the session namespace (<c>Local\</c>): creating <c>Global\</c>
    /// objects needs a privilege ordinary users lack, so processes of other logon sessions do not see this lock. Windows
    /// releases a mutex whose owner died (it is "abandoned"), so a crash leaves no stale lock. A mutex belongs to a thread:
    /// the writer takes and releases it on one thread, as <c>Save</c> and <c>Delete</c> do.
    /// </summary>
    public IDisposable Lock(SafeHandle directory, string path)
    {
        if (!Kernel32.GetFileInformationByHandle(directory, out var information))
        {
            throw Failed(path, "lock", Marshal.GetLastPInvokeError());
        }

        var mutex = new Mutex(initiallyOwned: false, $"Local\\hypersharp-layout-{information.VolumeSerialNumber:x8}-{information.FileIndexHigh:x8}{information.FileIndexLow:x8}");
        try
        {
            mutex.WaitOne();
        }
        catch (AbandonedMutexException)
        {
            // Its previous holder died mid-write; the lock is now ours, and the layout is as a crash leaves it (docs/snapshot-format.md).
        }

        return new HeldMutex(mutex);
    }

    /// <summary>
    /// <paramref name="name"/> in <paramref name="directory"/>'s current path, or <paramref name="name"/> itself as a path
    /// when there is no directory. A name relative to a directory must be one path component: a separator or <c>..</c>
    /// would leave the directory, which <c>openat</c> with a single name never does.
    /// </summary>
    private static string Resolve(SafeHandle? directory, string name)
    {
        if (directory is null)
        {
            return name;
        }

        if (name is "." or ".." || name.AsSpan().IndexOfAny('\\', '/', ':') >= 0)
        {
            throw new ArgumentException($"'{name}' is not a single name inside a directory.", nameof(name));
        }

        return Path.Join(FinalPath(directory, name), name);
    }

    /// <summary>The directory's path as its open handle reports it now, in the <c>\\?\</c> form that takes any length.</summary>
    private static unsafe string FinalPath(SafeHandle directory, string path)
    {
        var buffer = new char[512];
        while (true)
        {
            uint length;
            // SAFETY: fixed pins the buffer for the call, which writes at most buffer.Length characters (its size argument).
            fixed (char* pointer = buffer)
            {
                length = Kernel32.GetFinalPathNameByHandleW(directory, pointer, (uint)buffer.Length, Kernel32.FILE_NAME_NORMALIZED | Kernel32.VOLUME_NAME_DOS);
            }

            if (length == 0)
            {
                throw Failed(path, "find the directory of", Marshal.GetLastPInvokeError());
            }

            if (length < buffer.Length)
            {
                return new string(buffer, 0, (int)length);
            }

            buffer = new char[length];
        }
    }

    /// <summary>
    /// <c>CreateFileW(OPEN_EXISTING)</c> with <c>FILE_FLAG_BACKUP_SEMANTICS</c> (without it a directory cannot be opened
    /// at all, and could not be told apart from a permission error); <c>GetFileType</c> refuses what is not on a disk (a
    /// device such as <c>NUL</c>, a pipe) as not <paramref name="kind"/>; then <c>GetFileInformationByHandle</c>. Without
    /// <paramref name="followSymlinks"/> a link is opened as itself and refused, <paramref name="linkProblem"/> saying so.
    /// </summary>
    private static RegularFileStatus Open(string path, uint access, uint share, bool followSymlinks, string kind, string linkProblem,
        out SafeFileHandle handle, out ByHandleFileInformation information, out string problem)
    {
        information = default;
        var flags = Kernel32.FILE_FLAG_BACKUP_SEMANTICS | (followSymlinks ? 0 : Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);
        handle = Kernel32.CreateFileW(path, access, share, 0, Kernel32.OPEN_EXISTING, flags, 0);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            (var status, problem) = error switch
            {
                Kernel32.ERROR_FILE_NOT_FOUND or Kernel32.ERROR_PATH_NOT_FOUND or Kernel32.ERROR_INVALID_NAME => (RegularFileStatus.Missing, "does not exist"),
                _ => (RegularFileStatus.Failed, $"cannot be opened: {Describe(error)}"),
            };
            return status;
        }

        if (Kernel32.GetFileType(handle) is var type && type != Kernel32.FILE_TYPE_DISK)
        {
            handle.Dispose();
            problem = $"is {DescribeType(type)}, not {kind}";
            return RegularFileStatus.NotRegular;
        }

        if (!Kernel32.GetFileInformationByHandle(handle, out information))
        {
            problem = $"cannot be examined (GetFileInformationByHandle): {Describe(Marshal.GetLastPInvokeError())}";
            handle.Dispose();
            return RegularFileStatus.Failed;
        }

        if (!followSymlinks && (information.FileAttributes & Kernel32.FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        {
            handle.Dispose();
            problem = linkProblem;
            return RegularFileStatus.SymbolicLink;
        }

        problem = string.Empty;
        return RegularFileStatus.Opened;
    }

    private static bool IsDirectory(SafeFileHandle handle) =>
        Kernel32.GetFileInformationByHandle(handle, out var information) && (information.FileAttributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0;

    /// <summary>On Windows every file this provider opened is a <see cref="SafeFileHandle"/>.</summary>
    private static SafeFileHandle FileHandle(SafeHandle handle) =>
        handle as SafeFileHandle ?? throw new ArgumentException($"A Windows file is a SafeFileHandle, not a {handle.GetType().Name}.", nameof(handle));

    private static SandboxIOException Failed(string path, string operation, int error) =>
        new(path, $"Cannot {operation} {path}: {Describe(error)}.");

    /// <summary>Windows' text for a Win32 error, without the full stop it ends with: the messages here add their own.</summary>
    private static string Describe(int error) => Marshal.GetPInvokeErrorMessage(error).TrimEnd('.', ' ', '\r', '\n');

    private static string DescribeType(uint type) => type switch
    {
        Kernel32.FILE_TYPE_CHAR => "a character device",
        Kernel32.FILE_TYPE_PIPE => "a pipe or socket",
        _ => $"of file type {type}",
    };

    /// <summary>The mutex <see cref="Lock"/> took, released and closed exactly once.</summary>
    private sealed class HeldMutex(Mutex mutex) : IDisposable
    {
        private Mutex? _mutex = mutex;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _mutex, null) is { } held)
            {
                held.ReleaseMutex();
                held.Dispose();
            }
        }
    }
}
