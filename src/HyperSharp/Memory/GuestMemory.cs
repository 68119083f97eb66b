using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HyperSharp.Interop;

namespace HyperSharp.Memory;

/// <summary>
/// The guest's physical memory: one memfd mapped <c>MAP_PRIVATE</c> into the host, so every page the
/// host or guest writes becomes a private copy-on-write page of this process (docs/architecture.md).
/// The memfd is either a fresh empty one or a snapshot's sealed <see cref="MemoryImage"/>; dropping
/// the private pages (<see cref="Reset"/>) returns memory to it. The host address never changes, so
/// the hypervisor's memory slot stays valid. All host access goes through <see cref="GetSpan"/>,
/// which refuses any range outside the mapping.
/// </summary>
internal sealed class GuestMemory : IDisposable
{
    private readonly SafeMemoryMapping _mapping;

    private GuestMemory(SafeMemoryMapping mapping, ulong size)
    {
        _mapping = mapping;
        Size = size;
    }

    /// <summary>Bytes of guest memory, from guest-physical address 0.</summary>
    public ulong Size { get; }

    /// <summary>Host address of guest-physical address 0, for registering the memory with the hypervisor.</summary>
    public nint HostAddress => _mapping.Address;

    /// <summary>Creates zero-filled memory of <paramref name="size"/> bytes (a multiple of 4 KiB).</summary>
    public static GuestMemory Allocate(ulong size)
    {
        using var memfd = new SafeFileDescriptor(Libc.MemfdCreate("hypersharp-guest", Libc.MFD_CLOEXEC));
        if (memfd.IsInvalid)
        {
            throw new HypervisorException("memfd_create(guest memory)", Marshal.GetLastPInvokeError());
        }

        if (Libc.FTruncate(memfd.Number, (long)size) < 0)
        {
            throw new HypervisorException("ftruncate(guest memory)", Marshal.GetLastPInvokeError());
        }

        // The mapping keeps the file alive; the descriptor is not needed after mmap.
        return new GuestMemory(MapPrivate(memfd, size), size);
    }

    /// <summary>Memory that starts as a copy-on-write view of <paramref name="image"/>.</summary>
    public static GuestMemory FromImage(MemoryImage image) => new(MapPrivate(image.Memfd, image.Size), image.Size);

    /// <summary>An immutable copy of the current contents.</summary>
    public MemoryImage Capture() => MemoryImage.Capture(GetSpan(0, Size));

    /// <summary>Longs in a dirty bitmap of this memory: one bit per page.</summary>
    public int DirtyBitmapLength => (int)((Size / GuestAbi.PageSize + 63) / 64);

    /// <summary>Sets the bits of every page in [<paramref name="address"/>, +<paramref name="length"/>).</summary>
    public static void MarkDirty(Span<ulong> bitmap, ulong address, ulong length)
    {
        for (var page = address / GuestAbi.PageSize; page < (address + length + GuestAbi.PageSize - 1) / GuestAbi.PageSize; page++)
        {
            bitmap[(int)(page / 64)] |= 1UL << (int)(page % 64);
        }
    }

    /// <summary>
    /// Drops the private copies of just the pages set in <paramref name="dirty"/>, one <c>madvise</c> per run
    /// of adjacent pages, so the cost follows the pages written rather than <see cref="Size"/> (a whole-range
    /// madvise makes KVM invalidate the whole slot). Pages not marked must not have been written.
    /// </summary>
    public void Reset(ReadOnlySpan<ulong> dirty)
    {
        var pages = (long)(Size / GuestAbi.PageSize);
        long page = 0;
        while (page < pages)
        {
            var word = dirty[(int)(page / 64)] >> (int)(page % 64);
            if (word == 0)
            {
                page = (page / 64 + 1) * 64;
                continue;
            }

            page += System.Numerics.BitOperations.TrailingZeroCount(word);
            var start = page;
            while (page < pages && (dirty[(int)(page / 64)] & (1UL << (int)(page % 64))) != 0)
            {
                page++;
            }

            var address = _mapping.Address + (nint)(start * (long)GuestAbi.PageSize);
            if (Libc.MAdvise(address, (nuint)((page - start) * (long)GuestAbi.PageSize), Libc.MADV_DONTNEED) < 0)
            {
                throw new HypervisorException("madvise(MADV_DONTNEED, dirty pages)", Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>
    /// Makes memory a fresh copy-on-write view of <paramref name="image"/> at the same host address,
    /// discarding every private page. If mmap fails the old contents may be gone: callers treat that
    /// as unrecoverable.
    /// </summary>
    public void Remap(MemoryImage image)
    {
        if (image.Size != Size)
        {
            throw new ArgumentException($"The image is 0x{image.Size:x} bytes; guest memory is 0x{Size:x}.", nameof(image));
        }

        var addRef = false;
        try
        {
            image.Memfd.DangerousAddRef(ref addRef);
            var address = Libc.MMap(_mapping.Address, (nuint)Size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_FIXED | Libc.MAP_NORESERVE, image.Memfd.Number, 0);
            if (address == Libc.MAP_FAILED)
            {
                throw new HypervisorException("mmap(MAP_FIXED, snapshot)", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (addRef)
            {
                image.Memfd.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// A view of <paramref name="length"/> bytes at guest address <paramref name="address"/>. Valid until the
    /// memory is disposed; callers use it within one sandbox operation only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not entirely inside guest memory.</exception>
    public unsafe Span<byte> GetSpan(ulong address, ulong length)
    {
        if (address > Size || length > Size - address || length > int.MaxValue)
        {
            ThrowOutOfRange(address, length);
        }

        // SAFETY: [address, address + length) lies inside the live mapping of Size bytes (checked above);
        // the mapping outlives every operation of the owning sandbox, which disposes it last.
        return new Span<byte>((byte*)_mapping.Address + address, (int)length);
    }

    public void Dispose() => _mapping.Dispose();

    private static SafeMemoryMapping MapPrivate(SafeFileDescriptor memfd, ulong size) =>
        SafeMemoryMapping.Map("mmap(guest memory)", (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE,
            Libc.MAP_PRIVATE | Libc.MAP_NORESERVE, memfd, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfRange(ulong address, ulong length) =>
        throw new ArgumentOutOfRangeException(nameof(address), $"Guest range 0x{address:x}+0x{length:x} is outside guest memory of 0x{Size:x} bytes.");
}
