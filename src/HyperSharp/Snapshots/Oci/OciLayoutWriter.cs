using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using HyperSharp.Interop;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// Writes one tagged snapshot into an OCI image layout directory. Blobs go first, each under a temporary
/// name renamed to its digest (an existing blob with that digest is kept); replacing <c>index.json</c> is
/// the commit point, so a crash leaves either the old tags or the new ones, never a half-written snapshot.
/// Other tags are preserved; a tag saved again points at the new manifest, and the blobs only the old one used are
/// then collected (<see cref="OciGarbageCollector"/>). HyperSharp writers of one directory take turns through
/// <see cref="LayoutLock"/>.
/// </summary>
internal static class OciLayoutWriter
{
    private const int ChunkSize = 4 << 20;

    /// <summary>Writes the blobs and the tag; returns the manifest digest.</summary>
    /// <param name="directory">The layout; created if missing, merged into if it already is one.</param>
    /// <param name="tag">A valid tag (<see cref="SnapshotTag"/>).</param>
    /// <param name="config">The config blob (JSON).</param>
    /// <param name="memory">A readable file of <paramref name="memorySize"/> bytes: the memory layer.</param>
    /// <param name="memorySize">Bytes of <paramref name="memory"/> to store.</param>
    /// <param name="durable">fsync files and directories.</param>
    /// <param name="progress">Told the bytes of memory written so far, after each chunk; may be null.</param>
    public static Sha256Digest Write(string directory, string tag, byte[] config, SafeFileHandle memory, long memorySize, bool durable, IProgress<long>? progress)
    {
        // The directory must exist to be locked; creating it empty changes nothing PrepareDirectory checks.
        using var layout = LayoutDirectory.Create(directory);
        using var layoutLock = LayoutLock.Acquire(layout);
        var existingIndex = PrepareDirectory(layout, durable);
        var blobs = layout.CreateBlobs(durable);

        var memoryDigest = WriteMemoryBlob(layout, blobs, memory, memorySize, durable, progress);
        var configDigest = WriteBlob(layout, blobs, config, durable);
        var manifest = new OciManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.ImageManifest,
            ArtifactType = MediaTypes.SnapshotConfig,
            Config = new OciDescriptor { MediaType = MediaTypes.SnapshotConfig, Digest = configDigest.ToString(), Size = config.Length },
            Layers = [new OciDescriptor { MediaType = MediaTypes.SnapshotMemory, Digest = memoryDigest.ToString(), Size = memorySize }],
        };
        var manifestJson = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciManifest);
        var manifestDigest = WriteBlob(layout, blobs, manifestJson, durable);

        var manifests = existingIndex?.Manifests.Where(m => m.RefName != tag).ToList() ?? [];
        manifests.Add(new OciDescriptor
        {
            MediaType = MediaTypes.ImageManifest,
            Digest = manifestDigest.ToString(),
            Size = manifestJson.Length,
            Annotations = new()
            {
                [MediaTypes.RefNameAnnotation] = tag,
                [MediaTypes.CreatedAnnotation] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            },
        });
        var index = new OciIndex
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.ImageIndex,
            Manifests = manifests,
            Annotations = existingIndex?.Annotations,
            Extra = existingIndex?.Extra,
        };
        AtomicFile.Write(layout.Root, layout.Path, LayoutDirectory.IndexName, JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Default.OciIndex), durable);

        // Only after the commit: a crash before it must leave the old tag's blobs in place.
        var moved = existingIndex?.Manifests.Any(m => m.RefName == tag && m.Digest != manifestDigest.ToString()) ?? false;
        if (moved)
        {
            OciGarbageCollector.Collect(layout);
        }

        return manifestDigest;
    }

    /// <summary>
    /// Checks an existing layout, or starts one in an empty directory; returns its index, if it has one. An
    /// <c>oci-layout</c> or <c>index.json</c> that is a link, a directory or anything but a regular file is refused
    /// exactly as <see cref="OciLayoutReader"/> refuses it.
    /// </summary>
    private static OciIndex? PrepareDirectory(LayoutDirectory layout, bool durable)
    {
        if (layout.Contains(LayoutDirectory.LayoutMarkerName))
        {
            OciLayoutReader.ReadLayoutMarker(layout);
            return layout.Contains(LayoutDirectory.IndexName) ? OciLayoutReader.ReadIndex(layout) : null;
        }

        if (!layout.IsEmpty())
        {
            throw new SnapshotFormatException(SnapshotFormatError.NotAnOciLayout,
                $"{layout.Path} is neither empty nor an OCI image layout (it has no oci-layout file); refusing to write into it.");
        }

        var marker = JsonSerializer.SerializeToUtf8Bytes(new OciLayoutMarker { ImageLayoutVersion = MediaTypes.ImageLayoutVersion }, OciJsonContext.Default.OciLayoutMarker);
        AtomicFile.Write(layout.Root, layout.Path, LayoutDirectory.LayoutMarkerName, marker, durable);
        return null;
    }

    private static Sha256Digest WriteBlob(LayoutDirectory layout, SafeHandle blobs, byte[] data, bool durable)
    {
        var digest = Sha256Digest.Of(data);
        if (!IsStored(layout, blobs, digest, data.Length))
        {
            AtomicFile.Write(blobs, layout.BlobsPath, digest.Hex, data, durable);
        }

        return digest;
    }

    /// <summary>Copies the memory in chunks, hashing as it goes; all-zero chunks become holes of a sparse file.</summary>
    private static Sha256Digest WriteMemoryBlob(LayoutDirectory layout, SafeHandle blobs, SafeFileHandle memory, long size, bool durable, IProgress<long>? progress)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var temporary = AtomicFile.CreateTemporary(blobs, layout.BlobsPath, "memory");
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            for (long offset = 0; offset < size;)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(ChunkSize, size - offset));
                var read = RandomAccess.Read(memory, chunk, offset);
                if (read == 0)
                {
                    throw new SandboxIOException(temporary.Path, $"The memory image ended at {offset} bytes, before its size of {size}.");
                }

                chunk = chunk[..read];
                hash.AppendData(chunk);
                if (chunk.ContainsAnyExcept((byte)0))
                {
                    temporary.Write(chunk, offset);
                }

                offset += read;
                progress?.Report(offset);
            }

            temporary.SetLength(size);
            var digest = Sha256Digest.FromHash(hash.GetHashAndReset());
            if (IsStored(layout, blobs, digest, size))
            {
                AtomicFile.Discard(temporary);
            }
            else
            {
                AtomicFile.Commit(temporary, digest.Hex, durable);
            }

            return digest;
        }
        catch
        {
            AtomicFile.Discard(temporary);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A blob is stored when a regular file of the right size has its digest as name (content addressing does the rest).
    /// A link of that name is replaced by the rename, never followed; a directory or device is refused as
    /// <see cref="OciLayoutReader"/> refuses it.
    /// </summary>
    private static bool IsStored(LayoutDirectory layout, SafeHandle blobs, Sha256Digest digest, long size)
    {
        var status = RegularFile.TryOpen(blobs, digest.Hex, followSymlinks: false, out var file, out var problem);
        using (file)
        {
            return status switch
            {
                RegularFileStatus.Opened => file!.Length == size,
                RegularFileStatus.NotRegular => throw new SnapshotFormatException(SnapshotFormatError.NotARegularFile,
                    $"{Path.Combine(layout.BlobsPath, digest.Hex)} {problem}."),
                _ => false,
            };
        }
    }
}
