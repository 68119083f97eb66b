using System.Buffers.Binary;
using HyperSharp.Elf;
using Xunit;
using static HyperSharp.Tests.Elf.ElfBuilder;

namespace HyperSharp.Tests.Elf;

public sealed class ElfImageTests
{
    private const ulong ImageBase = 0x20_0000;

    [Fact]
    public void ParsesTypicalStaticPieSizeAndEntry()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());

        Assert.Equal(0x7000UL, image.ImageSize);
        Assert.Equal(0x1010UL, image.EntryOffset);
        Assert.Equal(0UL, image.LinkBase);
        Assert.Equal(4, image.Segments.Count);
        Assert.Equal(3, image.Relocations.Count);
    }

    [Fact]
    public void RecordsThreadLocalStorageInsideALoadSegment()
    {
        byte[] file = ElfBuilder.Typical().Build();
        PatchPhdr32(file, 5, P_type, PT_TLS); // the PT_GNU_RELRO over the dynamic segment at 0x6000
        PatchPhdr64(file, 5, P_memsz, 0x1800);
        PatchPhdr64(file, 5, P_align, 0);

        ElfImage image = ElfImage.Parse(file);

        Assert.Equal(new ElfThreadLocalStorage(0x6000 - image.LinkBase, 0x1000, 0x1800, 1), image.ThreadLocalStorage);
        Assert.Null(ElfImage.Parse(ElfBuilder.Typical().Build()).ThreadLocalStorage);
    }

    [Fact]
    public void PageRangesCoverTheImageWithSegmentPermissionsGapsAndRelro()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());

        ElfPageRange[] expected =
        [
            new(0x0000, 0x1000, Present: true, Writable: false, Executable: false),
            new(0x1000, 0x1000, Present: true, Writable: false, Executable: true),
            new(0x2000, 0x3000, Present: true, Writable: true, Executable: false),
            new(0x5000, 0x1000, Present: false, Writable: false, Executable: false),
            new(0x6000, 0x1000, Present: true, Writable: false, Executable: false), // RELRO
        ];
        Assert.Equal(expected, image.PageRanges);
    }

    [Fact]
    public void RelroPagesBecomeReadOnlyButTheSegmentWithoutRelroStaysWritable()
    {
        ElfBuilder builder = Typical();
        builder.DynamicInRelro = false;

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Contains(new ElfPageRange(0x6000, 0x1000, true, true, false), image.PageRanges);
    }

    [Fact]
    public void RelroEndingMidPageLeavesThatPageWritableLikeGlibc()
    {
        ElfBuilder builder = Typical();
        builder.DynamicMemSize = 0x1800; // RELRO [0x6000, 0x7800): page 0x6000 read-only, page 0x7000 writable

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Equal(0x8000UL, image.ImageSize);
        Assert.Equal(new ElfPageRange(0x6000, 0x1000, true, false, false), image.PageRanges[^2]);
        Assert.Equal(new ElfPageRange(0x7000, 0x1000, true, true, false), image.PageRanges[^1]);
    }

    [Fact]
    public void PageSharedByTwoSegmentsGetsTheUnionOfTheirPermissions()
    {
        var builder = new ElfBuilder { Entry = 0x1000 };
        builder.AddLoad(PF_R | PF_X, 0x1000, Pattern(0x800, 1));
        builder.AddLoad(PF_R | PF_W, 0x1800, Pattern(0x900, 2)); // ends at 0x2100

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Equal(
            [
                new ElfPageRange(0x0000, 0x1000, true, false, false),
                new ElfPageRange(0x1000, 0x1000, true, true, true),
                new ElfPageRange(0x2000, 0x1000, true, true, false),
            ],
            image.PageRanges);
    }

    [Fact]
    public void LoadIntoCopiesSegmentBytesToTheirImageOffsets()
    {
        byte[] file = Typical().Build();
        ElfImage image = ElfImage.Parse(file);
        var buffer = new byte[image.ImageSize];

        image.LoadInto(buffer, ImageBase);

        Assert.Equal(file.AsSpan(0, 0x100).ToArray(), buffer.AsSpan(0, 0x100).ToArray()); // headers segment
        Assert.Equal(Pattern(0x80, 0x11), buffer.AsSpan(0x1000, 0x80).ToArray());
        Assert.Equal(Pattern(0x100, 0x22).AsSpan(0x10).ToArray(), buffer.AsSpan(0x2010, 0xF0).ToArray()); // past the two relocated words
    }

    [Fact]
    public void LoadIntoZeroFillsBssAndGapsEvenInADirtyBuffer()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());
        var buffer = new byte[image.ImageSize];
        buffer.AsSpan().Fill(0xAA);

        image.LoadInto(buffer, ImageBase);

        Assert.True(buffer.AsSpan(0x2100, 0x2000).IndexOfAnyExcept((byte)0) < 0, "bss must be zero");
        Assert.True(buffer.AsSpan(0x1080, 0xF80).IndexOfAnyExcept((byte)0) < 0, "the rest of the text page must be zero");
        Assert.True(buffer.AsSpan(0x4100, 0x1F00).IndexOfAnyExcept((byte)0) < 0, "the gap must be zero");
    }

    [Fact]
    public void LoadIntoAppliesRelativeRelocationsAsBasePlusAddend()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());
        var buffer = new byte[image.ImageSize];

        image.LoadInto(buffer, ImageBase);

        Assert.Equal(ImageBase + 0x1000, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0x2000)));
        Assert.Equal(ImageBase + 0x1010, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0x2008)));
        Assert.Equal(ImageBase + 0x2000, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0x6FF0))); // in RELRO, in bss
    }

    [Fact]
    public void LoadIntoIsRepeatableAtAnotherBase()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());
        var first = new byte[image.ImageSize];
        var second = new byte[image.ImageSize];

        image.LoadInto(first, ImageBase);
        image.LoadInto(second, ImageBase);
        image.LoadInto(second, 0x4000_0000);
        image.LoadInto(second, ImageBase);

        Assert.Equal(first, second);
    }

    [Fact]
    public void NegativeAddendsWrapLikeTheDynamicLinker()
    {
        ElfBuilder builder = Typical();
        builder.Relocations[0] = (0x2000, R_X86_64_RELATIVE, unchecked((ulong)-0x10L));
        ElfImage image = ElfImage.Parse(builder.Build());
        var buffer = new byte[image.ImageSize];

        image.LoadInto(buffer, ImageBase);

        Assert.Equal(ImageBase - 0x10, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0x2000)));
    }

    [Fact]
    public void NonZeroLinkBaseIsRebasedOnItsFirstPage()
    {
        var builder = new ElfBuilder { LinkBase = 0x40_0000, Entry = 0x40_1004, DynamicVaddr = 0x40_3000 };
        builder.AddLoad(PF_R | PF_X, 0x40_1000, Pattern(0x10, 3));
        builder.AddLoad(PF_R | PF_W, 0x40_2000, new byte[0x10]);
        builder.AddRelative(0x40_2008, 0x40_1004);

        ElfImage image = ElfImage.Parse(builder.Build());
        var buffer = new byte[image.ImageSize];
        image.LoadInto(buffer, ImageBase);

        Assert.Equal(0x40_0000UL, image.LinkBase);
        Assert.Equal(0x4000UL, image.ImageSize);
        Assert.Equal(0x1004UL, image.EntryOffset);
        Assert.Equal(ImageBase + 0x1004, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(0x2008)));
    }

    [Fact]
    public void RelocationsOfTypeNoneAreIgnored()
    {
        ElfBuilder builder = Typical();
        builder.Relocations.Add((0xDEAD_BEEF, R_X86_64_NONE, 0x1234));

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Equal(3, image.Relocations.Count);
    }

    [Fact]
    public void FileWithoutDynamicSectionHasNoRelocations()
    {
        var builder = new ElfBuilder { Entry = 0x1000 };
        builder.AddLoad(PF_R | PF_X, 0x1000, Pattern(0x20, 4));

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Empty(image.Relocations);
        Assert.Equal(0x2000UL, image.ImageSize);
    }

    [Fact]
    public void EmptyLoadSegmentsAndUnknownHeadersAreIgnored()
    {
        ElfBuilder builder = Typical();
        builder.Segments.Add(new Segment(PT_LOAD, PF_R | PF_W | PF_X, 0x10_0000, [], 0) { Offset = 0 });
        builder.Segments.Add(new Segment(PT_GNU_STACK, PF_R | PF_W, 0, [], 0, 16) { Offset = 0 });
        builder.Segments.Add(new Segment(PT_NOTE, PF_R, 0x100, [], 0x24, 4) { Offset = 0x100, FileSize = 0x24 });

        ElfImage image = ElfImage.Parse(builder.Build());

        Assert.Equal(0x7000UL, image.ImageSize);
    }

    [Fact]
    public void SectionHeadersAreNotNeeded()
    {
        byte[] file = Typical().Build();
        Patch64(file, E_shoff, ulong.MaxValue);

        Assert.Equal(0x7000UL, ElfImage.Parse(file).ImageSize);
    }

    [Fact]
    public void LoadIntoRejectsABufferOfTheWrongSize()
    {
        ElfImage image = ElfImage.Parse(Typical().Build());

        Assert.Throws<ArgumentException>(() => image.LoadInto(new byte[image.ImageSize - 1], ImageBase));
        Assert.Throws<ArgumentException>(() => image.LoadInto(new byte[image.ImageSize], ImageBase + 1));
    }
}
