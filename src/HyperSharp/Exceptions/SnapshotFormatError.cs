namespace HyperSharp;

/// <summary>Which rule of the snapshot file format (docs/snapshot-format.md) a snapshot directory breaks.</summary>
public enum SnapshotFormatError
{
    /// <summary>The <c>oci-layout</c> file is missing, not a regular file, or names another layout version.</summary>
    NotAnOciLayout,

    /// <summary>A JSON file is not valid JSON, misses a required field, has an unknown field or a value of the wrong type.</summary>
    MalformedJson,

    /// <summary>A JSON file is larger than the 1 MiB cap.</summary>
    TooLarge,

    /// <summary>The index or manifest has a <c>schemaVersion</c> other than 2.</summary>
    UnsupportedSchema,

    /// <summary>The index, a manifest, its config or its layer has a media type or artifact type this library does not read.</summary>
    UnsupportedMediaType,

    /// <summary>The manifest has no layer or more than one.</summary>
    LayerCount,

    /// <summary>No manifest in <c>index.json</c> carries the requested tag or digest.</summary>
    TagNotFound,

    /// <summary>Two manifests in <c>index.json</c> carry the requested tag.</summary>
    DuplicateTag,

    /// <summary>The reference is neither a valid tag nor a <c>sha256:</c> digest of 64 lower-case hex digits, or a descriptor's digest is malformed.</summary>
    BadReference,

    /// <summary>A blob the manifest or index names is not in <c>blobs/sha256</c>.</summary>
    MissingBlob,

    /// <summary>A blob's size differs from its descriptor's, or the memory blob's from the config's <c>memory_size</c>.</summary>
    SizeMismatch,

    /// <summary>
    /// A file of the layout is not a regular file (a symbolic link, a directory, a FIFO, a device), or <c>blobs</c> or
    /// <c>blobs/sha256</c> is a symbolic link or not a directory: nothing below the layout directory is followed.
    /// </summary>
    NotARegularFile,

    /// <summary>The memory size is zero, not a multiple of 4 KiB, or larger than any sandbox can be.</summary>
    BadMemorySize,

    /// <summary>The recorded memory layout is not the one HyperSharp computes for the recorded image and region sizes.</summary>
    BadLayout,

    /// <summary>The instruction pointer lies outside the guest image or the stack pointer outside the stack.</summary>
    BadEntryPoint,

    /// <summary>The vCPU state has the wrong shape: an XSAVE area not a whole number of 64-byte blocks of at least 4 KiB, too many MSRs, or not four interrupt-bitmap words.</summary>
    BadVcpuState,

    /// <summary>A recorded guest or host function has an empty or duplicate name, or a type that does not exist.</summary>
    BadFunctionSignature,

    /// <summary>The snapshot format version is not the one this library writes.</summary>
    FormatVersionMismatch,

    /// <summary>The guest ABI version is not the one this library speaks.</summary>
    AbiMismatch,

    /// <summary>The snapshot was taken on another CPU architecture.</summary>
    ArchitectureMismatch,

    /// <summary>The snapshot was taken under another hypervisor.</summary>
    HypervisorMismatch,

    /// <summary>The snapshot was taken on a CPU of another vendor.</summary>
    CpuVendorMismatch,

    /// <summary>A blob's SHA-256 differs from its descriptor's digest (verified loads only).</summary>
    DigestMismatch,

    /// <summary>A blob ended before its recorded size while being read.</summary>
    Truncated,
}
