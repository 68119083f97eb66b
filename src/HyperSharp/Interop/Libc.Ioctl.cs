using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>ioctl</c> (<c>sys/ioctl.h</c>) in the three shapes KVM uses: no argument, an integer, a pointer.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeFileDescriptor fd, nuint request, nint argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int Ioctl(SafeFileDescriptor fd, nuint request, void* argument);
}
