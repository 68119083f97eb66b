using System.Globalization;
using System.Runtime.CompilerServices;
using Xunit;

namespace HyperSharp.IntegrationTests.Hardening;

/// <summary>
/// A sandbox nobody disposes must still let go of everything it holds once the garbage collector finds it, the
/// snapshot image it maps included, even when the snapshot itself was disposed long before.
/// </summary>
public sealed class FinalizationTests
{
    [KvmFact]
    public void AbandonedSandboxesFromASnapshotReleaseItsImageWhenFinalized()
    {
        var image = AbandonSandboxesOfADisposedSnapshot(count: 50);
        for (var i = 0; i < 3 && DescriptorsOf(image) > 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(0, DescriptorsOf(image));
    }

    /// <summary>Makes sandboxes from a snapshot and drops them; returns the inode of the snapshot's memfd.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long AbandonSandboxesOfADisposedSnapshot(int count)
    {
        using var origin = Sandbox.Create(Guests.SimpleGuest);
        using var snapshot = origin.Snapshot();
        var image = InodeOf(((HyperSharp.Interop.SafeFileDescriptor)snapshot.Memory.File).Number);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(3, Sandbox.FromSnapshot(snapshot).Call<int>("Add", 1, 2));
        }

        return image;
    }

    /// <summary>How many of this process's descriptors name the file with inode <paramref name="inode"/>.</summary>
    private static int DescriptorsOf(long inode) =>
        Directory.GetFiles("/proc/self/fd").Count(fd => int.TryParse(Path.GetFileName(fd), out var number) && InodeOf(number) == inode);

    /// <summary>The <c>ino:</c> line of <c>/proc/self/fdinfo/N</c>; -1 for a descriptor closed meanwhile.</summary>
    private static long InodeOf(int descriptor)
    {
        try
        {
            var line = File.ReadLines($"/proc/self/fdinfo/{descriptor}").FirstOrDefault(l => l.StartsWith("ino:", StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line["ino:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
