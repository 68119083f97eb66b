using System.Runtime.Versioning;

namespace HyperSharp.Interop.Windows;

/// <summary>Owns one region from <c>VirtualAlloc</c> and releases it (<c>VirtualFree(MEM_RELEASE)</c>) exactly once.</summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeVirtualAlloc : SafeMappedView
{
    public SafeVirtualAlloc(nint address, nuint length)
        : base(address, length, invalidHandleValue: 0)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>MEM_RELEASE frees the whole region VirtualAlloc reserved, and takes size 0.</summary>
    protected override bool ReleaseHandle() => Kernel32.VirtualFree(handle, 0, Kernel32.MEM_RELEASE);
}
