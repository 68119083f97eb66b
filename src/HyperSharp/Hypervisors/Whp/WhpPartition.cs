using System.Runtime.Versioning;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// A WHP partition (the counterpart of <see cref="Kvm.KvmVm"/>): each method wraps the function it is named after and
/// reports failures as HRESULTs. Deleting the partition (<see cref="SafeWhvPartitionHandle"/>) also deletes its virtual
/// processors and mappings, so a partition nobody disposed still releases everything through its finalizer.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed unsafe class WhpPartition : IDisposable
{
    private WhpPartition(SafeWhvPartitionHandle handle) => Handle = handle;

    /// <summary>The partition handle, for the virtual processors made from it.</summary>
    public SafeWhvPartitionHandle Handle { get; }

    /// <summary>Wraps <c>WHvCreatePartition</c>: a partition to configure, then <see cref="SetupPartition"/>.</summary>
    public static WhpPartition CreatePartition()
    {
        var hresult = WinHvPlatform.WHvCreatePartition(out var handle);
        if (hresult < 0)
        {
            handle.Dispose();
            WinHvPlatform.Check(hresult, "WHvCreatePartition");
        }

        return new WhpPartition(handle);
    }

    /// <summary>Wraps <c>WHvSetPartitionProperty</c> for a 32-bit property (the processor count).</summary>
    public void SetPartitionProperty(WhpPartitionProperty property, uint value)
    {
        // SAFETY: `value` is a local; the call reads exactly sizeof(uint) bytes of it, the size passed.
        WinHvPlatform.Check(WinHvPlatform.WHvSetPartitionProperty(Handle, property, &value, sizeof(uint)), $"WHvSetPartitionProperty({property})");
    }

    /// <summary>Wraps <c>WHvSetupPartition</c>: the properties are fixed from here on, and processors can be made.</summary>
    public void SetupPartition() => WinHvPlatform.Check(WinHvPlatform.WHvSetupPartition(Handle), "WHvSetupPartition");

    /// <summary>
    /// Wraps <c>WHvMapGpaRange</c>: <paramref name="size"/> bytes of this process's memory at <paramref name="hostAddress"/>
    /// become guest-physical memory at <paramref name="guestAddress"/>. The host memory must stay mapped while the range is.
    /// </summary>
    public void MapGpaRange(nint hostAddress, ulong guestAddress, ulong size, WhpMapGpaRangeFlags flags) =>
        WinHvPlatform.Check(WinHvPlatform.WHvMapGpaRange(Handle, hostAddress, guestAddress, size, flags), "WHvMapGpaRange");

    /// <summary>
    /// Wraps <c>WHvQueryGpaRangeDirtyBitmap</c>: one bit per page of the range the guest wrote since the last query, which
    /// this query clears (a query without a bitmap only clears, per the documentation).
    /// </summary>
    public void QueryGpaRangeDirtyBitmap(ulong guestAddress, ulong size, Span<ulong> bitmap)
    {
        // SAFETY: fixed pins the bitmap for the call, which writes at most its length in bytes (the size passed); the
        // caller sized it for one bit per page of the range (GuestMemory.DirtyBitmapLength), and longs are 8-byte aligned.
        fixed (ulong* pointer = bitmap)
        {
            WinHvPlatform.Check(
                WinHvPlatform.WHvQueryGpaRangeDirtyBitmap(Handle, guestAddress, size, pointer, checked((uint)(bitmap.Length * sizeof(ulong)))),
                "WHvQueryGpaRangeDirtyBitmap");
        }
    }

    /// <summary>Wraps <c>WHvCreateVirtualProcessor</c>.</summary>
    public WhpVirtualProcessor CreateVirtualProcessor(uint index)
    {
        WinHvPlatform.Check(WinHvPlatform.WHvCreateVirtualProcessor(Handle, index, 0), "WHvCreateVirtualProcessor");
        return new WhpVirtualProcessor(Handle, index);
    }

    public void Dispose() => Handle.Dispose();
}
