using System.Collections.Immutable;

namespace HyperSharp.Hypervisors;

/// <summary>
/// Immutable copy of everything guest-visible in one vCPU, from <see cref="IVirtualMachine.CaptureState"/>;
/// <see cref="IVirtualMachine.RestoreState"/> puts all of it back, on the same VM or another one made by the same backend.
/// </summary>
internal sealed class VcpuState
{
    /// <summary>General-purpose registers, RIP and RFLAGS.</summary>
    public required StandardRegisters Registers { get; init; }

    /// <summary>Segment (FS/GS bases included), descriptor-table, control registers, EFER, APIC base.</summary>
    public required SpecialRegisters SpecialRegisters { get; init; }

    /// <summary>
    /// The XSAVE area as the backend reports it, and as long. On KVM the standard format (4 KiB unless larger components are
    /// enabled): x87 (FCW at byte 0), MXCSR at 24, XMM0–15 from 160, the XSAVE header (XSTATE_BV) at 512, then AVX and later
    /// components. On WHP whatever <c>WHvGetVirtualProcessorXsaveState</c> returns, whose format is not documented: the
    /// area only ever goes back to the backend that captured it (snapshot files record the backend).
    /// </summary>
    public required ImmutableArray<byte> Xsave { get; init; }

    /// <summary>XCR0, the enabled XSAVE feature set.</summary>
    public required ulong Xcr0 { get; init; }

    /// <summary>DR0–DR3, DR6, DR7.</summary>
    public required DebugRegisters DebugRegisters { get; init; }

    /// <summary>Every guest-writable MSR the backend carries, in the backend's order (see <c>KvmMsrs</c>).</summary>
    public required ImmutableArray<MsrValue> Msrs { get; init; }

    /// <summary>Pending/injected exceptions, interrupt shadow, NMI masking.</summary>
    public required VcpuEvents Events { get; init; }
}

/// <summary>One model-specific register and its value.</summary>
internal record struct MsrValue(uint Index, ulong Value);
