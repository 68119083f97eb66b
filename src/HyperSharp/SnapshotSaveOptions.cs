namespace HyperSharp;

/// <summary>How <see cref="Snapshot.Save"/> writes a snapshot directory.</summary>
public sealed record SnapshotSaveOptions
{
    /// <summary>
    /// Flushes every written file and the directories holding them to disk (<c>fsync</c>) before and
    /// after the commit point, so the saved tag survives a crash or power loss. Off by default:
    /// the save is still atomic, but only as durable as the page cache.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>
    /// Told the number of bytes of the memory blob written so far, after every 4 MiB and at the end, on the thread
    /// that saves (so an <see cref="IProgress{T}"/> that posts elsewhere, like <see cref="Progress{T}"/>, may see the
    /// calls late). For progress reports: saving gigabytes takes seconds. Null (default): nothing is reported.
    /// </summary>
    public IProgress<long>? Progress { get; init; }
}
