using System.Buffers.Binary;
using System.Security.Cryptography;
using HyperSharp.Elf;

namespace HyperSharp.Memory;

/// <summary>
/// The guest's thread control block (<c>struct hs_tcb</c>) and TLS block, in read/write pages right after
/// the ELF image (docs/guest-abi.md §2). FS base points at the TCB, so code built with
/// <c>-fstack-protector</c> finds its canary at <c>%fs:0x28</c> and <c>__thread</c> variables lie just below
/// the thread pointer (x86-64 psABI TLS variant II). Every guest gets one, with or without PT_TLS; it is
/// part of guest memory and the FS base part of the vCPU state, so snapshots carry both.
/// </summary>
internal static class ThreadControlBlock
{
    /// <summary>The thread pointer's alignment: at least a cache line, so the TCB never straddles two.</summary>
    private const ulong ThreadPointerAlignment = 64;

    /// <summary>Bytes to reserve after the ELF image: the TLS block and the TCB, in whole pages.</summary>
    public static ulong AreaSize(ElfThreadLocalStorage? tls) =>
        AlignUp(ThreadPointerOffset(tls) + GuestAbi.Tcb.Size, GuestAbi.PageSize);

    /// <summary>
    /// Copies the TLS initial image (<c>.tdata</c>, then zeroes for <c>.tbss</c>) below the thread pointer and
    /// writes the TCB: its own address at offset 0 and a random canary at 0x28.
    /// </summary>
    /// <returns>The thread pointer: the guest's FS base.</returns>
    public static ulong Write(GuestMemory memory, ulong imageBase, ElfImage elf)
    {
        var tls = elf.ThreadLocalStorage;
        var areaStart = imageBase + elf.ImageSize;
        var threadPointer = areaStart + ThreadPointerOffset(tls);
        memory.GetSpan(areaStart, AreaSize(tls)).Clear();
        if (tls is { } t)
        {
            var blockStart = threadPointer - AlignUp(t.MemorySize, t.Alignment);
            memory.GetSpan(imageBase + t.ImageOffset, t.FileSize).CopyTo(memory.GetSpan(blockStart, t.FileSize));
        }

        var tcb = memory.GetSpan(threadPointer, GuestAbi.Tcb.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(tcb[GuestAbi.Tcb.Self..], threadPointer);
        BinaryPrimitives.WriteUInt64LittleEndian(tcb[GuestAbi.Tcb.StackGuard..], NewCanary());
        return threadPointer;
    }

    /// <summary>The pages of the TLS block and TCB: read/write, never executable, reachable from ring 3.</summary>
    public static PageRegion PageRegion(ulong imageBase, ElfImage elf) =>
        new(imageBase + elf.ImageSize, AreaSize(elf.ThreadLocalStorage), PageAccess.ReadWrite | PageAccess.User);

    /// <summary>
    /// A random canary whose lowest byte is zero, as glibc's: a string overflow that copies up to a NUL
    /// cannot reproduce it.
    /// </summary>
    private static ulong NewCanary()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes) & ~0xFFUL;
    }

    /// <summary>Where the thread pointer lies in the area: above the TLS block, which ends at it.</summary>
    private static ulong ThreadPointerOffset(ElfThreadLocalStorage? tls) =>
        AlignUp(tls is { } t ? AlignUp(t.MemorySize, t.Alignment) : 0, ThreadPointerAlignment);

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
