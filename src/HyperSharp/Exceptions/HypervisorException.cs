namespace HyperSharp;

/// <summary>A hypervisor operation failed; <see cref="Operation"/> names it and <see cref="Errno"/> says why.</summary>
public sealed class HypervisorException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public HypervisorException(string operation, int errno)
        : base($"{operation} failed: {Interop.Libc.DescribeErrno(errno)} (errno {errno}).")
    {
        Operation = operation;
        Errno = errno;
    }

    /// <summary>What was being attempted, e.g. <c>KVM_CREATE_VM</c>.</summary>
    public string Operation { get; }

    /// <summary>The operating-system error number.</summary>
    public int Errno { get; }
}
