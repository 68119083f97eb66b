using System.Collections.Immutable;
using System.Runtime.InteropServices;
using HyperSharp.Hypervisors;
using HyperSharp.Hypervisors.Kvm;
using Xunit;

namespace HyperSharp.IntegrationTests.Hypervisors;

/// <summary>CaptureState/RestoreState on real KVM VMs: every component changed, then put back exactly.</summary>
public sealed class VcpuStateTests
{
    // XSAVE area offsets (Intel SDM vol. 1, 13.4): legacy region, then the header.
    private const int Fcw = 0, Mxcsr = 24, Xmm0 = 160, Xmm15 = 160 + (15 * 16), XstateBv = 512;

    /// <summary>TSC ticks between a restore and the next capture: 2^36 cycles is tens of seconds at any clock rate.</summary>
    private const ulong TscSlack = 1UL << 36;

    /// <summary>
    /// A value KVM accepts for each MSR (canonical addresses, valid PAT types), different from a fresh vCPU's. Not here:
    /// MSRs whose accepted values depend on the host (MCG_CTL, DEBUGCTL; VM_HSAVE_PA, whose writes kvm_pvm drops).
    /// </summary>
    private static readonly Dictionary<uint, ulong> s_changedMsrs = new()
    {
        [KvmMsrs.MSR_IA32_TSC_ADJUST] = 0x1234,
        [KvmMsrs.MSR_IA32_SYSENTER_CS] = 0x10,
        [KvmMsrs.MSR_IA32_SYSENTER_ESP] = 0xFFFF_8000_0000_1000,
        [KvmMsrs.MSR_IA32_SYSENTER_EIP] = 0x0000_7FFF_0000_2000,
        [KvmMsrs.MSR_IA32_CR_PAT] = 0x0606_0606_0606_0606,
        [KvmMsrs.MSR_STAR] = 0x0023_0010_0000_0000,
        [KvmMsrs.MSR_LSTAR] = 0xFFFF_8000_0000_3000,
        [KvmMsrs.MSR_CSTAR] = 0xFFFF_8000_0000_4000,
        [KvmMsrs.MSR_SYSCALL_MASK] = 0x4_7700,
        [KvmMsrs.MSR_KERNEL_GS_BASE] = 0x1000,
        [KvmMsrs.MSR_TSC_AUX] = 7,
        [KvmMsrs.MSR_MISC_FEATURES_ENABLES] = 1, // CPUID faulting
        [KvmMsrs.MSR_IA32_POWER_CTL] = 1,
        [KvmMsrs.MSR_K7_HWCR] = 1UL << 18, // McStatusWrEn
        [KvmMsrs.MSR_IA32_MCG_STATUS] = 1,
        [KvmMsrs.MSR_KVM_SYSTEM_TIME] = 0x2000, // bit 0 clear: stored, kvmclock stays off
        [KvmMsrs.MSR_KVM_SYSTEM_TIME_NEW] = 0x2000, // the same register as the old number
        [KvmMsrs.MSR_KVM_STEAL_TIME] = 0x3000,
    };

    /// <summary>The MSRs KVM always lists (msrs_to_save_base), which every state must carry.</summary>
    private static readonly uint[] s_alwaysCarried =
    [
        KvmMsrs.MSR_IA32_TSC, KvmMsrs.MSR_IA32_SYSENTER_CS, KvmMsrs.MSR_IA32_SYSENTER_ESP, KvmMsrs.MSR_IA32_SYSENTER_EIP,
        KvmMsrs.MSR_IA32_CR_PAT, KvmMsrs.MSR_STAR, KvmMsrs.MSR_LSTAR, KvmMsrs.MSR_CSTAR, KvmMsrs.MSR_SYSCALL_MASK, KvmMsrs.MSR_KERNEL_GS_BASE,
    ];

    [KvmFact]
    public void RestoreReturnsEveryComponentToTheCapture()
    {
        using var vm = new KvmVirtualMachine(KvmDevice.Shared);
        var original = vm.CaptureState();
        Assert.All(s_alwaysCarried, index => Assert.Contains(original.Msrs, m => m.Index == index));

        Modify(vm, original);
        var modified = vm.CaptureState();
        AssertEveryComponentChanged(original, modified);

        vm.RestoreState(original);
        AssertSameState(original, vm.CaptureState());
    }

