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
    public const nuint KVM_GET_SUPPORTED_CPUID = 0xC008AE05;

    // VM ioctls.
    public const nuint KVM_CREATE_VCPU = 0xAE41;
    public const nuint KVM_SET_USER_MEMORY_REGION = 0x4020AE46;

    // vCPU ioctls.
    public const nuint KVM_RUN = 0xAE80;
    public const nuint KVM_GET_REGS = 0x8090AE81;
    public const nuint KVM_SET_REGS = 0x4090AE82;
    public const nuint KVM_GET_SREGS = 0x8138AE83;
    public const nuint KVM_SET_SREGS = 0x4138AE84;
    public const nuint KVM_SET_CPUID2 = 0x4008AE90;

    /// <summary>The only API version this code speaks (stable since Linux 2.6.22).</summary>
    public const int KVM_API_VERSION = 12;
}
