using System.Buffers.Binary;

namespace HyperSharp.Tests.Elf;

/// <summary>
/// Synthesizes static-PIE-like ELF64 files in memory for loader tests. Layout is deliberately simple:
/// every program header's file offset is <c>p_vaddr - LinkBase</c> (so offsets are always congruent
/// with addresses), the ELF header and program header table sit at offset 0 inside an optional
/// read-only "header" PT_LOAD (like ld's first segment), and when there are relocations or extra
/// dynamic tags the builder adds a PT_LOAD at <see cref="DynamicVaddr"/> holding the RELA table
/// followed by the dynamic array, plus the PT_DYNAMIC header (and PT_GNU_RELRO over it if asked).
/// Tests break files by patching the built bytes with the offsets the builder reports.
/// </summary>
internal sealed class ElfBuilder
{
    public const uint PF_X = 1, PF_W = 2, PF_R = 4;
    public const uint PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_TLS = 7, PT_GNU_STACK = 0x6474E551, PT_GNU_RELRO = 0x6474E552;
    public const long DT_NULL = 0, DT_NEEDED = 1, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9, DT_REL = 17, DT_TEXTREL = 22, DT_JMPREL = 23, DT_FLAGS = 30, DT_RELR = 36, DT_RELACOUNT = 0x6FFFFFF9;
    public const uint R_X86_64_NONE = 0, R_X86_64_64 = 1, R_X86_64_JUMP_SLOT = 7, R_X86_64_RELATIVE = 8;
    public const int EhdrSize = 64, PhdrSize = 56;

    // ELF header field offsets, for patching.
    public const int E_type = 16, E_machine = 18, E_version = 20, E_entry = 24, E_phoff = 32, E_shoff = 40, E_phentsize = 54, E_phnum = 56;

    // Program header field offsets, relative to the header.
    public const int P_type = 0, P_flags = 4, P_offset = 8, P_vaddr = 16, P_paddr = 24, P_filesz = 32, P_memsz = 40, P_align = 48;

    /// <summary>A program header to emit. The file offset defaults to <c>Vaddr - LinkBase</c>, the file size to <c>Data.Length</c>.</summary>
    public sealed record Segment(uint Type, uint Flags, ulong Vaddr, byte[] Data, ulong MemSize, ulong Align = 0x1000)
    {
        public ulong? Offset { get; init; }

        public ulong? FileSize { get; init; }
    }

    public ulong LinkBase { get; set; }

    public ulong Entry { get; set; }

    public bool IncludeHeaderSegment { get; set; } = true;

    public List<Segment> Segments { get; } = [];

    public List<(ulong Offset, ulong Info, ulong Addend)> Relocations { get; } = [];

    /// <summary>Dynamic entries emitted after DT_RELA/DT_RELASZ/DT_RELAENT and before DT_NULL.</summary>
    public List<(long Tag, ulong Value)> ExtraDynamic { get; } = [];

    /// <summary>Emit PT_DYNAMIC even without relocations or extra tags.</summary>
    public bool ForceDynamic { get; set; }

    /// <summary>Omit the standard DT_RELA/DT_RELASZ/DT_RELAENT tags (tests add their own through <see cref="ExtraDynamic"/>).</summary>
    public bool OmitStandardRelaTags { get; set; }

    /// <summary>Where the dynamic PT_LOAD goes; defaults to the page after the last segment.</summary>
    public ulong? DynamicVaddr { get; set; }

    public uint DynamicFlags { get; set; } = PF_R | PF_W;

    /// <summary>Memory size of the dynamic PT_LOAD (at least its contents); a whole page by default so RELRO can cover it.</summary>
    public ulong DynamicMemSize { get; set; } = 0x1000;

    /// <summary>Cover the dynamic PT_LOAD with a PT_GNU_RELRO of <see cref="DynamicMemSize"/> bytes.</summary>
    public bool DynamicInRelro { get; set; }

    // Filled in by Build(), for tests that patch the bytes.
    public int PhdrCount { get; private set; }

    public int DynamicLoadIndex { get; private set; } = -1;

