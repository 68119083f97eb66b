using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Snapshots.Config;

/// <summary>
/// HyperSharp's snapshot config (the OCI config blob, <c>application/vnd.hypersharp.snapshot.config.v1+json</c>):
/// everything besides memory needed to resume a snapshot and to refuse one this host cannot run, held in the very types
/// the rest of the library uses. Field by field in docs/snapshot-format.md; read by <see cref="SnapshotConfigReader"/>,
/// checked by <see cref="SnapshotConfigValidator"/>, written by <see cref="SnapshotConfigWriter"/>.
/// </summary>
internal sealed record SnapshotConfig(
    int FormatVersion,
    uint AbiVersion,
    string Architecture,
    string Hypervisor,
    string CpuVendor,
    string LibraryVersion,
    ulong Generation,
    ulong MemorySize,
    MemoryLayout Layout,
    VcpuState Vcpu,
    IReadOnlyList<GuestFunctionSignature> GuestFunctions,
    IReadOnlyList<GuestFunctionSignature> HostFunctions)
{
    /// <summary>The config of <paramref name="snapshot"/>, saved on this host by this library.</summary>
    public static SnapshotConfig Of(Snapshot snapshot) => new(
        HostIdentity.FormatVersion,
        GuestAbi.AbiVersion,
        HostIdentity.Architecture,
        HostIdentity.Hypervisor,
        HostIdentity.CpuVendor,
        HostIdentity.LibraryVersion,
        snapshot.Generation,
        snapshot.MemorySize,
        snapshot.Layout,
        snapshot.Vcpu,
        snapshot.GuestFunctions,
        snapshot.HostFunctions);
}
