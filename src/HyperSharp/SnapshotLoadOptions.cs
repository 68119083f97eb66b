namespace HyperSharp;

/// <summary>How <see cref="Snapshot.Load"/> reads a snapshot directory.</summary>
public sealed record SnapshotLoadOptions
{
    /// <summary>
    /// Hashes the manifest, config and memory blobs and compares them with their SHA-256 digests
    /// (default). The memory blob is hashed through the same file descriptor that is then mapped.
    /// When false, load time does not depend on the memory size, and a corrupted blob goes unnoticed.
    /// Every structural and compatibility check runs either way.
    /// </summary>
    public bool VerifyDigests { get; init; } = true;

    /// <summary>
    /// Told the number of bytes of the memory blob hashed so far, after every 4 MiB and at the end, on the thread that
    /// loads; only when <see cref="VerifyDigests"/> is set, since nothing else takes time in proportion to the memory.
    /// For progress reports: verifying gigabytes takes seconds. Null (default): nothing is reported.
    /// </summary>
    public IProgress<long>? Progress { get; init; }
}
