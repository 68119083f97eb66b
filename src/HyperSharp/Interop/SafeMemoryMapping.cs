using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>Owns one <c>mmap</c> region and unmaps it exactly once, when the last reference is released.</summary>
internal sealed class SafeMemoryMapping : SafeMappedView
{
    private SafeMemoryMapping(nint address, nuint length)
        : base(address, length, Libc.MAP_FAILED)
    {
    }

    public override bool IsInvalid => handle == Libc.MAP_FAILED || handle == 0;

    /// <summary>
    /// Wraps <c>mmap</c> of <paramref name="fd"/> (a file descriptor, or null for anonymous memory); errno becomes a
    /// <see cref="HypervisorException"/> naming <paramref name="operation"/>.
    /// </summary>
    public static SafeMemoryMapping Map(string operation, nuint length, int protection, int flags, SafeHandle? fd, long offset)
    {
        var addRef = false;
        try
        {
            // SAFETY: the reference keeps the descriptor open for the mmap below, which only uses its number; the kernel's
            // mapping then holds the file itself, and the reference is released in the finally block.
            fd?.DangerousAddRef(ref addRef);
            var address = Libc.MMap(0, length, protection, flags, fd is null ? -1 : (int)fd.DangerousGetHandle(), offset);
            if (address == Libc.MAP_FAILED)
            {
                throw new HypervisorException(operation, Marshal.GetLastPInvokeError());
            }

            return new SafeMemoryMapping(address, length);
        }
        finally
        {
            if (addRef)
            {
                fd!.DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle() => Libc.MUnmap(handle, Length) == 0;
}
