using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HyperSharp.Interop;
using HyperSharp.MemoryProviders;

namespace HyperSharp.Memory;

/// <summary>
/// The guest's physical memory: one file mapped copy-on-write into the host (on Linux a memfd mapped
/// <c>MAP_PRIVATE</c>), so every page the host or guest writes becomes a private page of this process
/// (docs/architecture.md). The file is either fresh and empty or a snapshot's <see cref="MemoryImage"/>, of which a
/// second, read-only view is kept so <see cref="Reset"/> can copy dirty pages back from it. What the OS does is
/// <see cref="MemoryProvider.Current"/>'s business. The host address never
/// changes, so the hypervisor's memory slot stays valid. Host access to parts of memory goes through
/// <see cref="GetSpan"/>, which refuses any range outside the mapping; <see cref="Capture"/> and <see cref="Reset"/>
/// walk the whole mapping by address, in 64-bit offsets bounded by <see cref="Size"/>.
/// </summary>
internal sealed class GuestMemory : IDisposable
{
    private readonly SafeMappedView _mapping;
    private SafeMappedView? _pristine;

    /// <summary>
    /// The file the mapping reads through to, held open (by reference count, so disposing the snapshot that
    /// owns it does not close it) for <see cref="Capture"/> to ask where its data lies. Null for
    /// <see cref="Allocate"/>d memory, whose file is all holes. The reference is a finalizable handle of its own,
    /// so memory that is never disposed still lets the file go.
    /// </summary>
    private SafeHandleReference<SafeHandle>? _backing;

    private GuestMemory(SafeMappedView mapping, ulong size, SafeMappedView? pristine)
    {
        _mapping = mapping;
        Size = size;
        _pristine = pristine;
    }

    /// <summary>Bytes of guest memory, from guest-physical address 0.</summary>
    public ulong Size { get; }

    /// <summary>Host address of guest-physical address 0, for registering the memory with the hypervisor.</summary>
    public nint HostAddress => _mapping.Address;

    /// <summary>Creates zero-filled memory of <paramref name="size"/> bytes (a multiple of 4 KiB).</summary>
    public static GuestMemory Allocate(ulong size) => new(MemoryProvider.Current.AllocateZeroed(size), size, pristine: null);

    /// <summary>Memory that starts as a copy-on-write view of <paramref name="image"/>.</summary>
    public static GuestMemory FromImage(MemoryImage image)
    {
        var pristine = MemoryProvider.Current.MapReadOnly(image.File, image.Size);
        try
        {
            var memory = new GuestMemory(MemoryProvider.Current.MapCopyOnWrite(image.File, image.Size), image.Size, pristine);
            memory.HoldBacking(image.File);
            return memory;
        }
        catch
        {
            pristine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An immutable copy of the current contents. Only pages that can hold data are read: those this process
    /// has faulted in (private copies, or file pages already mapped) and those where the backing file has data.
    /// Every other page still reads through to a hole, so it is zero; reading it would fault in, and allocate,
    /// a page for nothing (a 1 GiB guest that used 1 MiB would cost 1 GiB of page cache and seconds).
    /// </summary>
    public unsafe MemoryImage Capture()
    {
        var candidates = new ulong[DirtyBitmapLength];
        if (!MemoryProvider.Current.TryMarkTouchedPages(_mapping.Address, (long)(Size / GuestAbi.PageSize), candidates))
        {
            candidates.AsSpan().Fill(ulong.MaxValue);
        }
        else if (_backing is not null)
        {
            MemoryProvider.Current.MarkDataExtents(_backing.Target, Size, candidates);
        }

        // SAFETY: the mapping is Size bytes long and stays mapped while this object lives, which the capturing sandbox ensures.
        return MemoryImage.Capture((byte*)_mapping.Address, Size, candidates);
    }

    /// <summary>Longs in a dirty bitmap of this memory: one bit per page (<see cref="PageBitmap"/>).</summary>
    public int DirtyBitmapLength => PageBitmap.WordsFor(Size);

    /// <summary>
    /// Copies the pages set in <paramref name="dirty"/> back from the image, one run of adjacent pages at a
    /// time, so the cost follows the pages written rather than <see cref="Size"/>. Copying back rather than
    /// dropping the private pages keeps them mapped: the guest's next write to them is a cheap
    /// write-protection fault instead of a copy-on-write fault (docs/architecture.md has the measurement).
    /// Pages not marked must not have been written since the image was mapped or last reset.
    /// </summary>
    /// <returns>The number of pages copied.</returns>
    /// <exception cref="InvalidOperationException">Memory has no image yet.</exception>
    public unsafe long Reset(ReadOnlySpan<ulong> dirty)
    {
        var pristine = _pristine ?? throw new InvalidOperationException("Guest memory has no snapshot image to return to.");
        long pages = 0;
        foreach (var (start, end) in PageBitmap.Runs(dirty, (long)(Size / GuestAbi.PageSize)))
        {
            var offset = start * (long)GuestAbi.PageSize;
            var length = (end - start) * (long)GuestAbi.PageSize;
            // SAFETY: [offset, offset + length) lies inside both mappings, which are Size bytes long (end <= pages);
            // the pristine view is read-only and the guest view writable, and neither is unmapped while in use.
            Buffer.MemoryCopy((byte*)pristine.Address + offset, (byte*)_mapping.Address + offset, length, length);
            pages += end - start;
        }

        return pages;
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

        MemoryProvider.Current.RemapCopyOnWrite(_mapping, image.File, Size);
        var previous = _pristine;
        _pristine = MemoryProvider.Current.MapReadOnly(image.File, image.Size);
        previous?.Dispose();
        ReleaseBacking();
        HoldBacking(image.File);
    }

    /// <summary>
    /// A view of <paramref name="length"/> bytes at guest address <paramref name="address"/>. Valid until the
    /// memory is disposed; callers use it within one sandbox operation only.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not entirely inside guest memory, or longer than 2 GiB.</exception>
    public unsafe Span<byte> GetSpan(ulong address, ulong length)
    {
        if (address > Size || length > Size - address)
        {
            ThrowOutOfRange(address, length);
        }

        if (length > int.MaxValue)
        {
            // Only the fixed buffers and tables are read through spans; whole-memory work uses the address (Capture).
            throw new ArgumentOutOfRangeException(nameof(length), $"Guest range 0x{address:x}+0x{length:x} is longer than a span can be.");
        }

        // SAFETY: [address, address + length) lies inside the live mapping of Size bytes (checked above);
        // the mapping outlives every operation of the owning sandbox, which disposes it last.
        return new Span<byte>((byte*)_mapping.Address + address, (int)length);
    }

    public void Dispose()
    {
        _mapping.Dispose();
        _pristine?.Dispose();
        ReleaseBacking();
    }

    private void HoldBacking(SafeHandle file) => _backing = new SafeHandleReference<SafeHandle>(file);

    private void ReleaseBacking()
    {
        _backing?.Dispose();
        _backing = null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfRange(ulong address, ulong length) =>
        throw new ArgumentOutOfRangeException(nameof(address), $"Guest range 0x{address:x}+0x{length:x} is outside guest memory of 0x{Size:x} bytes.");
}
