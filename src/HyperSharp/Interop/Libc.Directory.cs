using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>
/// <c>openat</c>, <c>mkdirat</c>, <c>renameat</c>, <c>unlinkat</c> (<c>fcntl.h</c>, <c>sys/stat.h</c>, <c>stdio.h</c>,
/// <c>unistd.h</c>): names resolved relative to a directory descriptor, so a path is walked one checked component at a time.
/// </summary>
internal static partial class Libc
{
    public const int O_WRONLY = 1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;

    /// <summary>Permission bits for new files and directories; the umask narrows them, as for <c>File.Create</c>.</summary>
    public const uint NewFileMode = 0x1B6; // 0666
    public const uint NewDirectoryMode = 0x1FF; // 0777

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(SafeFileDescriptor directory, string name, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(SafeFileDescriptor directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(SafeFileDescriptor fromDirectory, string from, SafeFileDescriptor toDirectory, string to);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(SafeFileDescriptor directory, string name, int flags);
}
