namespace HyperSharp.Snapshots.Oci;

/// <summary>The media types of an OCI image layout and of the two HyperSharp snapshot blobs (docs/snapshot-format.md).</summary>
internal static class MediaTypes
{
    /// <summary>The OCI image index (<c>index.json</c>).</summary>
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>The OCI image manifest.</summary>
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>The snapshot config blob: JSON, and the manifest's <c>artifactType</c>.</summary>
    public const string SnapshotConfig = "application/vnd.hypersharp.snapshot.config.v1+json";

    /// <summary>The one layer: guest memory from guest-physical address 0, raw bytes.</summary>
    public const string SnapshotMemory = "application/vnd.hypersharp.snapshot.memory.v1";

    /// <summary>The index annotation holding a manifest's tag.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>
    /// The index annotation holding when a tag was saved (RFC 3339, UTC). Advisory, never checked. It sits on the index
    /// entry rather than in the manifest so that saving the same snapshot twice still yields the same manifest digest.
    /// </summary>
    public const string CreatedAnnotation = "org.opencontainers.image.created";

    /// <summary>The only <c>imageLayoutVersion</c> of the <c>oci-layout</c> file.</summary>
    public const string ImageLayoutVersion = "1.0.0";
}
