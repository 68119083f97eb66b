using System.Runtime.Versioning;
using System.Security.Cryptography;
using HyperSharp.MemoryProviders;
using HyperSharp.MemoryProviders.Linux;
using HyperSharp.MemoryProviders.Windows;
using Xunit;

namespace HyperSharp.Tests.Memory;

/// <summary>
/// The memory provider of each OS maps a snapshot memory blob copy-on-write: a view of a file opened read-only reads
/// the file, takes writes, and leaves the file byte for byte as it was.
/// </summary>
public sealed class MemoryProviderTests : IDisposable
{
    private const int PageSize = 4096;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"hypersharp-cow-{Guid.NewGuid():N}");

    public static bool IsLinux => OperatingSystem.IsLinux();

    public static bool IsWindows => OperatingSystem.IsWindows();

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void TheCurrentProviderIsTheOneForThisOs() =>
        Assert.IsType(OperatingSystem.IsWindows() ? typeof(WindowsMemoryProvider) : typeof(LinuxMemoryProvider), MemoryProvider.Current);

    [Fact(Skip = "mmap(MAP_PRIVATE) is the Linux code path", SkipUnless = nameof(IsLinux))]
    public void LinuxWritesToTheViewNeverReachTheFile() => AssertWritesStayPrivate(new LinuxMemoryProvider());

    [Fact(Skip = "CreateFileMappingW(PAGE_WRITECOPY) + MapViewOfFile(FILE_MAP_COPY) is the Windows code path; it runs on Windows only", SkipUnless = nameof(IsWindows))]
    [SupportedOSPlatform("windows")]
    public void WindowsWritesToTheViewNeverReachTheFile() => AssertWritesStayPrivate(new WindowsMemoryProvider());

    /// <summary>Maps a four-page file (one page all zero) opened read-only, writes every page, and proves the file unchanged.</summary>
    private unsafe void AssertWritesStayPrivate(IMemoryProvider mapper)
    {
        var content = new byte[4 * PageSize];
        new Random(7).NextBytes(content.AsSpan(0, 3 * PageSize));
        File.WriteAllBytes(_path, content);
        var before = SHA256.HashData(File.ReadAllBytes(_path));

        using (var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var view = mapper.MapCopyOnWrite(file, (ulong)content.Length))
        using (var second = mapper.MapCopyOnWrite(file, (ulong)content.Length))
        {
            Assert.Equal((nuint)content.Length, view.Length);
            // SAFETY: each view maps content.Length bytes and stays mapped until the end of this using block.
            var memory = new Span<byte>((void*)view.Address, content.Length);
            // SAFETY: as above, for the second view.
            var other = new Span<byte>((void*)second.Address, content.Length);
            Assert.True(memory.SequenceEqual(content));

            for (var page = 0; page < 4; page++)
            {
                memory.Slice(page * PageSize, PageSize).Fill((byte)(0xA0 + page));
            }

            Assert.Equal(0xA3, memory[^1]);
            Assert.True(other.SequenceEqual(content), "one view's private pages are invisible to another view of the same file");
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(_path)));
    }
}
