namespace HyperSharp.Hypervisors;

/// <summary>
/// One virtual machine with one vCPU: the contract every backend (KVM, WHP; MSHV later)
/// implements. Not thread-safe, except <see cref="Interrupt"/>: the owning sandbox serialises calls.
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
    /// hypervisor on its behalf) wrote since the page was last protected (<see cref="ProtectPages"/>) or since the slot
    /// was mapped. A backend that cannot leave pages writable protects every page here and reports only new writes.
    /// </summary>
    void GetDirtyPages(uint slot, Span<ulong> bitmap);

    /// <summary>
    /// Write-protects again the pages set in <paramref name="bitmap"/>, so that the guest's next write to each is logged.
    /// Pages reported dirty and not protected stay writable, cost the guest no fault, and are reported by every
    /// <see cref="GetDirtyPages"/> until protected. Does nothing where <see cref="GetDirtyPages"/> protects by itself.
    /// </summary>
    void ProtectPages(uint slot, ReadOnlySpan<ulong> bitmap);

    /// <summary>Runs the vCPU until the guest exits to the host, or until <see cref="Interrupt"/> stops it.</summary>
    VcpuExit Run();

    /// <summary>
    /// Names the calling thread as the one that will call <see cref="Run"/>, and withdraws any earlier
    /// <see cref="Interrupt"/>. Called at the start of every guest call.
    /// </summary>
    void PrepareToRun();

    /// <summary>
    /// From any thread: makes the <see cref="Run"/> in flight on the prepared thread, or its next one, return
    /// <see cref="VcpuExitReason.Interrupted"/>; it keeps doing so until the next <see cref="PrepareToRun"/>.
    /// The caller guarantees the VM is not disposed meanwhile and that no other <see cref="PrepareToRun"/> races it.
    /// Never throws.
    /// </summary>
    /// <returns>
    /// False if a run already in the guest could not be told to stop now (the operating system refused the kick):
    /// the caller must call again until the run returns.
    /// </returns>
    bool Interrupt();

    /// <summary>
    /// Completes the exit the last <see cref="Run"/> stopped at, without running guest code, so the hypervisor holds
    /// nothing back for the next run: an IN's value, an INS's memory writes, a string instruction's next iterations.
    /// A no-op if nothing is pending. Called when a run ends in an error, before the sandbox can be restored.
    /// </summary>
    void SettlePendingExit();

    /// <summary>Reads the general-purpose registers.</summary>
    StandardRegisters GetRegisters();

    /// <summary>Writes the general-purpose registers.</summary>
    void SetRegisters(in StandardRegisters registers);

    /// <summary>Reads segment, control and system registers.</summary>
    SpecialRegisters GetSpecialRegisters();

    /// <summary>Writes segment, control and system registers.</summary>
    void SetSpecialRegisters(in SpecialRegisters registers);

    /// <summary>The vCPU's TSC frequency in kHz, which the guest's clock extrapolates with.</summary>
    ulong GetTscKhz();

    /// <summary>Copies all guest-visible vCPU state: registers, FPU/SSE/XSAVE, XCR0, debug registers, guest-writable MSRs, pending events.</summary>
    VcpuState CaptureState();

    /// <summary>Puts back all of <paramref name="state"/>, captured on this VM or another of the same backend.</summary>
    void RestoreState(VcpuState state);
}
