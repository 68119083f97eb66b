using System.Buffers.Binary;
using static HyperSharp.Elf.ElfConstants;

namespace HyperSharp.Elf;

internal sealed partial class ElfImage
{
    private ref partial struct Parser
    {
        /// <summary>
        /// Reads PT_DYNAMIC and the DT_RELA table it points to. Only R_X86_64_RELATIVE (and NONE, which
        /// is skipped) is accepted: a static PIE resolves nothing by symbol, and the loader has no
        /// symbol table, PLT, TLS or IFUNC support.
        /// </summary>
        private readonly ElfRelocation[] ParseDynamic(int index, ulong offset, ulong vaddr, ulong size)
        {
            string what = $"ELF program header {index} (PT_DYNAMIC)";
            if (offset > _fileLength || size > _fileLength - offset)
            {
                throw Error($"{what} ends at file offset {Hex((UInt128)offset + size)}, past the end of the {Hex(_fileLength)}-byte file.");
            }

            if (size % DynSize != 0)
            {
                throw Error($"{what} has p_filesz {Hex(size)}, which is not a multiple of the {DynSize}-byte dynamic entry size.");
            }

            if (size == 0)
            {
                return [];
            }

            if (FindFileBacked(vaddr, size) < 0)
            {
                throw Error($"{what} at [{Hex(vaddr)}, {Hex((UInt128)vaddr + size)}) is not inside the file-backed part of a PT_LOAD segment.");
            }

            ulong? rela = null, relaSize = null, relaEntry = null;
            ReadOnlySpan<byte> entries = _data.Slice((int)offset, (int)size);
            for (int i = 0; i < entries.Length; i += DynSize)
            {
                long tag = BinaryPrimitives.ReadInt64LittleEndian(entries[i..]);
                ulong value = BinaryPrimitives.ReadUInt64LittleEndian(entries[(i + 8)..]);
                switch (tag)
                {
                    case DT_NULL:
                        i = entries.Length;
                        break;
                    case DT_RELA:
                        rela = Once(rela, value, "DT_RELA");
                        break;
                    case DT_RELASZ:
                        relaSize = Once(relaSize, value, "DT_RELASZ");
                        break;
                    case DT_RELAENT:
                        relaEntry = Once(relaEntry, value, "DT_RELAENT");
                        break;
                    case DT_REL or DT_RELSZ or DT_RELENT:
                        throw Error($"The ELF dynamic section has {DynamicTagName(tag)} (REL relocations without addends); only DT_RELA relocations are supported.");
                    case DT_JMPREL:
                        throw Error("The ELF dynamic section has DT_JMPREL (PLT relocations); a static PIE must not have any.");
                    case DT_TEXTREL:
                        throw Error("The ELF dynamic section has DT_TEXTREL (relocations in read-only code); rebuild the guest with -fpie.");
                    case DT_FLAGS when (value & DF_TEXTREL) != 0:
                        throw Error("The ELF dynamic section has DT_FLAGS with DF_TEXTREL (relocations in read-only code); rebuild the guest with -fpie.");
                    case DT_RELR or DT_RELRSZ or DT_RELRENT:
                        throw Error($"The ELF dynamic section has {DynamicTagName(tag)} (packed relative relocations), which is not supported; link without -z pack-relative-relocs.");
                    case DT_NEEDED:
                        throw Error("The ELF dynamic section has DT_NEEDED: the guest depends on a shared library; it must be a self-contained static PIE.");
                    default:
                        // DT_FLAGS_1, DT_RELACOUNT, DT_GNU_HASH, DT_SYMTAB, DT_DEBUG, ...: not needed to load.
                        break;
                }
            }

            if (relaEntry is { } entrySize && entrySize != RelaSize)
            {
                throw Error($"The ELF dynamic section has DT_RELAENT {entrySize}; ELF64 RELA entries are {RelaSize} bytes.");
            }

            if (rela is null && relaSize is null)
            {
                return [];
            }

            if (rela is not { } tableAddress)
            {
                throw Error("The ELF dynamic section has DT_RELASZ but no DT_RELA.");
            }

            if (relaSize is not { } tableSize)
            {
                throw Error("The ELF dynamic section has DT_RELA but no DT_RELASZ.");
            }

            if (relaEntry is null)
            {
                throw Error("The ELF dynamic section has DT_RELA but no DT_RELAENT.");
            }

            if (tableSize % RelaSize != 0)
            {
                throw Error($"The ELF relocation table size (DT_RELASZ) is {Hex(tableSize)}, not a multiple of the {RelaSize}-byte entry size.");
            }

            if (tableSize == 0)
            {
                return [];
            }

            int segmentIndex = FindFileBacked(tableAddress, tableSize);
            if (segmentIndex < 0)
            {
                throw Error($"The ELF relocation table (DT_RELA {Hex(tableAddress)}, DT_RELASZ {Hex(tableSize)}) is not inside the file-backed part of a PT_LOAD segment.");
            }

            // In bounds: FindFileBacked proved the table lies in the segment's file bytes, which
            // ValidateLoad proved lie in the file. The count is therefore at most file length / 24.
            ElfSegment holder = _loads[segmentIndex];
            ReadOnlySpan<byte> table = _data.Slice((int)(holder.FileOffset + (tableAddress - holder.Vaddr)), (int)tableSize);
            var relocations = new List<ElfRelocation>();
            for (int i = 0; i < table.Length / RelaSize; i++)
            {
                ReadOnlySpan<byte> entry = table.Slice(i * RelaSize, RelaSize);
                ulong target = BinaryPrimitives.ReadUInt64LittleEndian(entry);
                ulong info = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
                ulong addend = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
                uint type = (uint)info;
                uint symbol = (uint)(info >> 32);

                if (type == R_X86_64_NONE)
                {
                    continue;
                }

                if (type != R_X86_64_RELATIVE)
                {
                    throw Error($"ELF relocation {i} (at {Hex(target)}) has type {type} ({RelocationTypeName(type)}); only R_X86_64_RELATIVE (8) is supported.");
                }

                if (symbol != 0)
                {
                    throw Error($"ELF relocation {i} (R_X86_64_RELATIVE at {Hex(target)}) refers to symbol {symbol}; relative relocations take no symbol.");
                }

                int targetSegment = FindSegment(target, 8);
                if (targetSegment < 0)
                {
                    throw Error($"ELF relocation {i} targets [{Hex(target)}, {Hex((UInt128)target + 8)}), which is not fully inside one PT_LOAD segment.");
                }

                ElfSegment segment = _loads[targetSegment];
                if (!segment.Writable && !InRelro(target, 8))
                {
                    throw Error($"ELF relocation {i} targets {Hex(target)} in program header {segment.Index} (PT_LOAD), which is neither writable nor covered by PT_GNU_RELRO.");
                }

                relocations.Add(new ElfRelocation(target - _linkBase, addend));
            }

            return [.. relocations];
        }

        private readonly int FindFileBacked(ulong vaddr, ulong length)
        {
            int index = FindSegment(vaddr, length);
            return index >= 0 && _loads[index].ContainsFileBacked(vaddr, length) ? index : -1;
        }

        private static ulong Once(ulong? existing, ulong value, string name) =>
            existing is null ? value : throw Error($"The ELF dynamic section has {name} more than once.");

        private static string DynamicTagName(long tag) => tag switch
        {
            DT_REL => "DT_REL",
            DT_RELSZ => "DT_RELSZ",
            DT_RELENT => "DT_RELENT",
            DT_RELR => "DT_RELR",
            DT_RELRSZ => "DT_RELRSZ",
            DT_RELRENT => "DT_RELRENT",
            _ => $"tag 0x{tag:X}",
        };
    }
}
