using CsCheck;
using HyperSharp.Elf;
using HyperSharp.Tests.Fuzzing;
using Xunit;
using static HyperSharp.Tests.Elf.ElfBuilder;

namespace HyperSharp.Tests.Elf;

/// <summary>
/// Property test: any mutation of a valid ELF either parses (and then loads) or is rejected with a
/// GuestBinaryException raised by a real check. Nothing else may escape, ever.
/// </summary>
/// <remarks>
/// Runs <see cref="DefaultIterations"/> cases by default (a few seconds). For a long soak set
/// <c>HYPERSHARP_FUZZ_ITERATIONS</c>, e.g.
/// <c>HYPERSHARP_FUZZ_ITERATIONS=1000000 dotnet test --project tests/HyperSharp.Tests -- --filter-class HyperSharp.Tests.Elf.ElfFuzzTests</c>
/// (or every fuzz target at once with <c>-- --filter-trait Category=Fuzz</c>).
/// CsCheck prints the seed of a failing case; it shrinks the mutation list to a minimal reproduction.
/// </remarks>
[Trait(FuzzIterations.Trait, FuzzIterations.Category)]
public sealed class ElfFuzzTests
{
    private const long DefaultIterations = 3000;

    /// <summary>Largest parsed image the fuzz loop actually loads: mutated sizes reach 1 GiB, and allocating that thousands of times proves nothing.</summary>
    private const ulong MaxLoadedImage = 16UL << 20;

    private static readonly Seed[] Seeds = CreateSeeds();

    private static readonly ulong[] Boundaries =
    [
        0, 1, 2, 7, 8, 16, 24, 56, 64, 0xFF, 0xFFF, 0x1000, 0x1001, 0x7FFF, 0xFFFF, 0x1_0000,
        0x4000_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_F000, 0xFFFF_FFFF_FFFF_FFF8, 0xFFFF_FFFF_FFFF_FFFF,
    ];

    private enum Kind
    {
        FlipByte,
        WriteField,
        Truncate,
        Splat,
    }

    private sealed record Seed(string Name, byte[] Bytes, (int Offset, int Width)[] Fields);

    private sealed record Mutation(Kind Kind, uint Position, ulong Value, bool UseBoundary)
    {
        public override string ToString() => $"{Kind}@{Position}={Value:X}{(UseBoundary ? "b" : string.Empty)}";
    }

    [Fact]
    public void MutatedElfFilesParseOrAreRejectedWithGuestBinaryException()
    {
        long iterations = FuzzIterations.Get(DefaultIterations);

        Gen<Mutation> mutation = Gen.Select(Gen.Enum<Kind>(), Gen.UInt, Gen.ULong, Gen.Bool, (kind, position, value, boundary) => new Mutation(kind, position, value, boundary));
        Gen<(int, Mutation[])> cases = Gen.Select(Gen.Int[0, Seeds.Length - 1], mutation.Array[1, 6]);

        cases.Sample(
            (seedIndex, mutations) => Check(Apply(Seeds[seedIndex], mutations)),
            iter: iterations,
            print: c => $"{Seeds[c.Item1].Name}: {string.Join(", ", c.Item2.Select(m => m.ToString()))}");
    }

