using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors;

/// <summary>
/// The general-purpose registers of an x86-64 vCPU. The layout is <c>struct kvm_regs</c> so the KVM
/// backend passes it to the kernel as is; other backends convert.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StandardRegisters
{
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}
