using HyperSharp.Memory;

namespace HyperSharp.Elf;

/// <summary>
/// The guest's PT_TLS segment: the initial image of its thread-local variables (<c>.tdata</c>,
/// <see cref="FileSize"/> bytes at <see cref="ImageOffset"/> of the loaded image) followed by zeroes
/// (<c>.tbss</c>) up to <see cref="MemorySize"/>. The host copies it below the thread control block
/// (<see cref="ThreadControlBlock"/>).
/// </summary>
internal readonly record struct ElfThreadLocalStorage(ulong ImageOffset, ulong FileSize, ulong MemorySize, ulong Alignment);

internal sealed partial class ElfImage
{
    private ref partial struct Parser
    {
        /// <summary>
        /// Checks a PT_TLS header: at most <see cref="GuestAbi.MaxTlsSize"/> bytes, a power-of-two alignment
        /// of at most <see cref="GuestAbi.MaxTlsAlignment"/>, and an initial image that lies inside one
        /// PT_LOAD segment (so copying it reads only the loaded image).
        /// </summary>
        private readonly ElfThreadLocalStorage ValidateTls(int index, ulong vaddr, ulong filesz, ulong memsz, ulong align)
        {
            string what = $"ELF program header {index} (PT_TLS)";
            if (filesz > memsz)
            {
                throw Error($"{what} has p_filesz {Hex(filesz)} larger than its p_memsz {Hex(memsz)}.");
            }

            if (memsz > GuestAbi.MaxTlsSize)
            {
                throw Error($"{what} declares {Hex(memsz)} bytes of thread-local storage; at most {Hex(GuestAbi.MaxTlsSize)} are allowed.");
            }

            ulong alignment = align == 0 ? 1 : align;
            if ((alignment & (alignment - 1)) != 0 || alignment > GuestAbi.MaxTlsAlignment)
            {
                throw Error($"{what} has p_align {Hex(align)}; it must be a power of two of at most {Hex(GuestAbi.MaxTlsAlignment)}.");
            }

            if (filesz != 0 && FindSegment(vaddr, filesz) < 0)
            {
                throw Error($"{what} initial image [{Hex(vaddr)}, {Hex((UInt128)vaddr + filesz)}) is not inside one PT_LOAD segment.");
            }

            return new ElfThreadLocalStorage(filesz == 0 ? 0 : vaddr - _linkBase, filesz, memsz, alignment);
        }
    }
}
