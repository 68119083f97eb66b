using System.Runtime.InteropServices;
using HyperSharp.Interop;
using HyperSharp.Memory;

namespace HyperSharp.MemoryProviders.Linux;

/// <summary>
/// Guest memory on Linux: memfds, <c>mmap(MAP_PRIVATE)</c> views (the kernel shares the file's page-cache pages until a
/// write, then copies the page into this process), sealed memfds as images, <c>/proc/self/pagemap</c> and
/// <c>SEEK_DATA</c> for where data lies. <c>MAP_NORESERVE</c> everywhere, because a guest's memory is mostly never
/// written, so reserving swap for all of it up front would refuse large guests for no reason.
/// </summary>
internal sealed class LinuxMemoryProvider : IMemoryProvider
{
    private const int AllSeals = Libc.F_SEAL_SEAL | Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_WRITE;

    /// <summary>A fresh memfd mapped <c>MAP_PRIVATE</c>, so a snapshot of it can later become its backing file; the mapping keeps the memfd alive.</summary>
    public SafeMappedView AllocateZeroed(ulong size)
    {
        using var memfd = CreateMemfd("hypersharp-guest", Libc.MFD_CLOEXEC, size);
        return MapCopyOnWrite(memfd, size);
    }

    public SafeMappedView MapCopyOnWrite(SafeHandle image, ulong size) =>
        SafeMemoryMapping.Map("mmap(MAP_PRIVATE)", (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_NORESERVE, image, 0);

    public void RemapCopyOnWrite(SafeMappedView view, SafeHandle image, ulong size)
    {
        var addRef = false;
        try
        {
            // SAFETY: the reference keeps the descriptor open for the mmap below, which maps exactly the view's own
            // range (MAP_FIXED at its address, size checked by the caller against the view); it is released below.
            image.DangerousAddRef(ref addRef);
            var address = Libc.MMap(view.Address, (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_FIXED | Libc.MAP_NORESERVE, (int)image.DangerousGetHandle(), 0);
            if (address == Libc.MAP_FAILED)
            {
                throw new HypervisorException("mmap(MAP_FIXED, snapshot)", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (addRef)
            {
                image.DangerousRelease();
            }
        }
    }

    public SafeMappedView MapReadOnly(SafeHandle image, ulong size) =>
        SafeMemoryMapping.Map("mmap(snapshot image, read-only)", (nuint)size, Libc.PROT_READ, Libc.MAP_SHARED | Libc.MAP_NORESERVE, image, 0);

    /// <summary>
    /// A memfd holding the runs, written with <c>pwrite</c> so every other page stays a hole that reads as zero and
    /// costs nothing, then sealed against writes, resizing and further sealing, so no one can ever change it.
    /// </summary>
    public unsafe SafeHandle CreateImage(byte* memory, ulong size, IReadOnlyList<(long Start, long End)> dataRuns)
    {
        var memfd = CreateMemfd("hypersharp-snapshot", Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING, size);
        try
        {
            foreach (var (start, end) in dataRuns)
            {
                // SAFETY: every run lies inside the caller's size bytes at memory (the caller computed them from it).
                if (DescriptorWrites.WriteAll(memfd, memory + start, end - start, start) is not 0 and var errno)
                {
                    throw new HypervisorException("pwrite(snapshot)", errno);
                }
            }

            Check(Libc.Fcntl(memfd, Libc.F_ADD_SEALS, AllSeals), "fcntl(F_ADD_SEALS)");
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    public bool TryMarkTouchedPages(nint address, long pages, Span<ulong> bitmap) => TouchedPages.TryMark(address, pages, bitmap);

    /// <summary>
    /// <c>SEEK_DATA</c>/<c>SEEK_HOLE</c>: holes read as zero. A filesystem without hole tracking reports the whole file
    /// as data, which is merely slower; shmem (memfd) counts swapped-out pages as data.
    /// </summary>
    public void MarkDataExtents(SafeHandle image, ulong size, Span<ulong> bitmap)
    {
        long offset = 0;
        while ((ulong)offset < size)
        {
            var data = Libc.LSeek(Descriptor(image), offset, Libc.SEEK_DATA);
            if (data < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.ENXIO)
                {
                    return;
                }

                throw new HypervisorException("lseek(SEEK_DATA)", errno);
            }

            var hole = Libc.LSeek(Descriptor(image), data, Libc.SEEK_HOLE);
            if (hole < 0)
            {
                throw new HypervisorException("lseek(SEEK_HOLE)", Marshal.GetLastPInvokeError());
            }

            var end = Math.Min((ulong)hole, size);
            if ((ulong)data >= end)
            {
                return;
            }

            PageBitmap.MarkRange(bitmap, (ulong)data, end - (ulong)data);
            offset = hole;
        }
    }

    /// <summary>On Linux every image is a file descriptor: a memfd this provider made, or a snapshot blob opened read-only.</summary>
    private static SafeFileDescriptor Descriptor(SafeHandle image) =>
        image as SafeFileDescriptor ?? throw new ArgumentException($"A Linux memory image is a file descriptor, not a {image.GetType().Name}.", nameof(image));

    private static SafeFileDescriptor CreateMemfd(string name, uint flags, ulong size)
    {
        var memfd = new SafeFileDescriptor(Libc.MemfdCreate(name, flags));
        if (memfd.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            memfd.Dispose();
            throw new HypervisorException($"memfd_create({name})", errno);
        }

        if (Libc.FTruncate(memfd.Number, (long)size) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            memfd.Dispose();
            throw new HypervisorException($"ftruncate({name})", errno);
        }

        return memfd;
    }

    private static void Check(int result, string operation)
    {
        if (result < 0)
        {
            throw new HypervisorException(operation, Marshal.GetLastPInvokeError());
        }
    }
}
