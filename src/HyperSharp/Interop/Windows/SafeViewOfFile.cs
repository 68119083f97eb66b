using System.Runtime.Versioning;

namespace HyperSharp.Interop.Windows;

/// <summary>Owns one view from <c>MapViewOfFile</c> and unmaps it exactly once, when the last reference is released.</summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeViewOfFile : SafeMappedView
{
    public SafeViewOfFile(nint address, nuint length)
        : base(address, length, invalidHandleValue: 0)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => Kernel32.UnmapViewOfFile(handle);
}
