using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using HyperSharp.Interop;
using HyperSharp.Interop.Windows;
using HyperSharp.Memory;

namespace HyperSharp.MemoryProviders.Windows;

/// <summary>
/// Guest memory on Windows. A snapshot file loads copy-on-write with <c>CreateFileMappingW(PAGE_WRITECOPY)</c> +
/// <c>MapViewOfFile(FILE_MAP_COPY)</c>, the twin of Linux's <c>mmap(MAP_PRIVATE)</c>: it needs only read access to the
/// file, and a write makes a private page (a <c>PAGE_READONLY</c> view would make the host take an access violation on
/// the guest's first write). Asking for more bytes than the file holds fails here (a write-copy section cannot grow its
/// file) instead of faulting later.
/// <para>
/// Commit charge: Windows charges a copy-on-write view's whole size against the system commit limit when it is mapped,
/// because every page could become private (Microsoft's <c>MapViewOfFile</c> documentation); Hyperlight measured about
/// 2.5 GB of commit per VM that way. <see cref="AllocateZeroed"/> (<c>VirtualAlloc(MEM_COMMIT)</c>) is charged in full
/// as well. So on Windows every sandbox costs its whole guest memory size in commit, used or not, where Linux reserves
/// nothing (<c>MAP_NORESERVE</c>); docs/windows.md has the numbers and the way out (hypervisor-level copy-on-write).
/// </para>
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsMemoryProvider : IMemoryProvider
{
    /// <summary>Bytes written per call when an image is made: spans are int-sized, guest memory is not.</summary>
    private const long WriteChunk = 1L << 30;

    /// <summary>
    /// <c>VirtualAlloc(MEM_RESERVE | MEM_COMMIT)</c>: demand-zero pages that take physical memory only when touched, but
    /// are charged in full against the commit limit at once. Unlike Linux's memfd there is no file behind it; a
    /// snapshot's image is made by <see cref="CreateImage"/> instead, and the memory becomes a copy of it by
    /// <see cref="RemapCopyOnWrite"/>.
    /// </summary>
    public SafeMappedView AllocateZeroed(ulong size)
    {
        var address = Kernel32.VirtualAlloc(0, (nuint)size, Kernel32.MEM_RESERVE | Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
        return address != 0 ? new SafeVirtualAlloc(address, (nuint)size) : throw HypervisorException.Win32("VirtualAlloc", Marshal.GetLastPInvokeError());
    }

    public SafeMappedView MapCopyOnWrite(SafeHandle image, ulong size) =>
        Map(image, size, Kernel32.PAGE_WRITECOPY, Kernel32.FILE_MAP_COPY, "CreateFileMappingW(PAGE_WRITECOPY)", "MapViewOfFile(FILE_MAP_COPY)");

    /// <summary>
    /// Windows cannot put a new view where an old one is without unmapping it first, and a hypervisor's guest-physical
    /// mapping (<c>WHvMapGpaRange</c>) does not survive its host memory being unmapped and mapped again. So the view
    /// stays where it is, and every page whose contents differ from <paramref name="image"/> is copied from a
    /// read-only view of it: afterwards the memory reads exactly as the image, and pages that already matched stay
    /// untouched (still shared with their file, if they ever were). It costs a read of the whole size, where Linux
    /// swaps the mapping in one <c>mmap(MAP_FIXED)</c>.
    /// </summary>
    public unsafe void RemapCopyOnWrite(SafeMappedView view, SafeHandle image, ulong size)
    {
        using var source = MapReadOnly(image, size);
        const int page = (int)GuestAbi.PageSize;
        for (ulong offset = 0; offset < size; offset += (ulong)page)
        {
            // SAFETY: both views are `size` bytes long (the caller checked the view against the image) and stay mapped
            // for the loop; offset + page <= size because size is a multiple of the page size.
            var from = new ReadOnlySpan<byte>((byte*)source.Address + offset, page);
            // SAFETY: as above, for the guest's view, which is writable.
            var to = new Span<byte>((byte*)view.Address + offset, page);
            if (!to.SequenceEqual(from))
            {
                from.CopyTo(to);
            }
        }
    }

    /// <summary><c>CreateFileMappingW(PAGE_READONLY)</c> + <c>MapViewOfFile(FILE_MAP_READ)</c>: the file's cached pages, no commit charge.</summary>
    public SafeMappedView MapReadOnly(SafeHandle image, ulong size) =>
        Map(image, size, Kernel32.PAGE_READONLY, Kernel32.FILE_MAP_READ, "CreateFileMappingW(PAGE_READONLY)", "MapViewOfFile(FILE_MAP_READ)");

    /// <summary>
    /// A temporary file holding the runs, opened <c>FILE_FLAG_DELETE_ON_CLOSE</c> (it disappears with its last handle and
    /// view) and shared for reading and deleting only, so no other handle can ever be opened to write it; this handle
    /// writes the runs and nothing after. The rest of the file is never written and reads as zero (NTFS's valid data
    /// length), so it costs no writes, though without sparse files it is allocated on disk.
    /// </summary>
    public unsafe SafeHandle CreateImage(byte* memory, ulong size, IReadOnlyList<(long Start, long End)> dataRuns)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hypersharp-snapshot-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var file = Kernel32.CreateFileW(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE | Kernel32.DELETE, Kernel32.FILE_SHARE_READ | Kernel32.FILE_SHARE_DELETE, 0,
            Kernel32.CREATE_NEW, Kernel32.FILE_ATTRIBUTE_TEMPORARY | Kernel32.FILE_FLAG_DELETE_ON_CLOSE, 0);
        if (file.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw HypervisorException.Win32("CreateFileW(snapshot image)", error);
        }

        try
        {
            RandomAccess.SetLength(file, (long)size);
            foreach (var (start, end) in dataRuns)
            {
                for (var offset = start; offset < end; offset += WriteChunk)
                {
                    // SAFETY: every run lies inside the caller's size bytes at memory (the caller computed them from it),
                    // and a chunk is at most WriteChunk bytes, so it fits a span.
                    RandomAccess.Write(file, new ReadOnlySpan<byte>(memory + offset, (int)Math.Min(WriteChunk, end - offset)), offset);
                }
            }

            return file;
        }
        catch (IOException e)
        {
            file.Dispose();
            throw HypervisorException.Win32("WriteFile(snapshot image)", e.HResult & 0xFFFF);
        }
    }

    /// <summary>
    /// Windows can tell which pages of a view are in the working set (<c>QueryWorkingSetEx</c>), but not which private
    /// copies were paged out, so it cannot prove a page untouched: reading every page is the only safe answer.
    /// </summary>
    public bool TryMarkTouchedPages(nint address, long pages, Span<ulong> bitmap) => false;

    /// <summary>Images here are never sparse, so every page may hold data.</summary>
    public void MarkDataExtents(SafeHandle image, ulong size, Span<ulong> bitmap) => PageBitmap.MarkRange(bitmap, 0, size);

    /// <summary>A section over <paramref name="image"/> and one view of it; the view holds the section, whose handle is closed here.</summary>
    private static SafeViewOfFile Map(SafeHandle image, ulong size, uint protection, uint access, string createOperation, string mapOperation)
    {
        using var section = Kernel32.CreateFileMappingW(image, 0, protection, (uint)(size >> 32), (uint)size, 0);
        if (section.IsInvalid)
        {
            throw HypervisorException.Win32(createOperation, Marshal.GetLastPInvokeError());
        }

        var address = Kernel32.MapViewOfFile(section, access, 0, 0, (nuint)size);
        if (address == 0)
        {
            throw HypervisorException.Win32(mapOperation, Marshal.GetLastPInvokeError());
        }

        return new SafeViewOfFile(address, (nuint)size);
    }
}
