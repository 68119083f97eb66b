namespace HyperSharp.Snapshots.Oci;

/// <summary>
/// The snapshot config blob (<see cref="MediaTypes.SnapshotConfig"/>): everything besides memory needed to
/// resume a snapshot and to refuse one this host cannot run. Field by field in docs/snapshot-format.md.
/// </summary>
internal sealed class SnapshotConfig
{
    public required int FormatVersion { get; init; }

    public required uint AbiVersion { get; init; }

    public required string Architecture { get; init; }

    public required string Hypervisor { get; init; }

    public required string CpuVendor { get; init; }

    /// <summary>Informational only; never checked.</summary>
    public required string LibraryVersion { get; init; }

    public required ulong Generation { get; init; }

    public required ulong MemorySize { get; init; }

    public required SnapshotConfigLayout Layout { get; init; }

    public required SnapshotConfigVcpu Vcpu { get; init; }

    public required List<SnapshotConfigFunction> GuestFunctions { get; init; }

    public required List<SnapshotConfigFunction> HostFunctions { get; init; }
}

/// <summary>Every field of the memory layout, guest-physical addresses and sizes in bytes.</summary>
internal sealed class SnapshotConfigLayout
{
    public required ulong PageTablesSize { get; init; }
    public required ulong ImageBase { get; init; }
    public required ulong ImageSize { get; init; }
    public required ulong HeapBase { get; init; }
    public required ulong HeapSize { get; init; }
    public required ulong StackBase { get; init; }
    public required ulong StackSize { get; init; }
    public required ulong ExceptionStackTop { get; init; }
    public required ulong InputBase { get; init; }
    public required ulong InputSize { get; init; }
    public required ulong OutputBase { get; init; }
    public required ulong OutputSize { get; init; }
    public required ulong MemorySize { get; init; }
}

/// <summary>A guest export or host function: name, return type and parameter types (lower-case type names).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SnapshotConfigFunctionConverter))]
internal sealed class SnapshotConfigFunction
{
    public required string Name { get; init; }

    public required GuestValueType ReturnType { get; init; }

    public required List<GuestValueType> ParameterTypes { get; init; }
}
