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
}
