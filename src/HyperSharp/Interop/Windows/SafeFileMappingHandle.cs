using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Interop.Windows;

/// <summary>
/// Owns a file-mapping (section) object from <c>CreateFileMappingW</c> and closes it exactly once. Views mapped
/// from it hold their own reference to the section, so this handle may be closed as soon as they are mapped.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class SafeFileMappingHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the P/Invoke marshaller, which sets the handle <c>CreateFileMappingW</c> returns.</summary>
    public SafeFileMappingHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle() => Kernel32.CloseHandle(handle);
}
