using HyperSharp.Elf;
using HyperSharp.Memory;
using Xunit;
using static HyperSharp.Tests.Elf.ElfBuilder;

namespace HyperSharp.Tests.Elf;

/// <summary>One test per loading rule of docs/guest-abi.md §1 and per bounds check: each breaks a valid file in exactly one way.</summary>
public sealed class ElfRejectionTests
{
    // Program header indices in ElfBuilder.Typical().
    private const int Text = 1, Data = 2, DynLoad = 3, Dynamic = 4, Relro = 5;

    private static void AssertRejected(byte[] file, params string[] phrases)
    {
        GuestBinaryException ex = Assert.Throws<GuestBinaryException>(() => ElfImage.Parse(file));
        foreach (string phrase in phrases)
        {
            Assert.Contains(phrase, ex.Message, StringComparison.Ordinal);
        }

        Assert.Null(ex.InnerException); // a real check fired, not the safety net
    }

    private static byte[] Typical(Action<byte[]> patch)
    {
        byte[] file = ElfBuilder.Typical().Build();
        patch(file);
        return file;
    }

    private static byte[] Built(Action<ElfBuilder> configure)
    {
        ElfBuilder builder = ElfBuilder.Typical();
        configure(builder);
        return builder.Build();
    }

    [Fact]
    public void RejectsEmptyFile() => AssertRejected([], "Not an ELF file", "empty");

    [Fact]
    public void RejectsFileWithoutElfMagic() => AssertRejected(Typical(f => f[1] = (byte)'X'), "Not an ELF file", "7F584C46");

    [Fact]
    public void RejectsFileTooShortForTheElfHeader() => AssertRejected(ElfBuilder.Typical().Build()[..40], "40 bytes", "64-byte ELF64 header");

    [Fact]
    public void RejectsElfClass32() => AssertRejected(Typical(f => f[4] = 1), "ELFCLASS32", "only ELFCLASS64");

    [Fact]
    public void RejectsBigEndian() => AssertRejected(Typical(f => f[5] = 2), "big-endian", "only little-endian");

    [Fact]
    public void RejectsWrongIdentificationVersion() => AssertRejected(Typical(f => f[6] = 0), "EI_VERSION) is 0");

    [Fact]
    public void RejectsWrongHeaderVersion() => AssertRejected(Typical(f => Patch32(f, E_version, 2)), "e_version) is 2");

    [Fact]
    public void RejectsMachineOtherThanX86_64() => AssertRejected(Typical(f => Patch16(f, E_machine, 183)), "e_machine) is 183", "EM_X86_64");

    [Fact]
    public void RejectsFixedAddressExecutable() => AssertRejected(Typical(f => Patch16(f, E_type, 2)), "ET_EXEC", "static PIE");

    [Fact]
    public void RejectsObjectFile() => AssertRejected(Typical(f => Patch16(f, E_type, 1)), "ET_REL");

    [Fact]
    public void RejectsWrongProgramHeaderEntrySize() => AssertRejected(Typical(f => Patch16(f, E_phentsize, 64)), "e_phentsize) is 64 bytes");

    [Fact]
    public void RejectsTooManyProgramHeaders() => AssertRejected(Typical(f => Patch16(f, E_phnum, 257)), "257 program headers", "at most 256");

    [Fact]
    public void RejectsExtendedProgramHeaderNumbering() => AssertRejected(Typical(f => Patch16(f, E_phnum, 0xFFFF)), "extended program header numbering");

    [Fact]
    public void RejectsProgramHeaderTablePastTheEndOfTheFile() =>
        AssertRejected(Typical(f => Patch64(f, E_phoff, (ulong)f.Length - 100)), "program header table", "past the end of the 0x6088-byte file");

    [Fact]
    public void RejectsProgramHeaderTableOffsetThatWouldOverflow() =>
        AssertRejected(Typical(f => Patch64(f, E_phoff, ulong.MaxValue - 8)), "program header table", "past the end");

    [Fact]
    public void RejectsFileWithNoProgramHeaders() => AssertRejected(Typical(f => Patch16(f, E_phnum, 0)), "no PT_LOAD");

    [Fact]
    public void RejectsInterpreter() =>
        AssertRejected(Typical(f => PatchPhdr32(f, Relro, P_type, PT_INTERP)), "program header 5 (PT_INTERP)", "interpreter");

