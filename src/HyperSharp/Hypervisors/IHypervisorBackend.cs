using HyperSharp.Memory;

namespace HyperSharp.Hypervisors;

/// <summary>
/// One hypervisor HyperSharp can run guests on (KVM on Linux, WHP on Windows; Linux's MSHV would be another): whether it
/// is usable, its limits, and the virtual machines it makes. <see cref="HypervisorBackend.Current"/> is the one the
/// process uses; the rest of the library sees only this and <see cref="IVirtualMachine"/>.
/// </summary>
internal interface IHypervisorBackend
{
    /// <summary>The name recorded in snapshot files, which load only under the backend that wrote them: <c>"kvm"</c>, <c>"whp"</c>.</summary>
    string Name { get; }

    /// <summary>Why no sandbox can be created here, or null when the backend is usable.</summary>
    string? UnavailableReason { get; }

    /// <summary>The most MSRs a <see cref="VcpuState"/> of this backend carries; a snapshot recording more is malformed.</summary>
    int MaxMsrs { get; }

    /// <summary>
    /// A new VM with one vCPU at its reset state, with <paramref name="memory"/> mapped at guest-physical address 0 and
    /// tracked for dirty pages.
    /// </summary>
    /// <exception cref="HypervisorUnavailableException">The backend is not usable here.</exception>
    /// <exception cref="HypervisorException">The hypervisor refused an operation.</exception>
    IVirtualMachine CreateVirtualMachine(GuestMemory memory);

    /// <summary>
    /// Every way <paramref name="state"/>, captured on some host, does not fit this host's vCPUs (XSAVE size and features,
    /// for instance); empty when it fits.
    /// </summary>
    /// <exception cref="HypervisorUnavailableException">The backend is not usable here.</exception>
    List<string> StateMismatches(VcpuState state);
}
