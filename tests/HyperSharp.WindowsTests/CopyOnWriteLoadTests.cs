using System.Security.Cryptography;
using HyperSharp.Memory;
using HyperSharp.Snapshots.Oci;
using Xunit;

namespace HyperSharp.WindowsTests;

/// <summary>
/// The Windows twin of Linux's <c>mmap(MAP_PRIVATE)</c> on a real snapshot blob saved on Linux: the blob is opened
/// through the layout reader (verified digests), mapped <c>PAGE_WRITECOPY</c> + <c>FILE_MAP_COPY</c> as guest memory,
/// written everywhere, and afterwards the file still hashes to its own name. <c>.ci/run</c> checks the same hash again
/// from Linux after Wine has exited. Written as <c>async Task</c> tests: under Wine 8 an exception escaping a synchronous
/// reflection-invoked test breaks the next one (docs/windows.md).
/// </summary>
public sealed class CopyOnWriteLoadTests
{
    private const int PageSize = 4096;

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task WritesToGuestMemoryNeverReachTheSnapshotBlob()
    {
        await Task.Yield();
        var blob = LinuxFixture.MemoryBlob();
        var original = await File.ReadAllBytesAsync(blob, TestContext.Current.CancellationToken);
        using (var artifact = OciLayoutReader.Read(LinuxFixture.Layout, LinuxFixture.Tag, verifyDigests: true))
        using (var image = MemoryImage.FromFile(artifact.Memory.TakeHandle(), (ulong)artifact.Memory.Length))
        using (var first = GuestMemory.FromImage(image))
        using (var second = GuestMemory.FromImage(image))
        {
            Assert.Equal((ulong)original.Length, first.Size);
            var pages = (ulong)original.Length / PageSize;
            for (ulong page = 0; page < pages; page++)
            {
                Assert.True(first.GetSpan(page * PageSize, PageSize).SequenceEqual(original.AsSpan((int)(page * PageSize), PageSize)));
                first.GetSpan(page * PageSize, PageSize).Fill((byte)(0xA5 ^ page));
            }

            Assert.Equal((byte)(0xA5 ^ (pages - 1)), first.GetSpan(first.Size - 1, 1)[0]);
            for (ulong page = 0; page < pages; page += 97)
            {
                Assert.True(second.GetSpan(page * PageSize, PageSize).SequenceEqual(original.AsSpan((int)(page * PageSize), PageSize)),
                    $"page {page}: one sandbox's private pages are invisible to another mapping the same blob");
            }
        }

        Assert.Equal(Path.GetFileName(blob), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(blob, TestContext.Current.CancellationToken))));
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task ResetCopiesDirtyPagesBackFromTheBlob()
    {
        await Task.Yield();
        using var artifact = OciLayoutReader.Read(LinuxFixture.Layout, LinuxFixture.Tag, verifyDigests: false);
        using var image = MemoryImage.FromFile(artifact.Memory.TakeHandle(), (ulong)artifact.Memory.Length);
        using var memory = GuestMemory.FromImage(image);
        var before = memory.GetSpan(3 * PageSize, 2 * PageSize).ToArray();
        memory.GetSpan(3 * PageSize, 2 * PageSize).Fill(0xEE);
        var dirty = new ulong[memory.DirtyBitmapLength];
        dirty[0] = 0b11000;

        memory.Reset(dirty);

        Assert.Equal(before, memory.GetSpan(3 * PageSize, 2 * PageSize).ToArray());
    }

    [Fact(Skip = LinuxFixture.MissingReason, SkipUnless = nameof(LinuxFixture.IsPresent), SkipType = typeof(LinuxFixture))]
    public async Task NobodyCanWriteABlobWhileItIsLoaded()
    {
        await Task.Yield();
        using var artifact = OciLayoutReader.Read(LinuxFixture.Layout, LinuxFixture.Tag, verifyDigests: false);

        var error = Assert.Throws<IOException>(() => new FileStream(LinuxFixture.MemoryBlob(), FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));

        const int ErrorSharingViolation = 32;
        Assert.Equal(ErrorSharingViolation, error.HResult & 0xFFFF);
    }
}
