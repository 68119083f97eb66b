using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HyperSharp.Interop;
using HyperSharp.Interop.Windows;

namespace HyperSharp.Memory;

/// <summary>
/// <c>CreateFileMappingW(PAGE_WRITECOPY)</c> + <c>MapViewOfFile(FILE_MAP_COPY)</c>: Windows' copy-on-write view of
/// a file, needing only read access to it. Unlike Linux, asking for more bytes than the file holds fails here
/// (a write-copy section cannot grow its file) instead of faulting later. Runs once the Windows backend exists.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsCopyOnWriteMapper : ICopyOnWriteMapper
{
    public SafeMappedView MapCopyOnWrite(SafeHandle file, ulong size)
    {
        using var section = Kernel32.CreateFileMappingW(file, 0, Kernel32.PAGE_WRITECOPY, (uint)(size >> 32), (uint)size, 0);
        if (section.IsInvalid)
        {
            throw new HypervisorException("CreateFileMappingW(PAGE_WRITECOPY)", Marshal.GetLastPInvokeError());
        }

        var address = Kernel32.MapViewOfFile(section, Kernel32.FILE_MAP_COPY, 0, 0, (nuint)size);
        if (address == 0)
        {
            throw new HypervisorException("MapViewOfFile(FILE_MAP_COPY)", Marshal.GetLastPInvokeError());
        }

        // The view holds its own reference to the section, so closing the section handle above leaves it mapped.
        return new SafeViewOfFile(address, (nuint)size);
    }
}
