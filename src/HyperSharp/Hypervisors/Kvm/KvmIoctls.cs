namespace HyperSharp.Hypervisors.Kvm;

/// <summary>
/// ioctl request numbers from <c>&lt;linux/kvm.h&gt;</c> for x86-64, precomputed from
/// <c>_IO/_IOR/_IOW/_IOWR(KVMIO = 0xAE, nr, type)</c>. Checked against the header by the ABI tests.
/// </summary>
internal static class KvmIoctls
{
    // System ioctls (/dev/kvm).
    public const nuint KVM_GET_API_VERSION = 0xAE00;
    public const nuint KVM_CREATE_VM = 0xAE01;
    public const nuint KVM_CHECK_EXTENSION = 0xAE03;
    public const nuint KVM_GET_VCPU_MMAP_SIZE = 0xAE04;
    public const nuint KVM_GET_MSR_INDEX_LIST = 0xC004AE02;
    public const nuint KVM_GET_SUPPORTED_CPUID = 0xC008AE05;

    // VM ioctls.
    public const nuint KVM_CREATE_VCPU = 0xAE41;
    public const nuint KVM_SET_USER_MEMORY_REGION = 0x4020AE46;
    public const nuint KVM_GET_DIRTY_LOG = 0x4010AE42;
    public const nuint KVM_CLEAR_DIRTY_LOG = 0xC018AEC0;
    public const nuint KVM_ENABLE_CAP = 0x4068AEA3;

    // vCPU ioctls.
    public const nuint KVM_RUN = 0xAE80;
    public const nuint KVM_GET_REGS = 0x8090AE81;
    public const nuint KVM_SET_REGS = 0x4090AE82;
    public const nuint KVM_GET_SREGS = 0x8138AE83;
    public const nuint KVM_SET_SREGS = 0x4138AE84;
    public const nuint KVM_GET_MSRS = 0xC008AE88;
    public const nuint KVM_SET_MSRS = 0x4008AE89;
    public const nuint KVM_SET_CPUID2 = 0x4008AE90;
    public const nuint KVM_GET_VCPU_EVENTS = 0x8040AE9F;
    public const nuint KVM_SET_VCPU_EVENTS = 0x4040AEA0;
    public const nuint KVM_GET_DEBUGREGS = 0x8080AEA1;
    public const nuint KVM_SET_DEBUGREGS = 0x4080AEA2;
    public const nuint KVM_GET_XSAVE = 0x9000AEA4;
    public const nuint KVM_SET_XSAVE = 0x5000AEA5;
    public const nuint KVM_GET_XCRS = 0x8188AEA6;
    public const nuint KVM_SET_XCRS = 0x4188AEA7;
    public const nuint KVM_GET_XSAVE2 = 0x9000AECF;
    public const nuint KVM_GET_TSC_KHZ = 0xAEA3;

    /// <summary>The only API version this code speaks (stable since Linux 2.6.22).</summary>
    public const int KVM_API_VERSION = 12;
}
