using System.Buffers.Binary;
using HyperSharp.Elf;
using Xunit;
using Lof = LibObjectFile.Elf;

namespace HyperSharp.AbiTests.Elf;

/// <summary>
/// Cross-checks <see cref="ElfImage"/> on real gcc output against LibObjectFile, an independent ELF
/// reader: same loadable segments, same relocations, same entry point.
/// </summary>
public sealed class ElfOracleTests
{
    private const ulong ImageBase = 0x40_0000;

    // A function-pointer table in .data (R_X86_64_RELATIVE relocations), a const one in .data.rel.ro
    // (relocations inside PT_GNU_RELRO), code, read-only data and a large .bss.
    private const string Source = """
        typedef int (*op_t)(int);
        static int add_one(int x) { return x + 1; }
        static int twice(int x) { return x * 2; }
        static int negate(int x) { return -x; }
        op_t table[] = { add_one, twice, negate, add_one };
        op_t const frozen[] = { negate, twice };
        const char *const names[] = { "add_one", "twice", "negate" };
        static char scratch[3 * 4096 + 17];
        volatile int sink;

        void _start(void)
        {
            int r = 0;
            for (int i = 0; i < 4; i++) r += table[i](i);
            for (int i = 0; i < 2; i++) r += frozen[i](r);
            scratch[r & 4095] = names[r & 1][0];
            sink = r + scratch[17];
            for (;;) __asm__ volatile("hlt");
        }
        """;

    [Fact]
    public async Task GccStaticPieMatchesLibObjectFile()
    {
        string gcc = StaticPieGuest.FindGcc() ?? SkipReturn("gcc is not on PATH.");
        byte[] file = await StaticPieGuest.BuildAsync(gcc, Source, TestContext.Current.CancellationToken);

        ElfImage image = ElfImage.Parse(file);
        Lof.ElfFile oracle = Lof.ElfFile.Read(new MemoryStream(file));

        CrossCheck(image, oracle);
        Assert.True(image.Relocations.Count >= 4 + 2 + 3, $"{image.Relocations.Count} relocations"); // table, frozen, names
        CheckLoadedImage(image, file);
    }

    [Fact]
    public async Task GccStaticPieWithoutRelocationsLoads()
    {
        string gcc = StaticPieGuest.FindGcc() ?? SkipReturn("gcc is not on PATH.");
        byte[] file = await StaticPieGuest.BuildAsync(gcc, "void _start(void) { for (;;) __asm__ volatile(\"hlt\"); }", TestContext.Current.CancellationToken);

        ElfImage image = ElfImage.Parse(file);

        CrossCheck(image, Lof.ElfFile.Read(new MemoryStream(file)));
        Assert.Empty(image.Relocations);
    }

    [Fact]
    public void GuestArtifactsMatchLibObjectFile()
    {
        string? root = StaticPieGuest.FindRepoRoot();
        string? directory = root is null ? null : Path.Combine(root, "artifacts", "guests");
        if (directory is null || !File.Exists(Path.Combine(directory, "simpleguest.elf")))
        {
            Assert.Skip("artifacts/guests/simpleguest.elf does not exist (build it with `make -C guest`).");
        }

        // simpleguest.elf and every other SDK-built guest next to it.
        foreach (string path in Directory.GetFiles(directory, "*.elf"))
        {
            byte[] file = File.ReadAllBytes(path);
            ElfImage image = ElfImage.Parse(file);

            CrossCheck(image, Lof.ElfFile.Read(new MemoryStream(file)));
            CheckLoadedImage(image, file);
        }
    }

