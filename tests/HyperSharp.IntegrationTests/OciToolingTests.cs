using Xunit;

namespace HyperSharp.IntegrationTests;

/// <summary>
/// Snapshot layouts moved by real OCI tooling: skopeo 1.9 between layouts, and through a CNCF Distribution 2.8
/// registry (Debian's <c>docker-registry</c>), load, resume and give the original sandbox's results.
/// </summary>
public sealed class OciToolingTests : IDisposable
{
    private const string Tag = "warm";

    private static readonly SandboxOptions Options = new() { HeapSize = 8UL << 20 };

    private static readonly SnapshotLoadOptions Verified = new() { VerifyDigests = true };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hypersharp-oci-tooling-" + Guid.NewGuid().ToString("N"));

    public OciToolingTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [OciToolsFact]
    public void SkopeoCopiedLayoutLoadsAndCallsLikeTheOriginal()
    {
        var (source, digest, expected) = SaveWarmSnapshot();
        var copy = Path.Combine(_root, "copy");

        OciTools.RunSkopeo("copy", $"oci:{source}:{Tag}", $"oci:{copy}:{Tag}");

        AssertSameBlobs(source, copy);
        AssertResumes(copy, Tag, expected);
        AssertResumes(copy, digest, expected);
    }

    [OciToolsFact]
    public void PushedToAndPulledFromARegistryLoadsAndCallsLikeTheOriginal()
    {
        var (source, digest, expected) = SaveWarmSnapshot();
        var pulled = Path.Combine(_root, "pulled");

        using (var registry = LocalRegistry.Start())
        {
            var remote = $"docker://{registry.Address}/hypersharp/snap:{Tag}";
            OciTools.RunSkopeo("copy", "--dest-tls-verify=false", $"oci:{source}:{Tag}", remote);
            OciTools.RunSkopeo("copy", "--src-tls-verify=false", remote, $"oci:{pulled}:{Tag}");
        }

        AssertSameBlobs(source, pulled);
        AssertResumes(pulled, Tag, expected);
        AssertResumes(pulled, digest, expected);
    }

    [OciToolsFact]
    public void SkopeoCopiesALayoutAfterATagWasDeletedFromIt()
    {
        var (source, digest, expected) = SaveWarmSnapshot();
        using (var other = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options))
        {
            other.Call("SetStatic", 7);
            using var snapshot = other.Snapshot();
            snapshot.Save(source, "gone");
        }

        Snapshot.Delete(source, "gone");
        var copy = Path.Combine(_root, "copy");
        OciTools.RunSkopeo("copy", $"oci:{source}:{Tag}", $"oci:{copy}:{Tag}");

        // The copy holds exactly the remaining tag's blobs, so the source holds nothing of the deleted one.
        AssertSameBlobs(source, copy);
        AssertResumes(copy, digest, expected);
    }

    /// <summary>Saves a warmed-up sandbox's snapshot to a new layout; returns it, the manifest digest and the results after it.</summary>
    private (string Directory, string Digest, (int, string, int, long) Expected) SaveWarmSnapshot()
    {
        var directory = Path.Combine(_root, "source");
        using var original = Sandbox.Create(Guests.SimpleGuest, TestHostFunctions.Create(), Options);
        original.Call("SetStatic", 41);
        Assert.Equal("warm", original.Call<string>("Echo", "warm"));
        using var snapshot = original.Snapshot();
        var digest = snapshot.Save(directory, Tag);
        var expected = Run(original);
        original.Restore();
        Assert.Equal(expected, Run(original));
        return (directory, digest, expected);
    }

    /// <summary>Verified load, <c>FromSnapshot</c>, calls, <c>Restore()</c>, calls: the original's results each time.</summary>
    private static void AssertResumes(string directory, string reference, (int, string, int, long) expected)
    {
        using var loaded = Snapshot.Load(directory, reference, Verified);
        using var sandbox = Sandbox.FromSnapshot(loaded, TestHostFunctions.Create());
        Assert.Equal(expected, Run(sandbox));
        sandbox.Restore();
        Assert.Equal(expected, Run(sandbox));
    }

    /// <summary>The tool kept every blob byte for byte: same digests (so the manifest digest is unchanged) and sizes.</summary>
    private static void AssertSameBlobs(string expected, string actual)
    {
        static IEnumerable<(string, long)> Blobs(string directory) =>
            new DirectoryInfo(Path.Combine(directory, "blobs", "sha256")).EnumerateFiles().Select(f => (f.Name, f.Length)).Order();

        Assert.Equal(Blobs(expected), Blobs(actual));
    }

    private static (int, string, int, long) Run(Sandbox sandbox)
    {
        var before = sandbox.Call<int>("GetStatic");
        sandbox.Call("SetStatic", before + 1);
        return (before, sandbox.Call<string>("Echo", "x"), sandbox.Call<int>("CallHostAdd", 2, 3), sandbox.Call<int>("GetStatic"));
    }
}
