namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// What <see cref="OciLayoutReader"/> found for one reference: the manifest digest, every index entry naming it, the
/// manifest, the config blob and the open memory layer, whose size already equals its descriptor's (and, on a verified
/// read, whose digest matched).
/// </summary>
internal sealed class OciSnapshotArtifact(Sha256Digest manifestDigest, IReadOnlyList<OciDescriptor> entries, OciManifest manifest, byte[] config, LayoutFile memory) : IDisposable
{
    public Sha256Digest ManifestDigest { get; } = manifestDigest;

    /// <summary>The index entries for this manifest: one per tag, at least one.</summary>
    public IReadOnlyList<OciDescriptor> Entries { get; } = entries;

    public OciManifest Manifest { get; } = manifest;

    public byte[] Config { get; } = config;

    public LayoutFile Memory { get; } = memory;

    public void Dispose() => Memory.Dispose();
}
