using System.Runtime.Versioning;
using HyperSharp.Memory;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// The Windows Hypervisor Platform as HyperSharp's backend: <see cref="WhpPlatform.Shared"/> and its VMs. Where WHP is
/// missing (the optional feature is off, or under Wine) it is still the backend, unavailable with
/// <see cref="WhpPlatform.UnavailableReason"/>, so snapshot files name <c>whp</c> and everything that needs no
/// hypervisor works.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WhpBackend : IHypervisorBackend
{
    public string Name => "whp";

    public string? UnavailableReason => WhpPlatform.UnavailableReason;

    public int MaxMsrs => WhpMsrs.VcpuState.Length;

    public IVirtualMachine CreateVirtualMachine(GuestMemory memory) => GuestMemorySlot.MapInto(new WhpVirtualMachine(WhpPlatform.Shared), memory);

    public List<string> StateMismatches(VcpuState state)
    {
        var platform = WhpPlatform.Shared;
        return VcpuStateCompatibility.Mismatches(state, platform.XsaveSize, platform.SupportedXcr0, "Windows Hypervisor Platform");
    }
}
