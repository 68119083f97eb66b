using System.Runtime.InteropServices;
using System.Text.Json;
using HyperSharp.FileSystems;
using HyperSharp.Interop;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Deletes the blobs of a layout that nothing in <c>index.json</c> reaches any more, and the temporary files of
/// writes that crashed. Mark and sweep: every manifest and index reachable from <c>index.json</c> is read, and
/// every digest any of them names is kept, so blobs shared between tags, and content other tools put in the
/// layout, survive. It deletes nothing when it cannot read the whole graph (an unknown media type in the index,
/// a missing or malformed manifest), because it could not know what that part references. Callers hold the
/// <see cref="LayoutLock"/>, so no HyperSharp writer has blobs on disk that its index does not name yet.
/// </summary>
internal static class OciGarbageCollector
{
    private static readonly HashSet<string> s_manifestMediaTypes =
    [
        MediaTypes.ImageManifest,
        MediaTypes.ImageIndex,
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    /// <summary>Collects <paramref name="layout"/>. Never fails: what it cannot delete stays for the next collection.</summary>
    public static void Collect(LayoutDirectory layout)
    {
        try
        {
            // A blobs directory that is a link is refused by TryOpenBlobs: nothing outside the layout is swept.
            if (layout.TryOpenBlobs() is not { } blobs || MarkReachable(layout) is not { } reachable)
            {
                return;
            }

            foreach (var name in FileSystem.Current.EnumerateNames(blobs, layout.BlobsPath))
            {
                var unreferenced = Sha256Digest.TryParse("sha256:" + name, out var digest) && !reachable.Contains(digest);
                if (unreferenced || AtomicFile.IsTemporaryName(name))
                {
                    TryDelete(blobs, name);
                }
            }

            foreach (var name in FileSystem.Current.EnumerateNames(layout.Root, layout.Path).Where(AtomicFile.IsTemporaryName))
            {
                TryDelete(layout.Root, name);
            }
        }
        catch (SandboxException)
        {
            // Left for the next collection; the save or delete that triggered this one has already committed.
        }
    }

    /// <summary>Every sha256 digest reachable from <c>index.json</c>, or null when some manifest or index cannot be read.</summary>
    private static HashSet<Sha256Digest>? MarkReachable(LayoutDirectory layout)
    {
        var reachable = new HashSet<Sha256Digest>();
        var unread = new Stack<Sha256Digest>();
        try
        {
            foreach (var entry in OciLayoutReader.ReadIndex(layout).Manifests)
            {
                if (!s_manifestMediaTypes.Contains(entry.MediaType) || !Mark(entry.MediaType, entry.Digest))
                {
                    return null;
                }
            }

            while (unread.TryPop(out var digest))
            {
                using var file = layout.OpenBlob(digest);
                using var json = JsonDocument.Parse(file.ReadAll(OciLayoutReader.MaxJsonSize));
                foreach (var (mediaType, child) in Descriptors(json.RootElement))
                {
                    if (!Mark(mediaType, child))
                    {
                        return null;
                    }
                }
            }

            return reachable;
        }
        catch (Exception e) when (e is SandboxException or JsonException)
        {
            return null;
        }

        // Keeps the digest; queues manifests and indexes to read. False when a manifest is named by a digest
        // this collector cannot follow (another algorithm), which would hide what it references.
        bool Mark(string? mediaType, string text)
        {
            var isManifest = mediaType is not null && s_manifestMediaTypes.Contains(mediaType);
            if (!Sha256Digest.TryParse(text, out var digest))
            {
                return !isManifest;
            }

            if (reachable.Add(digest) && isManifest)
            {
                unread.Push(digest);
            }

            return true;
        }
    }

    /// <summary>Every JSON object with a string <c>digest</c> anywhere in <paramref name="element"/>: config, layers, manifests, subject.</summary>
    private static IEnumerable<(string? MediaType, string Digest)> Descriptors(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("digest", out var digest) && digest.ValueKind == JsonValueKind.String)
            {
                var mediaType = element.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
                yield return (mediaType, digest.GetString()!);
            }

            foreach (var property in element.EnumerateObject())
            {
                foreach (var descriptor in Descriptors(property.Value))
                {
                    yield return descriptor;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var descriptor in Descriptors(item))
                {
                    yield return descriptor;
                }
            }
        }
    }

    /// <summary>Unlinks a regular file; a symbolic link is left alone (HyperSharp never creates one), as is anything that refuses.</summary>
    private static void TryDelete(SafeHandle directory, string name)
    {
        var status = RegularFile.TryOpen(directory, name, followSymlinks: false, out var file, out _);
        file?.Dispose();
        if (status == RegularFileStatus.Opened)
        {
            // By name in the directory's handle: whatever the name is by now, nothing outside the layout is deleted.
            _ = FileSystem.Current.TryDelete(directory, name);
        }
    }
}