    [Fact]
    public void RandomBytesWithOrWithoutAValidElfHeaderParseOrAreRejectedWithGuestBinaryException()
    {
        // Behind a valid 64-byte header, random bytes become program headers, dynamic entries and relocations.
        byte[] header = Seeds[0].Bytes[..64];
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 2048]).Sample(
            (keepHeader, noise) => Check(keepHeader ? [.. header, .. noise] : noise),
            iter: FuzzIterations.Get(DefaultIterations));
    }

    [Fact]
    public void EveryTruncationOfAValidFileIsRejectedOrParses()
    {
        foreach (Seed seed in Seeds)
        {
            for (int length = 0; length <= seed.Bytes.Length; length += length < 512 ? 1 : 61)
            {
                Check(seed.Bytes[..length]);
            }
        }
    }

    [Fact]
    public void SeedsAreValid()
    {
        foreach (Seed seed in Seeds)
        {
            ElfImage image = ElfImage.Parse(seed.Bytes);
            image.LoadInto(new byte[image.ImageSize], 0x10_0000);
        }
    }

    private static void Check(byte[] file)
    {
        ElfImage image;
        try
        {
            image = ElfImage.Parse(file);
        }
        catch (GuestBinaryException ex) when (ex.InnerException is null)
        {
            return;
        }

        CheckInvariants(image);
        if (image.ImageSize <= MaxLoadedImage)
        {
            var buffer = new byte[image.ImageSize];
            image.LoadInto(buffer, 0x10_0000);
            image.LoadInto(buffer, 0xFFFF_FFFF_FFFF_F000); // relocation arithmetic wraps instead of throwing
        }
    }

    private static void CheckInvariants(ElfImage image)
    {
        Assert.True(image.ImageSize is > 0 and <= 1UL << 30 && image.ImageSize % 0x1000 == 0, $"ImageSize 0x{image.ImageSize:X}");
        ulong next = 0;
        foreach (ElfPageRange range in image.PageRanges)
        {
            Assert.Equal(next, range.Offset);
            Assert.True(range.Length > 0 && range.Length % 0x1000 == 0, $"range length 0x{range.Length:X}");
            Assert.True(range.Present || (!range.Writable && !range.Executable), "a non-present range has permissions");
            next += range.Length;
        }

        Assert.Equal(image.ImageSize, next);
        Assert.True(image.EntryOffset < image.ImageSize);
        Assert.Contains(image.PageRanges, r => r.Executable && image.EntryOffset - r.Offset < r.Length);
        foreach (ElfRelocation relocation in image.Relocations)
        {
            Assert.True(relocation.ImageOffset <= image.ImageSize - 8, $"relocation at 0x{relocation.ImageOffset:X}");
        }
    }

    private static byte[] Apply(Seed seed, Mutation[] mutations)
    {
        byte[] bytes = (byte[])seed.Bytes.Clone();
        foreach (Mutation m in mutations)
        {
            if (bytes.Length == 0)
            {
                break;
            }

            ulong value = m.UseBoundary ? Boundaries[m.Value % (ulong)Boundaries.Length] : m.Value;
            switch (m.Kind)
            {
                case Kind.FlipByte:
                    bytes[m.Position % (uint)bytes.Length] ^= (byte)(value | 1);
                    break;
                case Kind.WriteField:
                    (int offset, int width) = seed.Fields[m.Position % (uint)seed.Fields.Length];
                    for (int i = 0; i < width && offset + i < bytes.Length; i++)
                    {
                        bytes[offset + i] = (byte)(value >> (8 * i));
                    }

                    break;
                case Kind.Truncate:
                    bytes = bytes[..(int)(m.Position % (uint)(bytes.Length + 1))];
                    break;
                case Kind.Splat:
                    // Eight arbitrary bytes at an arbitrary (often misaligned) position.
                    int at = (int)(m.Position % (uint)bytes.Length);
                    for (int i = 0; i < 8 && at + i < bytes.Length; i++)
                    {
                        bytes[at + i] = (byte)(value >> (8 * i));
                    }

                    break;
                default:
                    throw new InvalidOperationException(m.Kind.ToString());
            }
        }

        return bytes;
    }

    private static Seed[] CreateSeeds()
    {
        ElfBuilder typical = Typical();

        ElfBuilder shared = new() { Entry = 0x1000, DynamicInRelro = true, DynamicMemSize = 0x1800 };
        shared.AddLoad(PF_R | PF_X, 0x1000, Pattern(0x800, 1));
        shared.AddLoad(PF_R | PF_W, 0x1800, Pattern(0x900, 2), memSize: 0x3000);
        for (ulong i = 0; i < 32; i++)
        {
            shared.AddRelative(0x1800 + (i * 8), 0x1000 + i);
        }

        shared.Relocations.Add((0x1900, R_X86_64_NONE, 0));

        ElfBuilder rebased = new() { LinkBase = 0x40_0000, Entry = 0x40_1000 };
        rebased.AddLoad(PF_R | PF_X, 0x40_1000, Pattern(0x40, 3));
        rebased.AddLoad(PF_R | PF_W, 0x40_3000, Pattern(0x40, 4), memSize: 0x2000);
        rebased.AddRelative(0x40_3000, 0x40_1000);

        ElfBuilder noDynamic = new() { Entry = 0x1004 };
        noDynamic.AddLoad(PF_R | PF_X, 0x1000, Pattern(0x10, 5));

        return [Describe("typical", typical), Describe("shared-page", shared), Describe("rebased", rebased), Describe("no-dynamic", noDynamic)];
    }

    /// <summary>Builds the file and lists every header, dynamic and relocation field so mutations can hit them precisely.</summary>
    private static Seed Describe(string name, ElfBuilder builder)
    {
        byte[] bytes = builder.Build();
        var fields = new List<(int, int)>
        {
            (4, 1), (5, 1), (6, 1), (E_type, 2), (E_machine, 2), (E_version, 4), (E_entry, 8), (E_phoff, 8), (E_phentsize, 2), (E_phnum, 2),
        };
        for (int i = 0; i < builder.PhdrCount; i++)
        {
            int ph = PhdrOffset(i);
            fields.AddRange([(ph + P_type, 4), (ph + P_flags, 4), (ph + P_offset, 8), (ph + P_vaddr, 8), (ph + P_filesz, 8), (ph + P_memsz, 8), (ph + P_align, 8)]);
        }

        if (builder.DynamicFileOffset >= 0)
        {
            for (int i = 0; i < builder.DynamicEntryCount; i++)
            {
                fields.AddRange([(builder.DynamicFileOffset + (i * 16), 8), (builder.DynamicFileOffset + (i * 16) + 8, 8)]);
            }

            for (int i = 0; i < builder.Relocations.Count; i++)
            {
                int rela = builder.RelaFileOffset + (i * 24);
                fields.AddRange([(rela, 8), (rela + 8, 4), (rela + 12, 4), (rela + 16, 8)]);
            }
        }

        return new Seed(name, bytes, [.. fields]);
    }
}
