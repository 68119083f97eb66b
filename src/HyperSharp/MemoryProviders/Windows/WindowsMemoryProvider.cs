using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HyperSharp.Interop;
using HyperSharp.Interop.Windows;
using HyperSharp.Memory;

namespace HyperSharp.MemoryProviders.Windows;

/// <summary>
/// Guest memory on Windows. What exists is the copy-on-write load of a snapshot file:
/// <c>CreateFileMappingW(PAGE_WRITECOPY)</c> + <c>MapViewOfFile(FILE_MAP_COPY)</c>, which needs only read access to
/// the file (a <c>PAGE_READONLY</c> view would make the host take an access violation on the guest's first write).
/// Unlike Linux, asking for more bytes than the file holds fails here (a write-copy section cannot grow its file)
/// instead of faulting later. The other operations come with a Windows hypervisor backend; until then there is none
/// (<c>MissingBackend</c>), so no sandbox asks for them.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsMemoryProvider : IMemoryProvider
{
    private const string NotYet = "HyperSharp runs guests on Linux only so far; Windows has no hypervisor backend yet.";

    public SafeMappedView MapCopyOnWrite(SafeHandle image, ulong size)
    {
        using var section = Kernel32.CreateFileMappingW(image, 0, Kernel32.PAGE_WRITECOPY, (uint)(size >> 32), (uint)size, 0);
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

    public SafeMappedView AllocateZeroed(ulong size) => throw new PlatformNotSupportedException(NotYet);

    public void RemapCopyOnWrite(SafeMappedView view, SafeHandle image, ulong size) => throw new PlatformNotSupportedException(NotYet);

    public SafeMappedView MapReadOnly(SafeHandle image, ulong size) => throw new PlatformNotSupportedException(NotYet);

    public unsafe SafeHandle CreateImage(byte* memory, ulong size, IReadOnlyList<(long Start, long End)> dataRuns) =>
        throw new PlatformNotSupportedException(NotYet);

    public bool TryMarkTouchedPages(nint address, long pages, Span<ulong> bitmap) => false;

    public void MarkDataExtents(SafeHandle image, ulong size, Span<ulong> bitmap) => PageBitmap.MarkRange(bitmap, 0, size);
}