    private static void CrossCheck(ElfImage image, Lof.ElfFile oracle)
    {
        Lof.ElfSegment[] loads = [.. oracle.Segments.Where(s => s.Type == Lof.ElfSegmentTypeCore.Load && s.SizeInMemory > 0).OrderBy(s => s.VirtualAddress)];
        ulong linkBase = loads[0].VirtualAddress & ~0xFFFUL;
        ulong end = (loads.Max(s => s.VirtualAddress + s.SizeInMemory) + 0xFFF) & ~0xFFFUL;

        Assert.Equal(linkBase, image.LinkBase);
        Assert.Equal(end - linkBase, image.ImageSize);
        Assert.Equal(oracle.EntryPointAddress - linkBase, image.EntryOffset);

        Assert.Equal(loads.Length, image.Segments.Count);
        for (int i = 0; i < loads.Length; i++)
        {
            Assert.Equal(loads[i].VirtualAddress, image.Segments[i].Vaddr);
            Assert.Equal(loads[i].SizeInMemory, image.Segments[i].MemorySize);
            Assert.Equal(loads[i].Range.Size, image.Segments[i].FileSize);
            Assert.Equal(loads[i].Flags.Value, image.Segments[i].Flags);
        }

        // Every RELA entry of every relocation section, in file order (gcc emits one .rela.dyn).
        (ulong Offset, ulong Addend)[] expected =
        [
            .. oracle.Sections.OfType<Lof.ElfRelocationTable>()
                .SelectMany(t => t.Entries)
                .Where(r => r.Type.Value != 0)
                .Select(r => (r.Offset - linkBase, (ulong)r.Addend)),
        ];
        Assert.All(oracle.Sections.OfType<Lof.ElfRelocationTable>().SelectMany(t => t.Entries), r => Assert.True(r.Type.Value is 0 or 8, $"relocation type {r.Type.Value}"));
        Assert.Equal(expected, image.Relocations.Select(r => (r.ImageOffset, r.Addend)));

        // Page permissions: text pages executable and read-only, data pages writable and NX, and
        // every PT_GNU_RELRO page that the rounded-down end covers is read-only.
        foreach (Lof.ElfSegment segment in loads)
        {
            bool writable = (segment.Flags.Value & (uint)Lof.ElfSegmentFlagsCore.Writable) != 0;
            bool executable = (segment.Flags.Value & (uint)Lof.ElfSegmentFlagsCore.Executable) != 0;
            ElfPageRange page = PageAt(image, (segment.VirtualAddress - linkBase) & ~0xFFFUL);
            Assert.True(page.Present);
            if (executable)
            {
                Assert.True(page.Executable);
            }

            // A read-only segment's page is writable only if it shares that page with a writable segment.
            bool sharedWithWritable = loads.Any(o => o != segment && (o.Flags.Value & (uint)Lof.ElfSegmentFlagsCore.Writable) != 0 && SharesPage(o, segment));
            if (!writable && !sharedWithWritable)
            {
                Assert.False(page.Writable);
            }
        }

        foreach (Lof.ElfSegment relro in oracle.Segments.Where(s => s.Type.Value == 0x6474E552))
        {
            ulong first = (relro.VirtualAddress - linkBase) & ~0xFFFUL;
            ulong last = (relro.VirtualAddress + relro.SizeInMemory - linkBase) & ~0xFFFUL;
            for (ulong offset = first; offset < last; offset += 0x1000)
            {
                Assert.False(PageAt(image, offset).Writable, $"RELRO page 0x{offset:X} is writable");
            }
        }
    }

    private static void CheckLoadedImage(ElfImage image, byte[] file)
    {
        var buffer = new byte[image.ImageSize];
        buffer.AsSpan().Fill(0xCC);
        image.LoadInto(buffer, ImageBase);

        foreach (ElfRelocation relocation in image.Relocations)
        {
            Assert.Equal(ImageBase + relocation.Addend, BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan((int)relocation.ImageOffset)));
        }

        var relocated = new bool[image.ImageSize];
        foreach (ElfRelocation relocation in image.Relocations)
        {
            relocated.AsSpan((int)relocation.ImageOffset, 8).Fill(true);
        }

        foreach (ElfSegment segment in image.Segments)
        {
            ulong at = segment.Vaddr - image.LinkBase;
            for (ulong i = 0; i < segment.MemorySize; i++)
            {
                if (relocated[at + i])
                {
                    continue;
                }

                byte expected = i < segment.FileSize ? file[(int)(segment.FileOffset + i)] : (byte)0;
                Assert.True(expected == buffer[(int)(at + i)], $"byte at image offset 0x{at + i:X}");
            }
        }
    }

    private static bool SharesPage(Lof.ElfSegment a, Lof.ElfSegment b) =>
        ((a.VirtualAddress + a.SizeInMemory - 1) & ~0xFFFUL) == (b.VirtualAddress & ~0xFFFUL)
        || ((b.VirtualAddress + b.SizeInMemory - 1) & ~0xFFFUL) == (a.VirtualAddress & ~0xFFFUL);

    private static ElfPageRange PageAt(ElfImage image, ulong offset) => image.PageRanges.Single(r => offset >= r.Offset && offset < r.Offset + r.Length);

    private static string SkipReturn(string reason)
    {
        Assert.Skip(reason);
        return string.Empty;
    }
}
