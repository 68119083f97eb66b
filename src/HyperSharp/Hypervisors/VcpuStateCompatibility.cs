namespace HyperSharp.Hypervisors;

/// <summary>
/// Whether a vCPU state captured on some host fits this host's vCPUs. A snapshot file binds architecture, hypervisor and
/// CPU vendor, but the XSAVE area's size and the XSAVE features (XCR0) vary between CPUs of one vendor (AVX-512, AMX): a
/// hypervisor would refuse such a state when it is set, after a VM was made for it. Each backend says what its vCPUs
/// take (<see cref="IHypervisorBackend.StateMismatches"/>); the comparison is the same for all.
/// </summary>
internal static class VcpuStateCompatibility
{
    /// <summary>Every way <paramref name="state"/> does not fit vCPUs with this XSAVE size and these supported XCR0 bits; empty when it fits.</summary>
    /// <param name="state">The captured state.</param>
    /// <param name="xsaveSize">Bytes of this host's XSAVE area, as the backend reports it.</param>
    /// <param name="supportedXcr0">The XCR0 bits this host's vCPUs support.</param>
    /// <param name="hypervisor">The hypervisor's name, for the messages.</param>
    public static List<string> Mismatches(VcpuState state, int xsaveSize, ulong supportedXcr0, string hypervisor)
    {
        var mismatches = new List<string>();
        if (state.Xsave.Length != xsaveSize)
        {
            mismatches.Add($"the XSAVE area is {state.Xsave.Length} bytes in the snapshot but {xsaveSize} bytes on this host");
        }

        if ((state.Xcr0 & ~supportedXcr0) != 0)
        {
            mismatches.Add($"XCR0 is 0x{state.Xcr0:x} in the snapshot, but this host's {hypervisor} supports only 0x{supportedXcr0:x}");
        }

        return mismatches;
    }
}
