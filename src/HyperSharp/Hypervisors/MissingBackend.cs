using HyperSharp.Memory;

namespace HyperSharp.Hypervisors;

/// <summary>
/// The backend of a platform HyperSharp cannot run guests on: everything that needs no hypervisor still works (ELF
/// parsing, snapshot files), and every attempt to create a VM says why it cannot.
/// </summary>
internal sealed class MissingBackend(string reason) : IHypervisorBackend
{
    public string Name => "none";

    public string? UnavailableReason => reason;

    public int MaxMsrs => 0;

    public IVirtualMachine CreateVirtualMachine(GuestMemory memory) => throw new HypervisorUnavailableException(reason);

    public List<string> StateMismatches(VcpuState state) => throw new HypervisorUnavailableException(reason);
}
