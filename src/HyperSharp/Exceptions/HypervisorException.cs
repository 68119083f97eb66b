namespace HyperSharp;

/// <summary>A hypervisor operation failed; <see cref="Operation"/> names it and <see cref="Errno"/> says why.</summary>
public sealed class HypervisorException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public HypervisorException(string operation, int errno)
        : this(operation, errno, $"{Interop.Libc.DescribeErrno(errno)} (errno {errno})")
    {
    }

    private HypervisorException(string operation, int error, string description)
        : base($"{operation} failed: {description}.")
    {
        Operation = operation;
        Errno = error;
    }

    /// <summary>What was being attempted, e.g. <c>KVM_CREATE_VM</c>.</summary>
    public string Operation { get; }

    /// <summary>The operating-system error number: an errno on Linux; on Windows a Win32 error code or an HRESULT.</summary>
    public int Errno { get; }

    /// <summary>A Windows API call failed with Win32 error <paramref name="error"/> (<c>GetLastError</c>).</summary>
    internal static HypervisorException Win32(string operation, int error) =>
        new(operation, error, $"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error).TrimEnd('.', ' ', '\r', '\n')} (Win32 error {error})");

    /// <summary>A Windows Hypervisor Platform call returned the failure <paramref name="hresult"/>.</summary>
    internal static HypervisorException FromHResult(string operation, int hresult) =>
        new(operation, hresult, $"HRESULT 0x{hresult:X8}");
}
