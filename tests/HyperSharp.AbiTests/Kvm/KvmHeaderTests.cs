using System.Globalization;
using System.Runtime.CompilerServices;
using HyperSharp.Hypervisors;
using HyperSharp.Hypervisors.Kvm;
using Xunit;

namespace HyperSharp.AbiTests.Kvm;

/// <summary>Every struct and constant mirrored from &lt;linux/kvm.h&gt; equals the header's, with gcc as the oracle.</summary>
public sealed class KvmHeaderTests
{
    [Fact]
    public void StructSizesAndFieldOffsetsMatchTheHeader()
    {
        var asserts = new CAssertions("#include <linux/kvm.h>");
        asserts.Struct<StandardRegisters>("struct kvm_regs");
        asserts.Struct<SegmentRegister>("struct kvm_segment");
        asserts.Struct<DescriptorTable>("struct kvm_dtable", ("Padding0", "padding"), ("Padding1", "padding[1]"), ("Padding2", "padding[2]"));
        asserts.Struct<SpecialRegisters>("struct kvm_sregs", ("InterruptBitmap", "interrupt_bitmap"));
        asserts.Struct<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region");
        asserts.Struct<KvmCpuidEntry2>("struct kvm_cpuid_entry2", ("Padding0", "padding"), ("Padding1", "padding[1]"), ("Padding2", "padding[2]"));
        asserts.Struct<KvmCpuid2Header>("struct kvm_cpuid2");
        asserts.Struct<KvmDirtyLog>("struct kvm_dirty_log", ("DirtyBitmap", "dirty_bitmap"));
        asserts.Equal("KVM_MEM_LOG_DIRTY_PAGES", KvmDirtyLog.KVM_MEM_LOG_DIRTY_PAGES);
        asserts.Struct<KvmClearDirtyLog>("struct kvm_clear_dirty_log", ("DirtyBitmap", "dirty_bitmap"));
        asserts.Struct<KvmEnableCap>("struct kvm_enable_cap");
        asserts.Equal("KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE", (long)KvmEnableCap.KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
        asserts.Struct<KvmXsave>("struct kvm_xsave");
        asserts.Struct<KvmXcr>("struct kvm_xcr");
        asserts.Struct<KvmXcrs>("struct kvm_xcrs");
        asserts.Struct<KvmDebugregs>("struct kvm_debugregs");
        asserts.Struct<KvmMsrsHeader>("struct kvm_msrs");
        asserts.Equal("offsetof(struct kvm_msrs, entries)", Unsafe.SizeOf<KvmMsrsHeader>(), "the entries after KvmMsrsHeader");
        asserts.Struct<KvmMsrEntry>("struct kvm_msr_entry", ("Reserved", "reserved"));
        asserts.Struct<KvmMsrListHeader>("struct kvm_msr_list");
        asserts.Equal("offsetof(struct kvm_msr_list, indices)", Unsafe.SizeOf<KvmMsrListHeader>(), "the indices after KvmMsrListHeader");
        asserts.Struct<VcpuEvents>("struct kvm_vcpu_events",
            ("ExceptionInjected", "exception.injected"), ("ExceptionNr", "exception.nr"), ("ExceptionHasErrorCode", "exception.has_error_code"),
            ("ExceptionPending", "exception.pending"), ("ExceptionErrorCode", "exception.error_code"),
            ("InterruptInjected", "interrupt.injected"), ("InterruptNr", "interrupt.nr"), ("InterruptSoft", "interrupt.soft"), ("InterruptShadow", "interrupt.shadow"),
            ("NmiInjected", "nmi.injected"), ("NmiPending", "nmi.pending"), ("NmiMasked", "nmi.masked"), ("NmiPad", "nmi.pad"),
            ("SmiSmm", "smi.smm"), ("SmiPending", "smi.pending"), ("SmiSmmInsideNmi", "smi.smm_inside_nmi"), ("SmiLatchedInit", "smi.latched_init"),
            ("TripleFaultPending", "triple_fault.pending"));
        asserts.Offsets<KvmRun>("struct kvm_run",
            ("RequestInterruptWindow", "request_interrupt_window"), ("ImmediateExit", "immediate_exit"), ("ExitReason", "exit_reason"),
            ("IoDirection", "io.direction"), ("IoSize", "io.size"), ("IoPort", "io.port"), ("IoCount", "io.count"), ("IoDataOffset", "io.data_offset"),
            ("MmioPhysAddr", "mmio.phys_addr"), ("MmioLen", "mmio.len"), ("MmioIsWrite", "mmio.is_write"),
            ("FailEntryHardwareReason", "fail_entry.hardware_entry_failure_reason"), ("InternalSuberror", "internal.suberror"),
            ("KvmValidRegs", "kvm_valid_regs"), ("KvmDirtyRegs", "kvm_dirty_regs"), ("SyncRegs", "s.regs"));
        asserts.Struct<KvmSyncRegs>("struct kvm_sync_regs");
        asserts.CompileOrFail();
    }

    [Fact]
    public void IoctlNumbersCapabilitiesAndExitReasonsMatchTheHeader()
    {
        var asserts = new CAssertions("#include <linux/kvm.h>");
        asserts.ConstantsOf(typeof(KvmIoctls));
        asserts.ConstantsOf(typeof(KvmRun));
        asserts.ConstantsOf(typeof(KvmXcrs));
        foreach (var capability in Enum.GetValues<KvmCapability>())
        {
            asserts.Equal(capability.ToString(), (long)capability);
        }

        asserts.CompileOrFail();
    }

    [Fact]
    public void KvmParavirtualMsrNumbersMatchTheHeader()
    {
        var asserts = new CAssertions("#include <asm/kvm_para.h>");
        foreach (var field in typeof(KvmMsrs).GetFields().Where(f => f.IsLiteral && f.Name.StartsWith("MSR_KVM_", StringComparison.Ordinal)))
        {
            asserts.Equal(field.Name, Convert.ToInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture), $"KvmMsrs.{field.Name}");
        }

        asserts.CompileOrFail();
    }

    [Fact]
    public void TheOracleCatchesAMismatch()
    {
        var asserts = new CAssertions("#include <linux/kvm.h>");
        asserts.Equal("sizeof(struct kvm_regs)", Unsafe.SizeOf<StandardRegisters>() + 8);
        GccCompiler.SkipUnlessAvailable();
        Assert.NotEqual(0, asserts.Compile().ExitCode);
    }
}