    [Fact]
    public void RejectsThreadLocalStorageLargerThanTheLimit() =>
        AssertRejected(Typical(f => AsTls(f, P_memsz, GuestAbi.MaxTlsSize + 1)), "program header 5 (PT_TLS) declares 0x100001 bytes", "at most 0x100000");

    [Theory]
    [InlineData(24UL)]
    [InlineData(0x2000UL)]
    public void RejectsThreadLocalStorageAlignedOtherThanAPowerOfTwoUpToAPage(ulong align) =>
        AssertRejected(Typical(f => AsTls(f, P_align, align)), "program header 5 (PT_TLS) has p_align", "power of two of at most 0x1000");

    [Fact]
    public void RejectsThreadLocalStorageWhoseInitialImageIsNotLoaded() =>
        AssertRejected(Typical(f => AsTls(f, P_vaddr, 0x100000)), "program header 5 (PT_TLS) initial image [0x100000, 0x101000)", "not inside one PT_LOAD");

    [Fact]
    public void RejectsASecondThreadLocalStorageSegment() =>
        AssertRejected(Typical(f =>
        {
            PatchPhdr32(f, Dynamic, P_type, PT_TLS);
            PatchPhdr32(f, Relro, P_type, PT_TLS);
        }), "program header 5 (PT_TLS) is a second thread-local storage segment (the first is program header 4)");

    /// <summary>Turns the typical file's PT_GNU_RELRO (0x1000 bytes over the dynamic segment) into a PT_TLS and patches one field.</summary>
    private static void AsTls(byte[] file, int field, ulong value)
    {
        PatchPhdr32(file, Relro, P_type, PT_TLS);
        PatchPhdr64(file, Relro, field, value);
    }

    [Fact]
    public void RejectsFileWithoutLoadSegment()
    {
        var builder = new ElfBuilder { IncludeHeaderSegment = false };
        builder.Segments.Add(new Segment(PT_NOTE, PF_R, 0, [], 0x10, 4) { FileSize = 0x10 });

        AssertRejected(builder.Build(), "no PT_LOAD");
    }

    [Fact]
    public void RejectsFileWhoseLoadSegmentsAreAllEmpty() =>
        AssertRejected(
            Typical(f =>
            {
                for (int i = 0; i < 4; i++)
                {
                    PatchPhdr64(f, i, P_filesz, 0);
                    PatchPhdr64(f, i, P_memsz, 0);
                }
            }),
            "no PT_LOAD");

