namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// Whether a vCPU state captured on some host fits this host's KVM vCPUs (<see cref="VcpuStateCompatibility"/>): KVM
/// would refuse another XSAVE size in <c>KVM_SET_XSAVE</c> or unsupported XCR0 bits in <c>KVM_SET_XCRS</c>. Checked
/// where a snapshot meets this host: <see cref="Sandbox.FromSnapshot"/>, <see cref="Sandbox.Restore(Snapshot)"/> and,
/// when KVM is there, <see cref="Snapshot.Load"/>.
/// </summary>
internal static class KvmStateCompatibility
{
    /// <summary>CPUID leaf 0xD subleaf 0: EDX:EAX is the XCR0 bits the CPU, as KVM offers it, supports.</summary>
    private const uint XsaveLeaf = 0xD;

    /// <summary>Every way <paramref name="state"/> does not fit <paramref name="device"/>; empty when it fits.</summary>
    public static List<string> Mismatches(VcpuState state, KvmDevice device) =>
        VcpuStateCompatibility.Mismatches(state, device.XsaveSize, SupportedXcr0(device), "KVM");

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
