using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Memory;

/// <summary>
/// Maps a file into host memory copy-on-write: reads come from the file, and each page written becomes a private
/// copy of this process that never reaches the file, so a snapshot's memory blob can be opened read-only and still
/// back a writable guest. This is the one step of loading a snapshot whose system calls differ by OS: Linux uses
/// <c>mmap(MAP_PRIVATE)</c>, Windows <c>CreateFileMappingW(PAGE_WRITECOPY)</c> + <c>MapViewOfFile(FILE_MAP_COPY)</c>.
/// </summary>
internal interface ICopyOnWriteMapper
{
    /// <summary>The mapper for the OS this process runs on.</summary>
    static ICopyOnWriteMapper Current { get; } = OperatingSystem.IsWindows() ? new WindowsCopyOnWriteMapper() : new LinuxCopyOnWriteMapper();

    /// <summary>
    /// Maps the first <paramref name="size"/> bytes of <paramref name="file"/> readable and writable, copy-on-write.
    /// The file may be open read-only. The view keeps what it maps alive, so the caller may close
    /// <paramref name="file"/> afterwards; disposing the view unmaps it and drops its private pages.
    /// </summary>
    /// <param name="file">A file descriptor (Linux) or file handle (Windows) at least <paramref name="size"/> bytes long:
    /// on Linux, touching a page past the end of the file raises SIGBUS, which kills a .NET process.</param>
    /// <param name="size">Bytes to map, a multiple of the page size.</param>
    /// <exception cref="HypervisorException">The OS refused the mapping; the error number says why.</exception>
    SafeMappedView MapCopyOnWrite(SafeHandle file, ulong size);
}
