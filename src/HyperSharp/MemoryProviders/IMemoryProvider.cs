using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.MemoryProviders;

/// <summary>
/// What guest memory needs from the operating system, and nothing else: fresh memory, copy-on-write and read-only
/// views of an image, an image made from memory, and where data lies. Images are files (a Linux memfd or snapshot
/// blob; on Windows a file or section handle) behind a <see cref="SafeHandle"/>; views are <see cref="SafeMappedView"/>s.
/// <see cref="MemoryProvider.Current"/> is the one for this OS; <c>GuestMemory</c> and <c>MemoryImage</c> are
/// written against this interface only.
/// </summary>
internal interface IMemoryProvider
{
    /// <summary>Fresh zero-filled memory of <paramref name="size"/> bytes (a multiple of 4 KiB), readable and writable, private to this process.</summary>
    /// <exception cref="HypervisorException">The OS refused; the error number says why.</exception>
    SafeMappedView AllocateZeroed(ulong size);

    /// <summary>
    /// Maps the first <paramref name="size"/> bytes of <paramref name="image"/> readable and writable, copy-on-write:
    /// reads come from the image, each page written becomes a private copy that never reaches it, so an image opened
    /// read-only can back a writable guest. The view keeps the image alive; the caller may close its handle.
    /// </summary>
    /// <param name="image">At least <paramref name="size"/> bytes long: on Linux a page past the end raises SIGBUS.</param>
    /// <param name="size">Bytes to map, a multiple of the page size.</param>
    /// <exception cref="HypervisorException">The OS refused the mapping.</exception>
    SafeMappedView MapCopyOnWrite(SafeHandle image, ulong size);

    /// <summary>
    /// Makes <paramref name="view"/> a fresh copy-on-write view of <paramref name="image"/> at the same address, so a
    /// hypervisor's memory slot over it stays valid, discarding every private page. If this fails the old contents
    /// may be gone.
    /// </summary>
    /// <exception cref="HypervisorException">The OS refused the mapping.</exception>
    void RemapCopyOnWrite(SafeMappedView view, SafeHandle image, ulong size);

    /// <summary>A read-only view of <paramref name="image"/> that shares the OS's cached copy and costs no memory of its own.</summary>
    /// <exception cref="HypervisorException">The OS refused the mapping.</exception>
    SafeMappedView MapReadOnly(SafeHandle image, ulong size);

    /// <summary>
    /// A new image of <paramref name="size"/> bytes that holds the <paramref name="dataRuns"/> of <paramref name="memory"/>
    /// (byte offsets, page-aligned) and zero everywhere else, made immutable: nothing can change it afterwards.
    /// </summary>
    /// <exception cref="HypervisorException">The OS refused.</exception>
    unsafe SafeHandle CreateImage(byte* memory, ulong size, IReadOnlyList<(long Start, long End)> dataRuns);

    /// <summary>
    /// Sets the bit of every page of the <paramref name="pages"/> pages at <paramref name="address"/> that this process
    /// has faulted in (a page of a copy-on-write view that is neither still reads through to its image). False, with
    /// <paramref name="bitmap"/> partly set, when the OS cannot tell.
    /// </summary>
    bool TryMarkTouchedPages(nint address, long pages, Span<ulong> bitmap);

    /// <summary>Sets the bit of every page of <paramref name="image"/> that may hold data; the others read as zero.</summary>
    /// <exception cref="HypervisorException">The OS refused.</exception>
    void MarkDataExtents(SafeHandle image, ulong size, Span<ulong> bitmap);
}
