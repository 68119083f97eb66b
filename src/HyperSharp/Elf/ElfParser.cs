using System.Buffers.Binary;
using static HyperSharp.Elf.ElfConstants;

namespace HyperSharp.Elf;

internal sealed partial class ElfImage
{
    /// <summary>
    /// One pass over an untrusted file. Every read goes through a span slice whose bounds were checked
    /// first with subtraction-based (overflow-free) comparisons, so a hostile value can only produce a
    /// GuestBinaryException.
    /// </summary>
    private ref partial struct Parser
    {
        private readonly ReadOnlyMemory<byte> _memory;
        private readonly ReadOnlySpan<byte> _data;
        private readonly ulong _fileLength;
        private ElfSegment[] _loads = [];
        private (int Index, ulong Start, ulong End)[] _relros = [];
        private ulong _linkBase;
        private ulong _imageEnd;

        public Parser(ReadOnlyMemory<byte> file)
        {
            _memory = file;
            _data = file.Span;
            _fileLength = (ulong)file.Length;
        }

        public ElfImage Run()
        {
            ReadOnlySpan<byte> data = _data;
            ValidateIdentification(data);

            ulong entry = ReadU64(data, E_entry);
            ulong phoff = ReadU64(data, E_phoff);
            ushort phentsize = ReadU16(data, E_phentsize);
            ushort phnum = ReadU16(data, E_phnum);

            if (phentsize != PhdrSize)
            {
                throw Error($"The ELF program header entry size (e_phentsize) is {phentsize} bytes; ELF64 program headers are {PhdrSize} bytes.");
            }

            if (phnum == PN_XNUM)
            {
                throw Error($"The ELF uses extended program header numbering (e_phnum = 0x{PN_XNUM:X}), which is not supported; at most {MaxProgramHeaders} program headers are allowed.");
            }

            if (phnum > MaxProgramHeaders)
            {
                throw Error($"The ELF has {phnum} program headers; at most {MaxProgramHeaders} are allowed.");
            }

            ulong tableSize = (ulong)phnum * PhdrSize;
            if (phoff > _fileLength || tableSize > _fileLength - phoff)
            {
                throw Error($"The ELF program header table ({phnum} entries of {PhdrSize} bytes at file offset {Hex(phoff)}) ends at file offset {Hex((UInt128)phoff + tableSize)}, past the end of the {Hex(_fileLength)}-byte file.");
            }

            ReadOnlySpan<byte> table = data.Slice((int)phoff, (int)tableSize);
            var loads = new List<ElfSegment>();
            var relros = new List<(int, ulong, ulong)>();
            (int Index, ulong Offset, ulong Vaddr, ulong Size)? dynamic = null;
            (int Index, ulong Vaddr, ulong FileSize, ulong MemorySize, ulong Align)? tls = null;

            for (int i = 0; i < phnum; i++)
            {
                ReadOnlySpan<byte> ph = table.Slice(i * PhdrSize, PhdrSize);
                uint type = ReadU32(ph, P_type);
                uint flags = ReadU32(ph, P_flags);
                ulong offset = ReadU64(ph, P_offset);
                ulong vaddr = ReadU64(ph, P_vaddr);
                ulong filesz = ReadU64(ph, P_filesz);
                ulong memsz = ReadU64(ph, P_memsz);
                ulong align = ReadU64(ph, P_align);
                string what = $"ELF program header {i} ({SegmentTypeName(type)})";

                switch (type)
                {
                    case PT_INTERP:
                        throw Error($"{what} names a program interpreter; the guest must be a static PIE (link with -static-pie).");
                    case PT_TLS:
                        if (tls is { } firstTls)
                        {
                            throw Error($"{what} is a second thread-local storage segment (the first is program header {firstTls.Index}); at most one is allowed.");
                        }

                        tls = (i, vaddr, filesz, memsz, align);
                        break;
                    case PT_LOAD:
                        ValidateLoad(what, offset, vaddr, filesz, memsz, align);
                        if (memsz != 0)
                        {
                            loads.Add(new ElfSegment(i, offset, filesz, vaddr, memsz, flags));
                        }

                        break;
                    case PT_DYNAMIC:
                        if (dynamic is { } first)
                        {
                            throw Error($"{what} is a second dynamic section (the first is program header {first.Index}); at most one is allowed.");
                        }

                        dynamic = (i, offset, vaddr, filesz);
                        break;
                    case PT_GNU_RELRO:
                        if (memsz > ulong.MaxValue - vaddr)
                        {
                            throw Error($"{what} range (p_vaddr {Hex(vaddr)}, p_memsz {Hex(memsz)}) ends past the top of the 64-bit address space.");
                        }

                        if (memsz != 0)
                        {
                            relros.Add((i, vaddr, vaddr + memsz));
                        }

                        break;
                    default:
                        // PT_NOTE, PT_PHDR, PT_GNU_STACK, PT_GNU_EH_FRAME, ...: nothing to load or check.
                        break;
                }
            }

            if (loads.Count == 0)
            {
                throw Error("The ELF has no PT_LOAD segment with a non-zero size: there is nothing to load.");
            }

            loads.Sort(static (a, b) => a.Vaddr.CompareTo(b.Vaddr));
            for (int k = 1; k < loads.Count; k++)
            {
                ElfSegment previous = loads[k - 1];
                ElfSegment current = loads[k];
                if (current.Vaddr < previous.End)
                {
                    throw Error($"ELF program header {current.Index} (PT_LOAD) at [{Hex(current.Vaddr)}, {Hex(current.End)}) overlaps program header {previous.Index} (PT_LOAD) at [{Hex(previous.Vaddr)}, {Hex(previous.End)}).");
                }
            }

            _loads = [.. loads];

            // Sorted and disjoint, so the last segment ends highest. ValidateLoad proved that the
            // page-rounded end does not overflow.
            _linkBase = PageDown(_loads[0].Vaddr);
            _imageEnd = PageUp(_loads[^1].End);
            ulong imageSize = _imageEnd - _linkBase;
            if (imageSize > MaxImageSize)
            {
                throw Error($"The ELF image spans {Hex(imageSize)} bytes (from {Hex(_linkBase)} to {Hex(_imageEnd)}); at most {Hex(MaxImageSize)} (1 GiB) is allowed.");
            }

            ValidateEntry(entry);

            foreach ((int index, ulong start, ulong end) in relros)
            {
                if (start < _linkBase || end > _imageEnd)
                {
                    throw Error($"ELF program header {index} (PT_GNU_RELRO) at [{Hex(start)}, {Hex(end)}) lies outside the loaded image [{Hex(_linkBase)}, {Hex(_imageEnd)}).");
                }
            }

            _relros = [.. relros];
            ElfThreadLocalStorage? threadLocalStorage = tls is { } t ? ValidateTls(t.Index, t.Vaddr, t.FileSize, t.MemorySize, t.Align) : null;

            ElfRelocation[] relocations = dynamic is { } dyn
                ? ParseDynamic(dyn.Index, dyn.Offset, dyn.Vaddr, dyn.Size)
                : [];

            return new ElfImage(_memory, _linkBase, imageSize, entry - _linkBase, _loads, relocations, BuildPageRanges(imageSize))
            {
                ThreadLocalStorage = threadLocalStorage,
            };
        }

        private static void ValidateIdentification(ReadOnlySpan<byte> data)
        {
            if (data.Length < 4 || !data[..4].SequenceEqual("\u007FELF"u8))
            {
                string found = data.Length == 0 ? "the file is empty" : $"the file starts with {Convert.ToHexString(data[..Math.Min(4, data.Length)])}";
                throw Error($"Not an ELF file: {found}, expected the magic bytes 7F454C46 (\\x7FELF).");
            }

            if (data.Length < EhdrSize)
            {
                throw Error($"The file is {data.Length} bytes, too small for the {EhdrSize}-byte ELF64 header.");
            }

            if (data[EI_CLASS] != ELFCLASS64)
            {
                throw Error($"The ELF class is {data[EI_CLASS]}{(data[EI_CLASS] == 1 ? " (ELFCLASS32)" : string.Empty)}; only ELFCLASS64 (2) is supported.");
            }

            if (data[EI_DATA] != ELFDATA2LSB)
            {
                throw Error($"The ELF data encoding is {data[EI_DATA]}{(data[EI_DATA] == 2 ? " (big-endian)" : string.Empty)}; only little-endian (ELFDATA2LSB, 1) is supported.");
            }

            if (data[EI_VERSION] != EV_CURRENT)
            {
                throw Error($"The ELF identification version (EI_VERSION) is {data[EI_VERSION]}; only EV_CURRENT (1) is supported.");
            }

            uint version = ReadU32(data, E_version);
            if (version != EV_CURRENT)
            {
                throw Error($"The ELF header version (e_version) is {version}; only EV_CURRENT (1) is supported.");
            }

            ushort machine = ReadU16(data, E_machine);
            if (machine != EM_X86_64)
            {
                throw Error($"The ELF machine (e_machine) is {machine}; only EM_X86_64 (62) is supported.");
            }

            ushort type = ReadU16(data, E_type);
            if (type != ET_DYN)
            {
                string name = type switch
                {
                    1 => " (ET_REL, an object file)",
                    2 => " (ET_EXEC, a fixed-address executable)",
                    4 => " (ET_CORE)",
                    _ => string.Empty,
                };
                throw Error($"The ELF type (e_type) is {type}{name}; the guest must be a static PIE (ET_DYN, 3): link with -static-pie.");
            }
        }

        private readonly void ValidateLoad(string what, ulong offset, ulong vaddr, ulong filesz, ulong memsz, ulong align)
        {
            if (filesz > memsz)
            {
                throw Error($"{what} has p_filesz {Hex(filesz)} larger than its p_memsz {Hex(memsz)}.");
            }

            if (offset > _fileLength || filesz > _fileLength - offset)
            {
                throw Error($"{what} ends at file offset {Hex((UInt128)offset + filesz)}, past the end of the {Hex(_fileLength)}-byte file.");
            }

            if (align > 1)
            {
                if ((align & (align - 1)) != 0)
                {
                    throw Error($"{what} has p_align {Hex(align)}, which is not a power of two.");
                }

                if ((offset & (align - 1)) != (vaddr & (align - 1)))
                {
                    throw Error($"{what} has p_offset {Hex(offset)} and p_vaddr {Hex(vaddr)}, which are not congruent modulo p_align {Hex(align)}.");
                }
            }

            // The page-rounded end must be representable too.
            if (memsz > ulong.MaxValue - vaddr || vaddr + memsz > ulong.MaxValue - (PageSize - 1))
            {
                throw Error($"{what} (p_vaddr {Hex(vaddr)}, p_memsz {Hex(memsz)}) ends past the top of the 64-bit address space.");
            }
        }

        private readonly void ValidateEntry(ulong entry)
        {
            int index = FindSegment(entry, 1);
            if (index < 0)
            {
                throw Error($"The ELF entry point {Hex(entry)} is not inside any PT_LOAD segment; it must be in an executable one.");
            }

            ElfSegment segment = _loads[index];
            if (!segment.Executable)
            {
                throw Error($"The ELF entry point {Hex(entry)} lies in program header {segment.Index} (PT_LOAD) at [{Hex(segment.Vaddr)}, {Hex(segment.End)}), which is not executable (no PF_X).");
            }
        }

        /// <summary>The index in <see cref="_loads"/> of the segment whose memory holds all of <c>[vaddr, vaddr + length)</c>, or -1.</summary>
        private readonly int FindSegment(ulong vaddr, ulong length)
        {
            // Binary search for the last segment starting at or below vaddr (segments are sorted and disjoint).
            int lo = 0;
            int hi = _loads.Length - 1;
            int found = -1;
            while (lo <= hi)
            {
                int mid = lo + ((hi - lo) / 2);
                if (_loads[mid].Vaddr <= vaddr)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found >= 0 && _loads[found].Contains(vaddr, length) ? found : -1;
        }

        private readonly bool InRelro(ulong vaddr, ulong length)
        {
            foreach ((_, ulong start, ulong end) in _relros)
            {
                if (vaddr >= start && length <= end - start && vaddr - start <= end - start - length)
                {
                    return true;
                }
            }

            return false;
        }

        private readonly ElfPageRange[] BuildPageRanges(ulong imageSize)
        {
            // One byte per page; the image is at most 1 GiB, so at most 256 Ki entries.
            const byte present = 1, writable = 2, executable = 4;
            var pages = new byte[imageSize / PageSize];
            foreach (ElfSegment segment in _loads)
            {
                byte bits = (byte)(present | (segment.Writable ? writable : 0) | (segment.Executable ? executable : 0));
                ulong first = (PageDown(segment.Vaddr) - _linkBase) / PageSize;
                ulong last = (PageUp(segment.End) - _linkBase) / PageSize;
                for (ulong p = first; p < last; p++)
                {
                    // A page shared by two segments gets the union of their permissions (guest-abi §1).
                    pages[p] |= bits;
                }
            }

            foreach ((_, ulong start, ulong end) in _relros)
            {
                // Like glibc's _dl_protect_relro: the start rounds down, the end rounds down too, so a
                // partial last page (shared with ordinary .data) stays writable.
                ulong first = (PageDown(start) - _linkBase) / PageSize;
                ulong last = (PageDown(end) - _linkBase) / PageSize;
                for (ulong p = first; p < last; p++)
                {
                    pages[p] &= unchecked((byte)~writable);
                }
            }

            var ranges = new List<ElfPageRange>();
            int runStart = 0;
            for (int p = 1; p <= pages.Length; p++)
            {
                if (p == pages.Length || pages[p] != pages[runStart])
                {
                    byte bits = pages[runStart];
                    ranges.Add(new ElfPageRange(
                        (ulong)runStart * PageSize,
                        (ulong)(p - runStart) * PageSize,
                        (bits & present) != 0,
                        (bits & writable) != 0,
                        (bits & executable) != 0));
                    runStart = p;
                }
            }

            return [.. ranges];
        }

        private static ulong PageUp(ulong value) => PageDown(value + (PageSize - 1));

        private static ushort ReadU16(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);

        private static uint ReadU32(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);

        private static ulong ReadU64(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(span[offset..]);

        private static GuestBinaryException Error(string message) => new(message);
    }
}
