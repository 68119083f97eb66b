using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>
/// A range of a file or of anonymous memory mapped into this process, unmapped exactly once when the last
/// reference is released. Each OS's mapping call has its own subclass, because each has its own unmap call.
/// </summary>
internal abstract class SafeMappedView : SafeHandle
{
    protected SafeMappedView(nint address, nuint length, nint invalidHandleValue)
        : base(invalidHandleValue, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    /// <summary>Bytes mapped.</summary>
    public nuint Length { get; }

    /// <summary>The first mapped byte. Valid while the handle is not released.</summary>
    public nint Address => handle;
}
