namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// What <see cref="OciLayoutReader"/> found for one reference: the manifest digest, the config blob and the
/// open memory layer, whose size already equals its descriptor's (and, on a verified read, whose digest matched).
/// </summary>
internal sealed class OciSnapshotArtifact(Sha256Digest manifestDigest, byte[] config, LayoutFile memory) : IDisposable
{
    public Sha256Digest ManifestDigest { get; } = manifestDigest;

    public byte[] Config { get; } = config;

    public LayoutFile Memory { get; } = memory;

    public void Dispose() => Memory.Dispose();
}
