namespace HyperSharp;

/// <summary>
/// One snapshot of a directory as its files record it (<see cref="Snapshot.Inspect"/>): names, digests and sizes,
/// the versions and platform it was saved for, its memory sizes and functions, and whether this host could load it.
/// Read without mapping or hashing the memory blob.
/// </summary>
public sealed class SnapshotInfo
{
    /// <summary>Every tag naming this snapshot; empty when it is reachable by digest only.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>When it was saved, as its index entry records it; null when not recorded.</summary>
    public required DateTimeOffset? Saved { get; init; }

    /// <summary>The manifest's digest, <c>sha256:</c> and 64 hex digits: a reference <see cref="Snapshot.Load"/> accepts.</summary>
    public required string ManifestDigest { get; init; }

    /// <summary>Bytes of the manifest blob.</summary>
    public required long ManifestSize { get; init; }

    /// <summary>The config blob's digest.</summary>
    public required string ConfigDigest { get; init; }

    /// <summary>Bytes of the config blob.</summary>
    public required long ConfigSize { get; init; }

    /// <summary>The memory blob's digest.</summary>
    public required string MemoryDigest { get; init; }

    /// <summary>Bytes of the memory blob.</summary>
    public required long MemoryBlobSize { get; init; }

    /// <summary>The snapshot format version of the config (docs/snapshot-format.md, "Versioning").</summary>
    public required int FormatVersion { get; init; }

    /// <summary>The guest ABI version its guest speaks (docs/guest-abi.md).</summary>
    public required uint AbiVersion { get; init; }

    /// <summary>The architecture it was saved on, e.g. <c>x86_64</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>The hypervisor backend it was saved under, e.g. <c>kvm</c>.</summary>
    public required string Hypervisor { get; init; }

    /// <summary>The CPU vendor it was saved on, e.g. <c>AuthenticAMD</c>.</summary>
    public required string CpuVendor { get; init; }

    /// <summary>The version of the library that saved it; informational.</summary>
    public required string LibraryVersion { get; init; }

    /// <summary>How many snapshots lie behind it (<see cref="Snapshot.Generation"/>).</summary>
    public required ulong Generation { get; init; }

    /// <summary>Bytes of guest memory.</summary>
    public required ulong MemorySize { get; init; }

    /// <summary>Bytes of the guest's loaded ELF image (with its thread control block).</summary>
    public required ulong ImageSize { get; init; }

    /// <summary>Bytes of the page tables the host built.</summary>
    public required ulong PageTablesSize { get; init; }

    /// <summary>Its memory sizes, as <see cref="Sandbox.FromSnapshot"/> accepts them.</summary>
    public required SandboxOptions Options { get; init; }

    /// <summary>The functions its guest exports.</summary>
    public required IReadOnlyList<GuestFunctionSignature> GuestFunctions { get; init; }

    /// <summary>The host functions it was saved with; a sandbox made from it must define them all.</summary>
    public required IReadOnlyList<GuestFunctionSignature> HostFunctions { get; init; }

    /// <summary>
    /// Every reason <see cref="Snapshot.Load"/> would refuse it on this host (another format, ABI, platform, a layout or
    /// vCPU state that does not fit), each as the refusal's reason and message; empty when it would load.
    /// </summary>
    public required IReadOnlyList<string> Incompatibilities { get; init; }

    /// <summary>Whether <see cref="Snapshot.Load"/> would accept it here.</summary>
    public bool IsLoadableHere => Incompatibilities.Count == 0;
}
