using Microsoft.Win32.SafeHandles;

namespace HyperSharp.Interop;

/// <summary>Owns a Linux file descriptor and closes it exactly once. fd 0 is valid, so only -1 is invalid.</summary>
internal sealed class SafeFileDescriptor : SafeHandleMinusOneIsInvalid
{
    public SafeFileDescriptor()
        : base(ownsHandle: true)
    {
    }

    public SafeFileDescriptor(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <summary>The descriptor number, for logging and for calls that take a plain int.</summary>
    public int Number => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
