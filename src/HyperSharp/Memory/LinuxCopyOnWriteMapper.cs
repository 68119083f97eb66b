using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Memory;

/// <summary>
/// <c>mmap(MAP_PRIVATE)</c>: the kernel shares the file's page-cache pages until a write, then copies the page into
/// this process. <c>MAP_NORESERVE</c> because a guest's memory is mostly never written, so reserving swap for all of
/// it up front would refuse large guests for no reason.
/// </summary>
internal sealed class LinuxCopyOnWriteMapper : ICopyOnWriteMapper
{
    public SafeMappedView MapCopyOnWrite(SafeHandle file, ulong size) =>
        SafeMemoryMapping.Map("mmap(MAP_PRIVATE)", (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE,
            Libc.MAP_PRIVATE | Libc.MAP_NORESERVE, file, 0);
}
