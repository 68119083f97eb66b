using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary><c>fstat</c> and the two fields of <c>struct stat</c> (x86-64 glibc) the snapshot loader needs (<c>sys/stat.h</c>).</summary>
internal static partial class Libc
{
    public const uint S_IFMT = 0xF000;
    public const uint S_IFREG = 0x8000;

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
