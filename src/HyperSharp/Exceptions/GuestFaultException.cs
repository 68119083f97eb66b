namespace HyperSharp;

/// <summary>The guest raised a CPU exception (page fault, divide error, invalid opcode, …) or triple-faulted. The sandbox is poisoned.</summary>
public sealed class GuestFaultException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestFaultException(string message, int vector, ulong errorCode, ulong rip, ulong rsp, ulong faultAddress, bool isStackOverflow)
        : base(message)
    {
        Vector = vector;
        ErrorCode = errorCode;
        Rip = rip;
        Rsp = rsp;
        FaultAddress = faultAddress;
        IsStackOverflow = isStackOverflow;
    }

    /// <summary>The x86 exception vector (0 divide error, 6 invalid opcode, 13 general protection, 14 page fault, …), or -1 for a triple fault.</summary>
    public int Vector { get; }

    /// <summary>The error code the CPU pushed, or 0 for vectors without one.</summary>
    public ulong ErrorCode { get; }

    /// <summary>The guest instruction pointer at the fault.</summary>
    public ulong Rip { get; }

    /// <summary>The guest stack pointer at the fault.</summary>
    public ulong Rsp { get; }

    /// <summary>For page faults, the address that was accessed (CR2); otherwise 0.</summary>
    public ulong FaultAddress { get; }

    /// <summary>True when a page fault hit the guard page below the guest stack.</summary>
    public bool IsStackOverflow { get; }
}
