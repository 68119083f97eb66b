using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Reads one snapshot out of an OCI image layout, checking every structural rule of docs/snapshot-format.md
/// and, when asked, every digest. Each failure is a <see cref="SnapshotFormatException"/> naming its rule.
/// </summary>
internal static class OciLayoutReader
{
    /// <summary>The cap on every JSON file: index, manifest, config.</summary>
    public const int MaxJsonSize = 1 << 20;

    /// <summary>
    /// Finds <paramref name="reference"/> (a tag or a <c>sha256:</c> manifest digest) and opens its blobs;
    /// <paramref name="progress"/>, if any, is told the bytes of memory hashed so far.
    /// </summary>
    public static OciSnapshotArtifact Read(string directory, string reference, bool verifyDigests, IProgress<long>? progress = null)
    {
        var byDigest = reference.StartsWith("sha256:", StringComparison.Ordinal);
        if (byDigest)
        {
            Sha256Digest.Parse(reference, "reference");
        }
        else if (!SnapshotTag.IsValid(reference))
        {
            throw new SnapshotFormatException(SnapshotFormatError.BadReference, $"'{reference}' is not {SnapshotTag.ReferenceRule}.");
        }

        using var layout = LayoutDirectory.Open(directory);
        ReadLayoutMarker(layout);
        var index = ReadIndex(layout);
        var found = index.Manifests.Where(m => byDigest ? m.Digest == reference : m.RefName == reference).ToList();
        if (found.Count == 0)
        {
            throw new SnapshotFormatException(SnapshotFormatError.TagNotFound, $"{directory} has no manifest {(byDigest ? "with digest" : "tagged")} '{reference}'.");
        }

        if (found.Count > 1 && !byDigest)
        {
            throw new SnapshotFormatException(SnapshotFormatError.DuplicateTag, $"{directory} has {found.Count} manifests tagged '{reference}'.");
        }

        var manifestDescriptor = found[0];
        RequireMediaType(manifestDescriptor, MediaTypes.ImageManifest, "manifest descriptor");
        var manifestDigest = Sha256Digest.Parse(manifestDescriptor.Digest, "manifest");
        var manifest = Parse(ReadJsonBlob(layout, manifestDescriptor, manifestDigest, verifyDigests), OciJsonContext.Default.OciManifest, "manifest");
        if (manifest.SchemaVersion != 2)
        {
            throw new SnapshotFormatException(SnapshotFormatError.UnsupportedSchema, $"The manifest has schemaVersion {manifest.SchemaVersion}; only 2 is read.");
        }

        if (manifest.MediaType != MediaTypes.ImageManifest || manifest.ArtifactType != MediaTypes.SnapshotConfig)
        {
            throw new SnapshotFormatException(SnapshotFormatError.UnsupportedMediaType,
                $"The manifest has mediaType '{manifest.MediaType}' and artifactType '{manifest.ArtifactType}'; expected '{MediaTypes.ImageManifest}' and '{MediaTypes.SnapshotConfig}'.");
        }

        RequireMediaType(manifest.Config, MediaTypes.SnapshotConfig, "config");
        if (manifest.Layers.Count != 1)
        {
            throw new SnapshotFormatException(SnapshotFormatError.LayerCount, $"The manifest has {manifest.Layers.Count} layers; a snapshot has exactly one, its memory.");
        }

        var layer = manifest.Layers[0];
        RequireMediaType(layer, MediaTypes.SnapshotMemory, "memory layer");
        var configDigest = Sha256Digest.Parse(manifest.Config.Digest, "config");
        var memoryDigest = Sha256Digest.Parse(layer.Digest, "memory layer");
        var config = ReadJsonBlob(layout, manifest.Config, configDigest, verifyDigests);

        var memory = OpenBlob(layout, memoryDigest, layer.Size);
        try
        {
            if (verifyDigests)
            {
                Verify(memory, memoryDigest, progress);
            }

            var entries = index.Manifests.Where(m => m.Digest == manifestDescriptor.Digest).ToList();
            return new OciSnapshotArtifact(manifestDigest, entries, manifest, config, memory);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Checks the <c>oci-layout</c> file names layout version 1.0.0.</summary>
    public static void ReadLayoutMarker(LayoutDirectory layout)
    {
        using var file = layout.OpenFile(LayoutDirectory.LayoutMarkerName, SnapshotFormatError.NotAnOciLayout, SnapshotFormatError.NotAnOciLayout);
        var marker = Parse(file.ReadAll(MaxJsonSize), OciJsonContext.Default.OciLayoutMarker, "oci-layout file");
        if (marker.ImageLayoutVersion != MediaTypes.ImageLayoutVersion)
        {
            throw new SnapshotFormatException(SnapshotFormatError.NotAnOciLayout,
                $"{layout.Path} is image layout version '{marker.ImageLayoutVersion}'; only {MediaTypes.ImageLayoutVersion} is read.");
        }
    }

    /// <summary>Reads and checks <c>index.json</c>.</summary>
    public static OciIndex ReadIndex(LayoutDirectory layout)
    {
        using var file = layout.OpenFile(LayoutDirectory.IndexName, SnapshotFormatError.NotAnOciLayout, SnapshotFormatError.NotARegularFile);
        var index = Parse(file.ReadAll(MaxJsonSize), OciJsonContext.Default.OciIndex, "index.json");
        if (index.SchemaVersion != 2)
        {
            throw new SnapshotFormatException(SnapshotFormatError.UnsupportedSchema, $"index.json has schemaVersion {index.SchemaVersion}; only 2 is read.");
        }

        if (index.MediaType is not null && index.MediaType != MediaTypes.ImageIndex)
        {
            throw new SnapshotFormatException(SnapshotFormatError.UnsupportedMediaType, $"index.json has mediaType '{index.MediaType}'; expected '{MediaTypes.ImageIndex}'.");
        }

        return index;
    }

    /// <summary>Parses JSON with a source-generated contract; any JSON error is <see cref="SnapshotFormatError.MalformedJson"/>.</summary>
    public static T Parse<T>(byte[] json, JsonTypeInfo<T> contract, string what) =>
        Parse(json, bytes => JsonSerializer.Deserialize(bytes, contract), what);

    /// <summary>Parses the snapshot config with <see cref="Config.SnapshotConfigReader"/>; errors as for the other JSON files.</summary>
    public static Config.SnapshotConfig ParseConfig(byte[] json) => Parse(json, bytes => Config.SnapshotConfigReader.Read(bytes), "snapshot config");

    private static T Parse<T>(byte[] json, Func<byte[], T?> read, string what)
    {
        if (!Utf8.IsValid(json))
        {
            throw new SnapshotFormatException(SnapshotFormatError.MalformedJson, $"The {what} is not valid UTF-8.");
        }

        try
        {
            return read(json) ?? throw new SnapshotFormatException(SnapshotFormatError.MalformedJson, $"The {what} is JSON null.");
        }
        catch (JsonException e)
        {
            throw new SnapshotFormatException(SnapshotFormatError.MalformedJson, $"The {what} is not valid: {e.Message}", e);
        }
    }

    private static byte[] ReadJsonBlob(LayoutDirectory layout, OciDescriptor descriptor, Sha256Digest digest, bool verifyDigests)
    {
        if (descriptor.Size > MaxJsonSize)
        {
            throw new SnapshotFormatException(SnapshotFormatError.TooLarge, $"The {descriptor.MediaType} blob is {descriptor.Size} bytes; JSON blobs are capped at {MaxJsonSize}.");
        }

        using var file = OpenBlob(layout, digest, descriptor.Size);
        var data = file.ReadAll(MaxJsonSize);
        if (verifyDigests && Sha256Digest.Of(data) != digest)
        {
            throw new SnapshotFormatException(SnapshotFormatError.DigestMismatch, $"Blob {digest} does not hash to its digest.");
        }

        return data;
    }

    private static LayoutFile OpenBlob(LayoutDirectory layout, Sha256Digest digest, long size)
    {
        var file = layout.OpenBlob(digest);
        if (file.Length != size)
        {
            file.Dispose();
            throw new SnapshotFormatException(SnapshotFormatError.SizeMismatch, $"Blob {digest} is {file.Length} bytes but its descriptor says {size}.");
        }

        return file;
    }

    private static void Verify(LayoutFile file, Sha256Digest digest, IProgress<long>? progress)
    {
        var actual = file.ComputeDigest(progress);
        if (actual != digest)
        {
            throw new SnapshotFormatException(SnapshotFormatError.DigestMismatch, $"Blob {digest} hashes to {actual}.");
        }
    }

    private static void RequireMediaType(OciDescriptor descriptor, string expected, string what)
    {
        if (descriptor.MediaType != expected)
        {
            throw new SnapshotFormatException(SnapshotFormatError.UnsupportedMediaType, $"The {what} has mediaType '{descriptor.MediaType}'; expected '{expected}'.");
        }
    }
}
