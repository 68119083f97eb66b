using System.Runtime.CompilerServices;
using HyperSharp.Interop;

namespace HyperSharp.Memory;

/// <summary>
/// The guest's physical memory: one memfd mapped <c>MAP_PRIVATE</c> into the host, so every page the
/// host or guest writes becomes a private copy-on-write page of this process (docs/architecture.md).
/// All host access goes through <see cref="GetSpan"/>, which refuses any range outside the mapping.
/// </summary>
internal sealed class GuestMemory : IDisposable
{
    private readonly SafeFileDescriptor _memfd;
    private readonly SafeMemoryMapping _mapping;

    private GuestMemory(SafeFileDescriptor memfd, SafeMemoryMapping mapping, ulong size)
    {
        _memfd = memfd;
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
        var memfd = new SafeFileDescriptor(Libc.MemfdCreate("hypersharp-guest", Libc.MFD_CLOEXEC));
        if (memfd.IsInvalid)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            memfd.Dispose();
            throw new HypervisorException("memfd_create(guest memory)", errno);
        }

        try
        {
            if (Libc.FTruncate(memfd.Number, (long)size) < 0)
            {
                throw new HypervisorException("ftruncate(guest memory)", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
            }

            var mapping = SafeMemoryMapping.Map("mmap(guest memory)", (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_NORESERVE, memfd, 0);
            return new GuestMemory(memfd, mapping, size);
        }
        catch
        {
            memfd.Dispose();
            throw;
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

    public void Dispose()
    {
        _mapping.Dispose();
        _memfd.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOutOfRange(ulong address, ulong length) =>
        throw new ArgumentOutOfRangeException(nameof(address), $"Guest range 0x{address:x}+0x{length:x} is outside guest memory of 0x{Size:x} bytes.");
}
