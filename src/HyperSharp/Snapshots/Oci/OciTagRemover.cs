using System.Text.Json;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Removes a tag from a layout: <c>index.json</c> is replaced without it (temporary file + rename, the same commit
/// point as a save), and only then are the blobs no remaining manifest references deleted. A crash in between
/// leaves unreferenced blobs, which the next collection deletes, never an index entry naming a deleted blob.
/// </summary>
internal static class OciTagRemover
{
    /// <summary>Removes every index entry tagged <paramref name="tag"/> (a valid <see cref="SnapshotTag"/>), then collects.</summary>
    /// <exception cref="SnapshotFormatException">Not a layout (<see cref="SnapshotFormatError.NotAnOciLayout"/>), or no such tag (<see cref="SnapshotFormatError.TagNotFound"/>).</exception>
    public static void Remove(string directory, string tag, bool durable)
    {
        using var layout = LayoutDirectory.Open(directory);
        OciLayoutReader.ReadLayoutMarker(layout);
        using var layoutLock = LayoutLock.Acquire(layout);
        // Read under the lock, so a save that committed while this waited keeps its tag.
        var index = OciLayoutReader.ReadIndex(layout);
        var remaining = index.Manifests.Where(m => m.RefName != tag).ToList();
        if (remaining.Count == index.Manifests.Count)
        {
            throw new SnapshotFormatException(SnapshotFormatError.TagNotFound, $"{directory} has no manifest tagged '{tag}'.");
        }

        var updated = new OciIndex
        {
            SchemaVersion = index.SchemaVersion,
            MediaType = index.MediaType,
            Manifests = remaining,
            Annotations = index.Annotations,
            Extra = index.Extra,
        };
        AtomicFile.Write(layout.Root, layout.Path, LayoutDirectory.IndexName, JsonSerializer.SerializeToUtf8Bytes(updated, OciJsonContext.Default.OciIndex), durable);
        OciGarbageCollector.Collect(layout);
    }
}