    [Fact]
    public void RejectsOverlappingLoadSegments() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Text, P_memsz, 0x1001)), "program header 2 (PT_LOAD) at [0x2000, 0x4100) overlaps program header 1 (PT_LOAD) at [0x1000, 0x2001)");

    [Fact]
    public void RejectsLoadSegmentsAtTheSameAddress() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Data, P_vaddr, 0x1000)), "overlaps");

    [Fact]
    public void RejectsFileSizeLargerThanMemorySize() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Text, P_memsz, 0x40)), "program header 1 (PT_LOAD) has p_filesz 0x80 larger than its p_memsz 0x40");

    [Fact]
    public void RejectsSegmentThatEndsPastTheFile() =>
        AssertRejected(
            Typical(f =>
            {
                PatchPhdr64(f, Data, P_filesz, 0x5100);
                PatchPhdr64(f, Data, P_memsz, 0x5100);
            }),
            "ELF program header 2 (PT_LOAD) ends at file offset 0x7100, past the end of the 0x6088-byte file.");

    [Fact]
    public void RejectsSegmentWhoseFileRangeOverflows() =>
        AssertRejected(
            Typical(f =>
            {
                PatchPhdr64(f, Text, P_offset, 0xFFFF_FFFF_FFFF_FFF0);
                PatchPhdr64(f, Text, P_align, 1);
            }),
            "program header 1 (PT_LOAD) ends at file offset 0x10000000000000070", "past the end");

    [Fact]
    public void RejectsAlignmentThatIsNotAPowerOfTwo() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Text, P_align, 0x3000)), "p_align 0x3000, which is not a power of two");

    [Fact]
    public void RejectsOffsetNotCongruentWithAddressModuloAlignment() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Text, P_offset, 0x1800)), "p_offset 0x1800 and p_vaddr 0x1000, which are not congruent modulo p_align 0x1000");

    [Fact]
    public void RejectsSegmentEndingPastTheTopOfTheAddressSpace() =>
        AssertRejected(
            Typical(f =>
            {
                PatchPhdr64(f, Data, P_vaddr, 0xFFFF_FFFF_FFFF_F000);
                PatchPhdr64(f, Data, P_offset, 0x2000);
            }),
            "program header 2 (PT_LOAD)", "ends past the top of the 64-bit address space");

    [Fact]
    public void RejectsImageLargerThanOneGiB()
    {
        ElfBuilder builder = ElfBuilder.Typical();
        builder.Segments.Add(new Segment(PT_LOAD, PF_R, 0x4000_0000, [], 0x1000) { Offset = 0 });

        AssertRejected(builder.Build(), "spans 0x40001000 bytes", "at most 0x40000000 (1 GiB)");
    }

    [Fact]
    public void AcceptsImageOfExactlyOneGiB()
    {
        ElfBuilder builder = ElfBuilder.Typical();
        builder.Segments.Add(new Segment(PT_LOAD, PF_R, 0x3FFF_F000, [], 0x1000) { Offset = 0 });

        Assert.Equal(0x4000_0000UL, ElfImage.Parse(builder.Build()).ImageSize);
    }

    [Fact]
    public void RejectsEntryOutsideEverySegment() => AssertRejected(Typical(f => Patch64(f, E_entry, 0x5000)), "entry point 0x5000 is not inside any PT_LOAD segment");

    [Fact]
    public void RejectsEntryInNonExecutableSegment() =>
        AssertRejected(Typical(f => Patch64(f, E_entry, 0x2000)), "entry point 0x2000 lies in program header 2 (PT_LOAD)", "not executable");

    [Fact]
    public void RejectsEntryJustPastTheExecutableSegment() => AssertRejected(Typical(f => Patch64(f, E_entry, 0x1080)), "entry point 0x1080");

    [Fact]
    public void RejectsSecondDynamicSection() =>
        AssertRejected(Typical(f => PatchPhdr32(f, Relro, P_type, PT_DYNAMIC)), "program header 5 (PT_DYNAMIC) is a second dynamic section");

    [Fact]
    public void RejectsDynamicSectionPastTheEndOfTheFile() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Dynamic, P_offset, 0x6FF0)), "program header 4 (PT_DYNAMIC) ends at file offset", "past the end of the 0x6088-byte file");

    [Fact]
    public void RejectsDynamicSectionOutsideTheLoadedFileBytes() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Dynamic, P_vaddr, 0x6F00)), "program header 4 (PT_DYNAMIC) at [0x6F00", "not inside the file-backed part of a PT_LOAD segment");

    [Fact]
    public void RejectsDynamicSizeThatIsNotAMultipleOfTheEntrySize() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Dynamic, P_filesz, 0x28)), "p_filesz 0x28, which is not a multiple of the 16-byte dynamic entry size");

    [Fact]
    public void RejectsRelRelocations() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_REL, 0x6000))), "DT_REL (REL relocations", "only DT_RELA");

    [Fact]
    public void RejectsPltRelocations() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_JMPREL, 0x6000))), "DT_JMPREL");

    [Fact]
    public void RejectsTextRelocations() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_TEXTREL, 0))), "DT_TEXTREL");

    [Fact]
    public void RejectsTextRelocationFlag() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_FLAGS, 0x4))), "DF_TEXTREL");

    [Fact]
    public void AcceptsOtherDynamicFlags() => Assert.NotNull(ElfImage.Parse(Built(b => b.ExtraDynamic.Add((DT_FLAGS, 0x8)))));

    [Fact]
    public void RejectsPackedRelativeRelocations() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_RELR, 0x6000))), "DT_RELR", "pack-relative-relocs");

    [Fact]
    public void RejectsSharedLibraryDependency() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_NEEDED, 1))), "DT_NEEDED");

    [Fact]
    public void RejectsWrongRelaEntrySize() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6000), (DT_RELASZ, 72), (DT_RELAENT, 16)]); }), "DT_RELAENT 16", "24 bytes");

    [Fact]
    public void RejectsRelaWithoutSize() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6000), (DT_RELAENT, 24)]); }), "DT_RELA but no DT_RELASZ");

    [Fact]
    public void RejectsRelaSizeWithoutTable() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELASZ, 72), (DT_RELAENT, 24)]); }), "DT_RELASZ but no DT_RELA");

    [Fact]
    public void RejectsRelaWithoutEntrySize() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6000), (DT_RELASZ, 72)]); }), "DT_RELA but no DT_RELAENT");

    [Fact]
    public void RejectsDuplicateRelaTag() => AssertRejected(Built(b => b.ExtraDynamic.Add((DT_RELA, 0x6000))), "DT_RELA more than once");

    [Fact]
    public void RejectsRelaSizeThatIsNotAMultipleOfTheEntrySize() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6000), (DT_RELASZ, 70), (DT_RELAENT, 24)]); }), "DT_RELASZ) is 0x46, not a multiple of the 24-byte entry size");

    [Fact]
    public void RejectsRelocationTableOutsideTheFileBytes() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6F00), (DT_RELASZ, 72), (DT_RELAENT, 24)]); }), "relocation table (DT_RELA 0x6F00, DT_RELASZ 0x48) is not inside the file-backed part");

    [Fact]
    public void RejectsRelocationTableWhoseEndOverflows() =>
        AssertRejected(Built(b => { b.OmitStandardRelaTags = true; b.ExtraDynamic.AddRange([(DT_RELA, 0x6000), (DT_RELASZ, 0xFFFF_FFFF_FFFF_FFF0), (DT_RELAENT, 24)]); }), "not inside the file-backed part");

    [Fact]
    public void RejectsAbsoluteRelocation() =>
        AssertRejected(Built(b => b.Relocations.Add((0x2010, R_X86_64_64, 0))), "relocation 3 (at 0x2010) has type 1 (R_X86_64_64)", "only R_X86_64_RELATIVE");

    [Fact]
    public void RejectsJumpSlotRelocation() => AssertRejected(Built(b => b.Relocations.Add((0x2010, (5UL << 32) | R_X86_64_JUMP_SLOT, 0))), "R_X86_64_JUMP_SLOT");

    [Fact]
    public void RejectsRelativeRelocationWithSymbol() =>
        AssertRejected(Built(b => b.Relocations.Add((0x2010, (1UL << 32) | R_X86_64_RELATIVE, 0))), "refers to symbol 1");

    [Fact]
    public void RejectsRelocationTargetInAGap() =>
        AssertRejected(Built(b => b.AddRelative(0x5000, 0)), "relocation 3 targets [0x5000, 0x5008), which is not fully inside one PT_LOAD segment");

    [Fact]
    public void RejectsRelocationTargetStraddlingTheEndOfASegment() =>
        AssertRejected(Built(b => b.AddRelative(0x40FC, 0)), "targets [0x40FC, 0x4104)");

    [Fact]
    public void RejectsRelocationTargetNearTheTopOfTheAddressSpace() =>
        AssertRejected(Built(b => b.AddRelative(ulong.MaxValue - 3, 0)), "targets [0xFFFFFFFFFFFFFFFC, 0x10000000000000004)");

    [Fact]
    public void RejectsRelocationIntoReadOnlyCode() =>
        AssertRejected(Built(b => b.AddRelative(0x1008, 0)), "relocation 3 targets 0x1008 in program header 1 (PT_LOAD), which is neither writable nor covered by PT_GNU_RELRO");

    [Fact]
    public void AcceptsRelocationIntoReadOnlySegmentCoveredByRelro()
    {
        ElfBuilder builder = ElfBuilder.Typical();
        builder.DynamicFlags = PF_R;

        Assert.Equal(3, ElfImage.Parse(builder.Build()).Relocations.Count);
    }

    [Fact]
    public void RejectsRelroOutsideTheImage() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Relro, P_vaddr, 0x6800)), "program header 5 (PT_GNU_RELRO) at [0x6800, 0x7800) lies outside the loaded image [0x0, 0x7000)");

    [Fact]
    public void RejectsRelroEndingPastTheTopOfTheAddressSpace() =>
        AssertRejected(Typical(f => PatchPhdr64(f, Relro, P_vaddr, ulong.MaxValue)), "PT_GNU_RELRO", "past the top of the 64-bit address space");

    [Fact]
    public void RejectsDynamicSegmentIndexAssumptionsBeingWrong()
    {
        // Guards the constants above: if the builder's layout changes, these tests must be revisited.
        ElfBuilder builder = ElfBuilder.Typical();
        builder.Build();

        Assert.Equal((DynLoad, Dynamic, Relro), (builder.DynamicLoadIndex, builder.DynamicIndex, builder.RelroIndex));
        Assert.Equal((Text, Data), (builder.IndexOf(builder.Segments[0]), builder.IndexOf(builder.Segments[1])));
    }
}
