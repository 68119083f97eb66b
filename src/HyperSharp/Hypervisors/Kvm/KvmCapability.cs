namespace HyperSharp.Hypervisors.Kvm;

/// <summary>Capability numbers for <c>KVM_CHECK_EXTENSION</c> (<c>KVM_CAP_*</c>).</summary>
internal enum KvmCapability
{
    KVM_CAP_USER_MEMORY = 3,
    KVM_CAP_EXT_CPUID = 7,
    KVM_CAP_VCPU_EVENTS = 41,
    KVM_CAP_DEBUGREGS = 50,
    KVM_CAP_XSAVE = 55,
    KVM_CAP_XCRS = 56,
    KVM_CAP_SYNC_REGS = 74,
    KVM_CAP_READONLY_MEM = 81,
    KVM_CAP_IMMEDIATE_EXIT = 136,
    KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168,
    KVM_CAP_XSAVE2 = 208,
}
