using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>Owns a <c>WHV_PARTITION_HANDLE</c> from <c>WHvCreatePartition</c> and deletes the partition exactly once.</summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeWhvPartitionHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the P/Invoke marshaller, which sets the handle <c>WHvCreatePartition</c> returns.</summary>
    public SafeWhvPartitionHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => WinHvPlatform.WHvDeletePartition(handle) >= 0;
}
