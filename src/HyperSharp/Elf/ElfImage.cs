using System.Buffers.Binary;
using System.Collections.ObjectModel;
using static HyperSharp.Elf.ElfConstants;

namespace HyperSharp.Elf;

/// <summary>
/// A validated static-PIE x86-64 ELF image (docs/guest-abi.md §1). <see cref="Parse"/> checks
/// everything the loader will later trust, so <see cref="LoadInto"/> cannot fail on the file's
/// contents: every offset, size and relocation target was proven in bounds up front.
/// </summary>
/// <remarks>
/// The image keeps a reference to the file bytes passed to <see cref="Parse"/> and copies segment
/// contents from them in <see cref="LoadInto"/>. Changing those bytes afterwards can only change what
/// is copied, never where: all bounds were validated against the (immutable) length.
/// </remarks>
internal sealed partial class ElfImage
{
    private readonly ReadOnlyMemory<byte> _file;
    private readonly ElfSegment[] _segments;
    private readonly ElfRelocation[] _relocations;

    private ElfImage(ReadOnlyMemory<byte> file, ulong linkBase, ulong imageSize, ulong entryOffset, ElfSegment[] segments, ElfRelocation[] relocations, ElfPageRange[] pageRanges)
    {
        _file = file;
        _segments = segments;
        _relocations = relocations;
        LinkBase = linkBase;
        ImageSize = imageSize;
        EntryOffset = entryOffset;
        PageRanges = Array.AsReadOnly(pageRanges);
        Segments = Array.AsReadOnly(segments);
        Relocations = Array.AsReadOnly(relocations);
    }

    /// <summary>Image size in bytes, a multiple of 4096: from the page of the lowest PT_LOAD to the page-rounded end of the highest.</summary>
    public ulong ImageSize { get; }

    /// <summary><c>e_entry</c> relative to the image start.</summary>
    public ulong EntryOffset { get; }

    /// <summary>Page-granular, ordered ranges covering <c>[0, ImageSize)</c> exactly, with final permissions (after RELRO).</summary>
    public IReadOnlyList<ElfPageRange> PageRanges { get; }

    /// <summary>The link-time virtual address that image offset 0 corresponds to (the page of the lowest PT_LOAD; 0 for gcc output).</summary>
    public ulong LinkBase { get; }

    /// <summary>The non-empty PT_LOAD segments, ordered by address.</summary>
    public ReadOnlyCollection<ElfSegment> Segments { get; }

    /// <summary>The PT_TLS segment, if the guest has thread-local variables.</summary>
    public ElfThreadLocalStorage? ThreadLocalStorage { get; private init; }

    /// <summary>The R_X86_64_RELATIVE relocations (R_X86_64_NONE entries dropped), in file order.</summary>
    public ReadOnlyCollection<ElfRelocation> Relocations { get; }

    /// <summary>
    /// Copies the segments into <paramref name="image"/> (which this method zeroes first, so bss and gaps
    /// are zero whatever the buffer held) and applies the relocations for the image placed at guest
    /// address <paramref name="imageBase"/>. Writes only inside <paramref name="image"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer is not exactly <see cref="ImageSize"/> bytes, or the base is not page-aligned (host bugs, not guest errors).</exception>
    public void LoadInto(Span<byte> image, ulong imageBase)
    {
        if ((ulong)image.Length != ImageSize)
        {
            throw new ArgumentException($"The image buffer is {image.Length} bytes; the ELF image needs exactly {ImageSize}.", nameof(image));
        }

        if (imageBase % PageSize != 0)
        {
            throw new ArgumentException($"The image base 0x{imageBase:X} is not page-aligned.", nameof(imageBase));
        }

        ReadOnlySpan<byte> file = _file.Span;
        image.Clear();

        // Casts are safe: Parse proved every file range lies inside the file (an int-sized span) and
        // every image range inside ImageSize (at most 1 GiB).
        foreach (ElfSegment segment in _segments)
        {
            file.Slice((int)segment.FileOffset, (int)segment.FileSize).CopyTo(image[(int)(segment.Vaddr - LinkBase)..]);
        }

        // The load bias turns link-time addresses into guest addresses; wrapping arithmetic is what
        // the dynamic linker does too (r_addend is a signed 64-bit value).
        ulong bias = unchecked(imageBase - LinkBase);
        foreach (ElfRelocation relocation in _relocations)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(image.Slice((int)relocation.ImageOffset, 8), unchecked(bias + relocation.Addend));
        }
    }

    /// <summary>Parses and fully validates a static-PIE x86-64 ELF file.</summary>
    /// <exception cref="GuestBinaryException">The file is not a loadable guest; the message says precisely why.</exception>
    public static ElfImage Parse(ReadOnlyMemory<byte> file)
    {
        try
        {
            return new Parser(file).Run();
        }
        catch (Exception ex) when (ex is not GuestBinaryException and not OutOfMemoryException)
        {
            // Defence in depth: the parser is written so this never happens (the fuzz test asserts
            // that no GuestBinaryException carries an inner exception), but untrusted input must
            // never surface as an IndexOutOfRangeException in the host.
            throw new GuestBinaryException($"The ELF file is malformed: {ex.Message}", ex);
        }
    }

    internal static string Hex(ulong value) => $"0x{value:X}";

    internal static string Hex(UInt128 value) => $"0x{value:X}";

    internal static ulong PageDown(ulong value) => value & ~(PageSize - 1);
}
