using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>open</c>, <c>close</c>, <c>ftruncate</c> (<c>fcntl.h</c>, <c>unistd.h</c>).</summary>
internal static partial class Libc
{
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);
}
