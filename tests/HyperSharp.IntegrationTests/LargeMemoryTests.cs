using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// Guests above 2 GiB of memory: snapshot, save, load, FromSnapshot and restore work in 64-bit sizes and offsets.
/// The memory is sparse, so each size costs little more than hashing it at save and load.
/// </summary>
public sealed class LargeMemoryTests : IDisposable
{
    private const ulong Page = 4096;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hypersharp-large-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [KvmTheory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EverySnapshotPathWorksAtGibibytesOfHeap(int heapGiB)
    {
        var host = TestHostFunctions.Create();
        using var sandbox = Sandbox.Create(Guests.SimpleGuest, host, new SandboxOptions { HeapSize = (ulong)heapGiB << 30 });
        sandbox.Call("SetStatic", 41);
        // Marks across the 2 GiB and 4 GiB boundaries and in the last page, where int offsets would wrap or overflow.
        var marks = MarkOffsets(sandbox.MemorySize);
        var memory = SandboxInternals.MemoryOf(sandbox);
        foreach (var offset in marks)
        {
            memory.GetSpan(offset, 8).Fill((byte)(offset >> 12));
        }

        using var snapshot = sandbox.Snapshot();
        sandbox.Call("SetStatic", 99);
        sandbox.Restore();
        Assert.Equal(41, sandbox.Call<int>("GetStatic"));

        snapshot.Save(_directory, "big");
        using var loaded = Snapshot.Load(_directory, "big");
        Assert.Equal(sandbox.MemorySize, loaded.MemorySize);
        foreach (var source in new[] { snapshot, loaded })
        {
            using var twin = Sandbox.FromSnapshot(source, host);
            Assert.Equal(41, twin.Call<int>("GetStatic"));
            var twinMemory = SandboxInternals.MemoryOf(twin);
            foreach (var offset in marks)
            {
                Assert.True(twinMemory.GetSpan(offset, 8).IndexOfAnyExcept((byte)(offset >> 12)) < 0, $"the mark at 0x{offset:x} did not survive");
            }
        }

        sandbox.Call("SetStatic", 7);
        sandbox.Restore(loaded);
        Assert.Equal(41, sandbox.Call<int>("GetStatic"));
    }

    private static List<ulong> MarkOffsets(ulong memorySize) =>
        [.. new[] { (1UL << 31) - Page, 1UL << 31, (1UL << 32) - Page, 1UL << 32, memorySize - Page }.Where(offset => offset < memorySize)];
}
