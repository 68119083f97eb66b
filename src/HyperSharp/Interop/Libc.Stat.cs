using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>fstat</c>, the file types, and the two fields of <c>struct stat</c> (x86-64 glibc) that prove a regular file and give its size (<c>sys/stat.h</c>).</summary>
internal static partial class Libc
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFREG = 0x8000;
    public const uint S_IFDIR = 0x4000;
    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;
    public const uint S_IFSOCK = 0xC000;

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int FStat(SafeFileDescriptor fd, out Stat stat);

    /// <summary><c>struct stat</c>: its full size, with only the file type/mode and size named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    internal struct Stat
    {
        [FieldOffset(24)]
        public uint StMode;

        [FieldOffset(48)]
        public long StSize;
    }
}
