using System.Runtime.InteropServices;

namespace HyperSharp.Interop;

/// <summary>errno values and text (<c>errno.h</c>, <c>strerror</c>).</summary>
internal static partial class Libc
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int EMFILE = 24;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;

    /// <summary>The text of an errno value, like <c>strerror</c>.</summary>
    public static string DescribeErrno(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
