namespace HyperSharp.Elf;

// Constants and field offsets of the ELF64 structures the loader reads (System V gABI and the
// x86-64 psABI). Only what the loader needs; everything is little-endian.
internal static class ElfConstants
{
    public const ulong PageSize = 0x1000;

    /// <summary>Largest image the loader accepts (1 GiB): bounds every allocation and per-page table.</summary>
    public const ulong MaxImageSize = 1UL << 30;

    /// <summary>At most this many program headers: real static PIEs have about ten.</summary>
    public const int MaxProgramHeaders = 256;

    // e_ident
    public const int EI_CLASS = 4;
    public const int EI_DATA = 5;
    public const int EI_VERSION = 6;
    public const byte ELFCLASS64 = 2;
    public const byte ELFDATA2LSB = 1;
    public const byte EV_CURRENT = 1;

    // Elf64_Ehdr
    public const int EhdrSize = 64;
    public const int E_type = 16;
    public const int E_machine = 18;
    public const int E_version = 20;
    public const int E_entry = 24;
    public const int E_phoff = 32;
    public const int E_phentsize = 54;
    public const int E_phnum = 56;

    public const ushort ET_DYN = 3;
    public const ushort EM_X86_64 = 62;
    public const ushort PN_XNUM = 0xFFFF;

    // Elf64_Phdr
    public const int PhdrSize = 56;
    public const int P_type = 0;
    public const int P_flags = 4;
    public const int P_offset = 8;
    public const int P_vaddr = 16;
    public const int P_filesz = 32;
    public const int P_memsz = 40;
    public const int P_align = 48;

    public const uint PT_NULL = 0;
    public const uint PT_LOAD = 1;
    public const uint PT_DYNAMIC = 2;
    public const uint PT_INTERP = 3;
    public const uint PT_NOTE = 4;
    public const uint PT_SHLIB = 5;
    public const uint PT_PHDR = 6;
    public const uint PT_TLS = 7;
    public const uint PT_GNU_EH_FRAME = 0x6474E550;
    public const uint PT_GNU_STACK = 0x6474E551;
    public const uint PT_GNU_RELRO = 0x6474E552;
    public const uint PT_GNU_PROPERTY = 0x6474E553;

    public const uint PF_X = 1;
    public const uint PF_W = 2;
    public const uint PF_R = 4;

    // Elf64_Dyn
    public const int DynSize = 16;
    public const long DT_NULL = 0;
    public const long DT_NEEDED = 1;
    public const long DT_PLTRELSZ = 2;
    public const long DT_RELA = 7;
    public const long DT_RELASZ = 8;
    public const long DT_RELAENT = 9;
    public const long DT_REL = 17;
    public const long DT_RELSZ = 18;
    public const long DT_RELENT = 19;
    public const long DT_PLTREL = 20;
    public const long DT_TEXTREL = 22;
    public const long DT_JMPREL = 23;
    public const long DT_FLAGS = 30;
    public const long DT_RELRSZ = 35;
    public const long DT_RELR = 36;
    public const long DT_RELRENT = 37;
    public const ulong DF_TEXTREL = 0x4;

    // Elf64_Rela
    public const int RelaSize = 24;
    public const uint R_X86_64_NONE = 0;
    public const uint R_X86_64_RELATIVE = 8;

    public static string SegmentTypeName(uint type) => type switch
    {
        PT_NULL => "PT_NULL",
        PT_LOAD => "PT_LOAD",
        PT_DYNAMIC => "PT_DYNAMIC",
        PT_INTERP => "PT_INTERP",
        PT_NOTE => "PT_NOTE",
        PT_SHLIB => "PT_SHLIB",
        PT_PHDR => "PT_PHDR",
        PT_TLS => "PT_TLS",
        PT_GNU_EH_FRAME => "PT_GNU_EH_FRAME",
        PT_GNU_STACK => "PT_GNU_STACK",
        PT_GNU_RELRO => "PT_GNU_RELRO",
        PT_GNU_PROPERTY => "PT_GNU_PROPERTY",
        _ => $"type 0x{type:X}",
    };

    public static string RelocationTypeName(uint type) => type switch
    {
        0 => "R_X86_64_NONE",
        1 => "R_X86_64_64",
        2 => "R_X86_64_PC32",
        5 => "R_X86_64_COPY",
        6 => "R_X86_64_GLOB_DAT",
        7 => "R_X86_64_JUMP_SLOT",
        8 => "R_X86_64_RELATIVE",
        16 => "R_X86_64_DTPMOD64",
        17 => "R_X86_64_DTPOFF64",
        18 => "R_X86_64_TPOFF64",
        37 => "R_X86_64_IRELATIVE",
        _ => "unknown",
    };
}

/// <summary>A validated PT_LOAD segment: addresses are ELF virtual addresses, <c>[Vaddr, Vaddr + MemorySize)</c> is non-empty.</summary>
internal readonly record struct ElfSegment(int Index, ulong FileOffset, ulong FileSize, ulong Vaddr, ulong MemorySize, uint Flags)
{
    public ulong End => Vaddr + MemorySize;

    public bool Writable => (Flags & ElfConstants.PF_W) != 0;

    public bool Executable => (Flags & ElfConstants.PF_X) != 0;

    public bool Contains(ulong vaddr, ulong length) => vaddr >= Vaddr && length <= MemorySize && vaddr - Vaddr <= MemorySize - length;

    public bool ContainsFileBacked(ulong vaddr, ulong length) => vaddr >= Vaddr && length <= FileSize && vaddr - Vaddr <= FileSize - length;
}

/// <summary>A validated R_X86_64_RELATIVE relocation: the 8 bytes at image offset <see cref="ImageOffset"/> receive load bias + <see cref="Addend"/>.</summary>
internal readonly record struct ElfRelocation(ulong ImageOffset, ulong Addend);
