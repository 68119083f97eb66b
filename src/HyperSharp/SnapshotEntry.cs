namespace HyperSharp;

/// <summary>One entry of a snapshot directory's index (<see cref="Snapshot.List"/>): a tag and the manifest it names.</summary>
/// <param name="Tag">The tag, or null for a manifest reachable by digest only.</param>
/// <param name="ManifestDigest">The manifest's digest, <c>sha256:</c> and 64 hex digits.</param>
/// <param name="ManifestSize">Bytes of the manifest blob.</param>
public sealed record SnapshotEntry(string? Tag, string ManifestDigest, long ManifestSize);
