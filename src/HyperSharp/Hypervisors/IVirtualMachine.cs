namespace HyperSharp.Hypervisors;

/// <summary>
/// One virtual machine with one vCPU: the contract every backend (KVM here; WHP and MSHV later)
/// implements. Not thread-safe: the owning sandbox serialises calls.
/// </summary>
internal interface IVirtualMachine : IDisposable
{
    /// <summary>
    /// Maps <paramref name="size"/> bytes of host memory at <paramref name="hostAddress"/> into guest-physical memory at
    /// <paramref name="guestAddress"/>, tracking which pages the guest writes (see <see cref="GetDirtyPages"/>).
    /// </summary>
    void MapMemory(uint slot, ulong guestAddress, nint hostAddress, ulong size);

    /// <summary>
    /// Fills <paramref name="bitmap"/> with one bit per page of <paramref name="slot"/>, set where the guest (or the
    /// hypervisor on its behalf) wrote since the previous call or since the slot was mapped, and starts a new interval.
    /// </summary>
    void GetDirtyPages(uint slot, Span<ulong> bitmap);

    /// <summary>Runs the vCPU until the guest exits to the host.</summary>
    VcpuExit Run();

    /// <summary>Reads the general-purpose registers.</summary>
    StandardRegisters GetRegisters();

    /// <summary>Writes the general-purpose registers.</summary>
    void SetRegisters(in StandardRegisters registers);

    /// <summary>Reads segment, control and system registers.</summary>
    SpecialRegisters GetSpecialRegisters();

    /// <summary>Writes segment, control and system registers.</summary>
    void SetSpecialRegisters(in SpecialRegisters registers);

    /// <summary>Copies all guest-visible vCPU state: registers, FPU/SSE/XSAVE, XCR0, debug registers, guest-writable MSRs, pending events.</summary>
    VcpuState CaptureState();

    /// <summary>Puts back all of <paramref name="state"/>, captured on this VM or another of the same backend.</summary>
    void RestoreState(VcpuState state);
}