    [KvmFact]
    public void StateRestoresOntoAFreshVm()
    {
        using var source = new KvmVirtualMachine(KvmDevice.Shared);
        Modify(source, source.CaptureState());
        var state = source.CaptureState();

        using var target = new KvmVirtualMachine(KvmDevice.Shared);
        var fresh = target.CaptureState();
        target.RestoreState(state);
        var restored = target.CaptureState();

        AssertEveryComponentChanged(fresh, restored);
        AssertSameState(state, restored);
    }

    [KvmFact]
    public void StateIsACopyTheVcpuCannotChange()
    {
        using var vm = new KvmVirtualMachine(KvmDevice.Shared);
        var state = vm.CaptureState();
        var xsave = state.Xsave.ToArray();
        var msrs = state.Msrs.ToArray();

        state.Xsave.ToArray()[Mxcsr] ^= 0xFF; // an array handed out is a copy
        Modify(vm, state); // the vCPU changing does not reach a captured state

        Assert.NotEqual(xsave, vm.CaptureState().Xsave.ToArray());
        Assert.Equal(xsave, state.Xsave.ToArray());
        Assert.Equal(msrs, state.Msrs.ToArray());
    }

    [KvmFact]
    public void ARefusedMsrIsNamed()
    {
        using var vm = new KvmVirtualMachine(KvmDevice.Shared);
        var state = vm.CaptureState();
        var nonCanonical = With(state, msrs: [.. state.Msrs.Select(m => m.Index == KvmMsrs.MSR_LSTAR ? m with { Value = 1UL << 63 } : m)]);

        var e = Assert.Throws<HypervisorException>(() => vm.RestoreState(nonCanonical));
        Assert.Equal("KVM_SET_MSRS of MSR 0xC0000082", e.Operation);
    }

    [KvmFact]
    public void AnXsaveAreaOfTheWrongSizeIsRejected()
    {
        using var vm = new KvmVirtualMachine(KvmDevice.Shared);
        var state = vm.CaptureState();
        Assert.Throws<ArgumentException>(() => vm.RestoreState(With(state, xsave: [.. state.Xsave, 0])));
    }

    /// <summary>Changes every component: registers through the register setters, the rest through RestoreState's setters.</summary>
    private static void Modify(KvmVirtualMachine vm, VcpuState state)
    {
        var xsave = state.Xsave.ToArray();
        BitConverter.TryWriteBytes(xsave.AsSpan(Fcw), (ushort)0x027F);
        BitConverter.TryWriteBytes(xsave.AsSpan(Mxcsr), 0x9F80u); // default | flush-to-zero
        xsave.AsSpan(Xmm0, 16).Fill(0x5A);
        xsave.AsSpan(Xmm15, 16).Fill(0xA5);
        xsave[XstateBv] |= 0b11; // x87 and SSE are not in their init state

        var events = state.Events;
        events.NmiMasked = 1;
        events.InterruptShadow = 1;

        vm.RestoreState(With(state,
            xsave: ImmutableCollectionsMarshal.AsImmutableArray(xsave),
            xcr0: 0b11, // x87 | SSE
            debug: new DebugRegisters(0x1000, 0x2000, 0x3000, 0x4000, 0xFFFF_0FF1, 0x455),
            msrs: [.. state.Msrs.Select(m => m.Index == KvmMsrs.MSR_IA32_TSC ? m with { Value = m.Value + (1UL << 50) }
                : s_changedMsrs.TryGetValue(m.Index, out var value) ? m with { Value = value } : m)],
            events: events));

        var registers = state.Registers;
        registers.Rax = 0x1122_3344_5566_7788;
        registers.R15 = 0x8877_6655_4433_2211;
        registers.Rip = 0x40_1000;
        vm.SetRegisters(registers);

        var special = state.SpecialRegisters;
        special.Cr2 = 0xDEAD_B000;
        special.Fs.Base = 0x7000_0000;
        special.Gs.Base = 0x7100_0000;
        vm.SetSpecialRegisters(special);
    }

    private static VcpuState With(VcpuState state, ImmutableArray<byte>? xsave = null, ulong? xcr0 = null, DebugRegisters? debug = null,
        ImmutableArray<MsrValue>? msrs = null, VcpuEvents? events = null) => new()
        {
            Registers = state.Registers,
            SpecialRegisters = state.SpecialRegisters,
            Xsave = xsave ?? state.Xsave,
            Xcr0 = xcr0 ?? state.Xcr0,
            DebugRegisters = debug ?? state.DebugRegisters,
            Msrs = msrs ?? state.Msrs,
            Events = events ?? state.Events,
        };

