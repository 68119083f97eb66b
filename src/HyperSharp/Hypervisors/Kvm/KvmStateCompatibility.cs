namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// Whether a vCPU state captured on some host fits this host's KVM vCPUs. A snapshot file binds architecture,
/// hypervisor and CPU vendor, but the XSAVE area's size and the XSAVE features (XCR0) vary between CPUs of one vendor
/// (AVX-512, AMX): KVM would refuse such a state in <c>KVM_SET_XSAVE</c> or <c>KVM_SET_XCRS</c>, after a VM was made
/// for it. Checked where a snapshot meets this host: <see cref="Sandbox.FromSnapshot"/>, <see cref="Sandbox.Restore(Snapshot)"/>
/// and, when KVM is there, <see cref="Snapshot.Load"/>.
/// </summary>
internal static class KvmStateCompatibility
{
    /// <summary>CPUID leaf 0xD subleaf 0: EDX:EAX is the XCR0 bits the CPU, as KVM offers it, supports.</summary>
    private const uint XsaveLeaf = 0xD;

    /// <summary>Every way <paramref name="state"/> does not fit <paramref name="device"/>; empty when it fits.</summary>
    public static List<string> Mismatches(VcpuState state, KvmDevice device)
    {
        var mismatches = new List<string>();
        if (state.Xsave.Length != device.XsaveSize)
        {
            mismatches.Add($"the XSAVE area is {state.Xsave.Length} bytes in the snapshot but {device.XsaveSize} bytes on this host");
        }

        var supported = SupportedXcr0(device);
        if ((state.Xcr0 & ~supported) != 0)
        {
            mismatches.Add($"XCR0 is 0x{state.Xcr0:x} in the snapshot, but this host's KVM supports only 0x{supported:x}");
        }

        return mismatches;
    }

    private static ulong SupportedXcr0(KvmDevice device)
    {
        foreach (var entry in device.GuestCpuid)
        {
            if (entry.Function == XsaveLeaf && entry.Index == 0)
            {
                return entry.Eax | ((ulong)entry.Edx << 32);
            }
        }

        // No XSAVE leaf: only x87 state, which XCR0 bit 0 stands for.
        return 1;
    }
}
