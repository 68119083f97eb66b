namespace HyperSharp;

/// <summary>
/// The guest accessed a guest-physical address that no memory backs (an MMIO exit), e.g. after
/// rewriting its own page tables. The sandbox is poisoned.
/// </summary>
public sealed class GuestAccessViolationException : SandboxException
{
    /// <summary>Creates the exception.</summary>
    public GuestAccessViolationException(ulong address, bool isWrite)
        : base($"The guest {(isWrite ? "wrote to" : "read from")} guest-physical address 0x{address:x}, outside guest memory.")
    {
        Address = address;
        IsWrite = isWrite;
    }

    /// <summary>The guest-physical address accessed.</summary>
    public ulong Address { get; }

    /// <summary>True for a write, false for a read.</summary>
    public bool IsWrite { get; }
}
