namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// The MSRs a <see cref="VcpuState"/> carries on KVM: those guest code can write (WRMSR in ring 0) whose value
/// outlives the code that wrote it, and which KVM lets the host write back. Names are the kernel's
/// (<c>arch/x86/include/asm/msr-index.h</c>; the <c>MSR_KVM_*</c> ones are in <c>&lt;asm/kvm_para.h&gt;</c>).
/// <see cref="KvmDevice"/> keeps those <c>KVM_GET_MSR_INDEX_LIST</c> lists on the host.
/// </summary>
/// <remarks>
/// Deliberately absent:
/// <list type="bullet">
/// <item>FS_BASE and GS_BASE (0xC0000100/1): KVM does not list them; they are the FS/GS bases in <see cref="SpecialRegisters"/>.</item>
/// <item>MSR_KVM_WALL_CLOCK(_NEW): writing one makes KVM write the wall clock into guest memory at once, so restoring it would dirty guest memory.</item>
/// <item>MSR_KVM_ASYNC_PF_EN/_INT/_ACK, MSR_KVM_PV_EOI_EN, IA32_TSC_DEADLINE: need an in-kernel LAPIC, which HyperSharp never creates, so no guest can set them.</item>
/// <item>Read-only or host-only MSRs (ARCH_CAPABILITIES, PERF_CAPABILITIES, PLATFORM_INFO, UCODE_REV, SMI_COUNT, LBR records, DE_CFG).</item>
/// </list>
/// </remarks>
internal static class KvmMsrs
{
    public const uint MSR_IA32_TSC = 0x10;
    public const uint MSR_KVM_SYSTEM_TIME = 0x12;
    public const uint MSR_IA32_TSC_ADJUST = 0x3B;
    public const uint MSR_IA32_SPEC_CTRL = 0x48;
    public const uint MSR_MISC_FEATURES_ENABLES = 0x140;
    public const uint MSR_IA32_SYSENTER_CS = 0x174;
    public const uint MSR_IA32_SYSENTER_ESP = 0x175;
    public const uint MSR_IA32_SYSENTER_EIP = 0x176;
    public const uint MSR_IA32_MCG_STATUS = 0x17A;
    public const uint MSR_IA32_MCG_CTL = 0x17B;
    public const uint MSR_IA32_MISC_ENABLE = 0x1A0;
    public const uint MSR_IA32_POWER_CTL = 0x1FC;
    public const uint MSR_IA32_DEBUGCTLMSR = 0x1D9;
    public const uint MSR_IA32_CR_PAT = 0x277;
    public const uint MSR_IA32_U_CET = 0x6A0;
    public const uint MSR_IA32_S_CET = 0x6A2;
    public const uint MSR_IA32_PL0_SSP = 0x6A4;
    public const uint MSR_IA32_PL1_SSP = 0x6A5;
    public const uint MSR_IA32_PL2_SSP = 0x6A6;
    public const uint MSR_IA32_PL3_SSP = 0x6A7;
    public const uint MSR_IA32_INT_SSP_TAB = 0x6A8;
    public const uint MSR_IA32_XSS = 0xDA0;
    public const uint MSR_STAR = 0xC000_0081;
    public const uint MSR_LSTAR = 0xC000_0082;
    public const uint MSR_CSTAR = 0xC000_0083;
    public const uint MSR_SYSCALL_MASK = 0xC000_0084;
    public const uint MSR_KERNEL_GS_BASE = 0xC000_0102;
    public const uint MSR_TSC_AUX = 0xC000_0103;
    public const uint MSR_K7_HWCR = 0xC001_0015;
    public const uint MSR_VM_HSAVE_PA = 0xC001_0117;
    public const uint MSR_KVM_SYSTEM_TIME_NEW = 0x4B56_4D01;
    public const uint MSR_KVM_STEAL_TIME = 0x4B56_4D03;
    public const uint MSR_KVM_POLL_CONTROL = 0x4B56_4D05;

    /// <summary>
    /// The candidates, in the order they are captured and restored. The TSC is restored too, so a guest's TSC
    /// continues from the snapshot's value: its time jumps back to the snapshot's, consistent with its memory.
    /// Leaving it would let a guest that wrote it (or TSC_ADJUST) pass a value across a restore, and let the guest see
    /// how long the sandbox lived since the snapshot. KVM's TSC-sync heuristic may keep up to one second of drift when
    /// the host writes a TSC within a second of its previous write; a guest's own write is undone either way.
    /// </summary>
    public static ReadOnlySpan<uint> VcpuState =>
    [
        MSR_IA32_TSC_ADJUST, MSR_IA32_TSC,
        MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
        MSR_IA32_CR_PAT,
        MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
        MSR_IA32_SPEC_CTRL, MSR_IA32_XSS, MSR_IA32_DEBUGCTLMSR,
        MSR_MISC_FEATURES_ENABLES, MSR_IA32_MISC_ENABLE, MSR_IA32_POWER_CTL, MSR_K7_HWCR,
        MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
        MSR_IA32_U_CET, MSR_IA32_S_CET, MSR_IA32_PL0_SSP, MSR_IA32_PL1_SSP, MSR_IA32_PL2_SSP, MSR_IA32_PL3_SSP, MSR_IA32_INT_SSP_TAB,
        MSR_VM_HSAVE_PA,
        MSR_KVM_SYSTEM_TIME, MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_STEAL_TIME, MSR_KVM_POLL_CONTROL,
    ];
}