    private static void AssertEveryComponentChanged(VcpuState before, VcpuState after)
    {
        Assert.False(Bytes(before.Registers).SequenceEqual(Bytes(after.Registers)), "registers unchanged");
        Assert.False(Bytes(before.SpecialRegisters).SequenceEqual(Bytes(after.SpecialRegisters)), "special registers unchanged");
        Assert.NotEqual(BitConverter.ToUInt32(before.Xsave.AsSpan()[Mxcsr..]), BitConverter.ToUInt32(after.Xsave.AsSpan()[Mxcsr..]));
        Assert.Equal(0x9F80u, BitConverter.ToUInt32(after.Xsave.AsSpan()[Mxcsr..]));
        Assert.Equal(0x5A, after.Xsave[Xmm0]);
        Assert.Equal(0xA5, after.Xsave[Xmm15 + 15]);
        Assert.Equal(0x027F, BitConverter.ToUInt16(after.Xsave.AsSpan()[Fcw..]));
        Assert.Equal(0b11UL, after.Xcr0);
        Assert.NotEqual(before.Xcr0, after.Xcr0);
        Assert.Equal(new DebugRegisters(0x1000, 0x2000, 0x3000, 0x4000, 0xFFFF_0FF1, 0x455), after.DebugRegisters);
        Assert.NotEqual(before.DebugRegisters, after.DebugRegisters);
        Assert.Equal(1, after.Events.NmiMasked);
        Assert.Equal(1, after.Events.InterruptShadow);
        Assert.Equal(before.Msrs.Select(m => m.Index), after.Msrs.Select(m => m.Index));
        var problems = new List<string>();
        foreach (var (old, msr) in before.Msrs.Zip(after.Msrs))
        {
            if (msr.Index == KvmMsrs.MSR_IA32_TSC)
            {
                // Moved by the 2^50 written, or (kvm_pvm: the guest reads the host's TSC natively) ignored and still ticking.
                var delta = msr.Value - old.Value;
                if (delta - (1UL << 50) > TscSlack && delta > TscSlack)
                {
                    problems.Add($"TSC moved by 0x{delta:X}");
                }
            }
            else if (s_changedMsrs.TryGetValue(msr.Index, out var value) && (value != msr.Value || old.Value == value))
            {
                problems.Add($"MSR 0x{msr.Index:X} was 0x{old.Value:X}, wrote 0x{value:X}, reads 0x{msr.Value:X}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static void AssertSameState(VcpuState expected, VcpuState actual)
    {
        Assert.True(Bytes(expected.Registers).SequenceEqual(Bytes(actual.Registers)), "registers differ");
        Assert.True(Bytes(expected.SpecialRegisters).SequenceEqual(Bytes(actual.SpecialRegisters)), "special registers differ");
        var differs = expected.Xsave.AsSpan().CommonPrefixLength(actual.Xsave.AsSpan());
        Assert.True(expected.Xsave.Length == actual.Xsave.Length && differs == expected.Xsave.Length, $"XSAVE areas differ at byte {differs}");
        Assert.Equal(expected.Xcr0, actual.Xcr0);
        Assert.Equal(expected.DebugRegisters, actual.DebugRegisters);
        Assert.True(Bytes(expected.Events).SequenceEqual(Bytes(actual.Events)), "vCPU events differ");
        Assert.Equal(expected.Msrs.Select(m => m.Index), actual.Msrs.Select(m => m.Index));
        foreach (var (want, got) in expected.Msrs.Zip(actual.Msrs))
        {
            if (want.Index == KvmMsrs.MSR_IA32_TSC)
            {
                Assert.InRange(got.Value - want.Value, 0UL, TscSlack); // it ticks from the restored value
            }
            else
            {
                Assert.True(want == got, $"MSR 0x{want.Index:X} is 0x{got.Value:X}, captured 0x{want.Value:X}");
            }
        }
    }

    /// <summary>Compares structs whole: ValueType.Equals on a struct with an InlineArray field compares only its first element.</summary>
    private static byte[] Bytes<T>(T value)
        where T : unmanaged => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref value, 1)).ToArray();
}
