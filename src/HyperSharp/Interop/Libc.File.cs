using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>flock</c> (<c>sys/file.h</c>): advisory whole-file locks, released when the descriptor closes.</summary>
internal static partial class Libc
{
    public const int LOCK_EX = 2;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeFileDescriptor fd, int operation);
}
