using HyperSharp.Hypervisors.Kvm;

namespace HyperSharp.Hypervisors.Whp;

/// <summary>
/// The MSRs a <see cref="VcpuState"/> carries on WHP, which exposes MSRs as named registers rather than by number: each
/// architectural MSR number (the same as on KVM, <see cref="KvmMsrs"/>) beside the register that holds it. These are the
/// guest-writable MSRs every WHP version names; the CET, XSS and SPEC_CTRL registers depend on processor features a
/// partition may not offer, and the paravirtual KVM MSRs do not exist here.
/// </summary>
internal static class WhpMsrs
{
    /// <summary>The MSRs, in the order they are captured and restored; the TSC is restored like the rest (see <see cref="KvmMsrs.VcpuState"/>).</summary>
    public static ReadOnlySpan<(uint Index, WhpRegister Register)> VcpuState => s_vcpuState;

    private static readonly (uint Index, WhpRegister Register)[] s_vcpuState =
    [
        (KvmMsrs.MSR_IA32_TSC, WhpRegister.WHvX64RegisterTsc),
        (KvmMsrs.MSR_IA32_SYSENTER_CS, WhpRegister.WHvX64RegisterSysenterCs),
        (KvmMsrs.MSR_IA32_SYSENTER_ESP, WhpRegister.WHvX64RegisterSysenterEsp),
        (KvmMsrs.MSR_IA32_SYSENTER_EIP, WhpRegister.WHvX64RegisterSysenterEip),
        (KvmMsrs.MSR_IA32_CR_PAT, WhpRegister.WHvX64RegisterPat),
        (KvmMsrs.MSR_STAR, WhpRegister.WHvX64RegisterStar),
        (KvmMsrs.MSR_LSTAR, WhpRegister.WHvX64RegisterLstar),
        (KvmMsrs.MSR_CSTAR, WhpRegister.WHvX64RegisterCstar),
        (KvmMsrs.MSR_SYSCALL_MASK, WhpRegister.WHvX64RegisterSfmask),
        (KvmMsrs.MSR_KERNEL_GS_BASE, WhpRegister.WHvX64RegisterKernelGsBase),
        (KvmMsrs.MSR_TSC_AUX, WhpRegister.WHvX64RegisterTscAux),
    ];
}
