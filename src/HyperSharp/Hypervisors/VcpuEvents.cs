using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HyperSharp.Hypervisors;

/// <summary>
/// Events in flight in a vCPU: a pending or injected exception, interrupt and NMI, the interrupt shadow after
/// <c>STI</c>/<c>MOV SS</c>, NMI masking, SMM. Layout of <c>struct kvm_vcpu_events</c>; <see cref="Flags"/> says
/// which fields are valid, and what <c>KVM_GET_VCPU_EVENTS</c> returns is accepted back by <c>KVM_SET_VCPU_EVENTS</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VcpuEvents
{
    public byte ExceptionInjected, ExceptionNr, ExceptionHasErrorCode, ExceptionPending;
    public uint ExceptionErrorCode;
    public byte InterruptInjected, InterruptNr, InterruptSoft, InterruptShadow;
    public byte NmiInjected, NmiPending, NmiMasked, NmiPad;
    public uint SipiVector;
    public uint Flags;
    public byte SmiSmm, SmiPending, SmiSmmInsideNmi, SmiLatchedInit;
    public byte TripleFaultPending;
    public ReservedArray Reserved;
    public byte ExceptionHasPayload;
    public ulong ExceptionPayload;

    /// <summary><c>__u8 reserved[26]</c>.</summary>
    [InlineArray(26)]
    public struct ReservedArray
    {
        private byte _element0;
    }
}