    public int DynamicIndex { get; private set; } = -1;

    public int RelroIndex { get; private set; } = -1;

    public ulong BuiltDynamicVaddr { get; private set; }

    public ulong RelaVaddr { get; private set; }

    public int RelaFileOffset { get; private set; } = -1;

    public int DynamicFileOffset { get; private set; } = -1;

    public int DynamicEntryCount { get; private set; }

    public static int PhdrOffset(int index) => EhdrSize + (index * PhdrSize);

    /// <summary>The index the segment got in the program header table.</summary>
    public int IndexOf(Segment segment) => (IncludeHeaderSegment ? 1 : 0) + Segments.IndexOf(segment);

    public static ulong RelativeInfo => R_X86_64_RELATIVE;

    public ElfBuilder AddLoad(uint flags, ulong vaddr, byte[] data, ulong? memSize = null, ulong align = 0x1000)
    {
        Segments.Add(new Segment(PT_LOAD, flags, vaddr, data, memSize ?? (ulong)data.Length, align));
        return this;
    }

    public ElfBuilder AddRelative(ulong offset, ulong addend)
    {
        Relocations.Add((offset, R_X86_64_RELATIVE, addend));
        return this;
    }

    public byte[] Build()
    {
        var headers = new List<Segment>();
        bool hasDynamic = ForceDynamic || Relocations.Count > 0 || ExtraDynamic.Count > 0;
        int count = (IncludeHeaderSegment ? 1 : 0) + Segments.Count + (hasDynamic ? 2 : 0) + (hasDynamic && DynamicInRelro ? 1 : 0);
        PhdrCount = count;
        int headerBytes = EhdrSize + (count * PhdrSize);

        if (IncludeHeaderSegment)
        {
            headers.Add(new Segment(PT_LOAD, PF_R, LinkBase, new byte[headerBytes], (ulong)headerBytes));
        }

        headers.AddRange(Segments);

        if (hasDynamic)
        {
            ulong dynVaddr = DynamicVaddr ?? PageUp(Segments.Select(s => s.Vaddr + s.MemSize).DefaultIfEmpty(LinkBase + (ulong)headerBytes).Max());
            BuiltDynamicVaddr = dynVaddr;
            var dyn = new List<(long, ulong)>();
            if (!OmitStandardRelaTags && Relocations.Count > 0)
            {
                dyn.Add((DT_RELA, dynVaddr));
                dyn.Add((DT_RELASZ, (ulong)(Relocations.Count * 24)));
                dyn.Add((DT_RELAENT, 24));
            }

            dyn.AddRange(ExtraDynamic);
            dyn.Add((DT_NULL, 0));

            var content = new byte[(Relocations.Count * 24) + (dyn.Count * 16)];
            for (int i = 0; i < Relocations.Count; i++)
            {
                (ulong offset, ulong info, ulong addend) = Relocations[i];
                BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(i * 24), offset);
                BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan((i * 24) + 8), info);
                BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan((i * 24) + 16), addend);
            }

            int dynStart = Relocations.Count * 24;
            for (int i = 0; i < dyn.Count; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(content.AsSpan(dynStart + (i * 16)), dyn[i].Item1);
                BinaryPrimitives.WriteUInt64LittleEndian(content.AsSpan(dynStart + (i * 16) + 8), dyn[i].Item2);
            }

            RelaVaddr = dynVaddr;
            RelaFileOffset = (int)(dynVaddr - LinkBase);
            DynamicFileOffset = RelaFileOffset + dynStart;
            DynamicEntryCount = dyn.Count;

            DynamicLoadIndex = headers.Count;
            headers.Add(new Segment(PT_LOAD, DynamicFlags, dynVaddr, content, Math.Max(DynamicMemSize, (ulong)content.Length)));
            DynamicIndex = headers.Count;
            headers.Add(new Segment(PT_DYNAMIC, PF_R | PF_W, dynVaddr + (ulong)dynStart, content[dynStart..], (ulong)(content.Length - dynStart), 8)
            {
                Offset = (ulong)DynamicFileOffset,
            });
            if (DynamicInRelro)
            {
                RelroIndex = headers.Count;
                headers.Add(new Segment(PT_GNU_RELRO, PF_R, dynVaddr, [], DynamicMemSize, 1) { FileSize = DynamicMemSize, Offset = (ulong)RelaFileOffset });
            }
        }

        // Only PT_LOAD contents are written to the file (the others alias loaded bytes).
        ulong length = (ulong)headerBytes;
        foreach (Segment s in headers)
        {
            if (s.Type == PT_LOAD)
            {
                length = Math.Max(length, OffsetOf(s) + (ulong)s.Data.Length);
            }
        }

        var file = new byte[length];
        foreach (Segment s in headers)
        {
            if (s.Type == PT_LOAD)
            {
                s.Data.CopyTo(file, (int)OffsetOf(s));
            }
        }

        Span<byte> eh = file;
        "\u007FELF"u8.CopyTo(eh);
        eh[4] = 2; // ELFCLASS64
        eh[5] = 1; // little-endian
        eh[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(eh[E_type..], 3); // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(eh[E_machine..], 62); // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(eh[E_version..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(eh[E_entry..], Entry);
        BinaryPrimitives.WriteUInt64LittleEndian(eh[E_phoff..], EhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(eh[52..], EhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(eh[E_phentsize..], PhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(eh[E_phnum..], (ushort)count);

        for (int i = 0; i < headers.Count; i++)
        {
            Segment s = headers[i];
            Span<byte> ph = file.AsSpan(PhdrOffset(i), PhdrSize);
            BinaryPrimitives.WriteUInt32LittleEndian(ph[P_type..], s.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(ph[P_flags..], s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_offset..], OffsetOf(s));
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_vaddr..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_paddr..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_filesz..], s.FileSize ?? (ulong)s.Data.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_memsz..], s.MemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[P_align..], s.Align);
        }

        return file;
    }

    private ulong OffsetOf(Segment s) => s.Offset ?? (s.Vaddr - LinkBase);

    private static ulong PageUp(ulong value) => (value + 0xFFF) & ~0xFFFUL;

    public static void Patch16(byte[] file, int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(offset), value);

    public static void Patch32(byte[] file, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), value);

    public static void Patch64(byte[] file, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(offset), value);

    public static void PatchPhdr32(byte[] file, int index, int field, uint value) => Patch32(file, PhdrOffset(index) + field, value);

    public static void PatchPhdr64(byte[] file, int index, int field, ulong value) => Patch64(file, PhdrOffset(index) + field, value);

    /// <summary>Bytes with a recognisable, non-zero pattern.</summary>
    public static byte[] Pattern(int length, byte seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed + (i * 7) + 1);
        }

        return bytes;
    }

    /// <summary>
    /// The reference layout most tests start from (ImageSize 0x7000, entry 0x1010):
    /// <code>
    /// 0x0000 R    ELF + program headers
    /// 0x1000 R X  .text, 0x80 bytes
    /// 0x2000 R W  .data 0x100 bytes + .bss up to 0x4100 (pages 0x2000-0x5000)
    /// 0x5000      gap (no segment: not present)
    /// 0x6000 R W  RELA table + .dynamic, memsz 0x1000, all PT_GNU_RELRO (read-only after relocation)
    /// </code>
    /// Relocations: 0x2000 := base+0x1000, 0x2008 := base+0x1010, 0x6FF0 := base+0x2000 (inside RELRO).
    /// </summary>
    public static ElfBuilder Typical()
    {
        var builder = new ElfBuilder { Entry = 0x1010, DynamicVaddr = 0x6000, DynamicInRelro = true };
        builder.AddLoad(PF_R | PF_X, 0x1000, Pattern(0x80, 0x11));
        builder.AddLoad(PF_R | PF_W, 0x2000, Pattern(0x100, 0x22), memSize: 0x2100);
        builder.AddRelative(0x2000, 0x1000);
        builder.AddRelative(0x2008, 0x1010);
        builder.AddRelative(0x6FF0, 0x2000);
        return builder;
    }
}
