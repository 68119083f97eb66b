using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>The vCPU state at the guest's entry point: 64-bit long mode, ring 0 (docs/guest-abi.md §3).</summary>
internal static class InitialCpuState
{
    private const ulong Cr0ProtectionEnable = 1UL << 0;
    private const ulong Cr0MonitorCoprocessor = 1UL << 1;
    private const ulong Cr0ExtensionType = 1UL << 4;
    private const ulong Cr0NumericError = 1UL << 5;
    private const ulong Cr0WriteProtect = 1UL << 16;
    private const ulong Cr0AlignmentMask = 1UL << 18;
    private const ulong Cr0Paging = 1UL << 31;
    private const ulong Cr4Pae = 1UL << 5;
    private const ulong Cr4OsFxsr = 1UL << 9;
    private const ulong Cr4OsXmmExcept = 1UL << 10;
    private const ulong EferLongModeEnable = 1UL << 8;
    private const ulong EferLongModeActive = 1UL << 10;
    private const ulong EferNoExecuteEnable = 1UL << 11;

    public const ulong Cr0 = Cr0ProtectionEnable | Cr0MonitorCoprocessor | Cr0ExtensionType | Cr0NumericError
        | Cr0WriteProtect | Cr0AlignmentMask | Cr0Paging;

    public const ulong Cr4 = Cr4Pae | Cr4OsFxsr | Cr4OsXmmExcept;

    public const ulong Efer = EferLongModeEnable | EferLongModeActive | EferNoExecuteEnable;

    /// <summary>Fills in segments, tables and control registers on top of the vCPU's reset state; FS base is the thread pointer.</summary>
    public static SpecialRegisters SpecialRegisters(SpecialRegisters reset, ulong threadPointer)
    {
        var code = new SegmentRegister
        {
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Selector = GuestAbi.SelectorCode,
            Type = 0xB,
            Present = 1,
            Dpl = 0,
            Db = 0,
            S = 1,
            L = 1,
            G = 1,
        };
        var data = new SegmentRegister
        {
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Selector = GuestAbi.SelectorData,
            Type = 0x3,
            Present = 1,
            Dpl = 0,
            Db = 1,
            S = 1,
            L = 0,
            G = 1,
        };
        var sregs = reset;
        sregs.Cs = code;
        sregs.Ds = sregs.Es = sregs.Fs = sregs.Gs = sregs.Ss = data;
        sregs.Fs.Base = threadPointer;
        sregs.Tr = new SegmentRegister
        {
            Base = SystemTables.TssAddress,
            Limit = SystemTables.TssLimit,
            Selector = GuestAbi.SelectorTss,
            Type = 0xB,
            Present = 1,
            S = 0,
        };
        sregs.Gdt = new DescriptorTable { Base = GuestAbi.GdtAddress, Limit = SystemTables.GdtLimit };
        sregs.Idt = default;
        sregs.Cr0 = Cr0;
        sregs.Cr3 = GuestAbi.PageTablesAddress;
        sregs.Cr4 = Cr4;
        sregs.Efer = Efer;
        return sregs;
    }

    /// <summary>
    /// Ring 3 for the guest's code after its entry stub: user code and stack segments. IOPL stays 0; the
    /// TSS I/O bitmap opens only HyperSharp's ports, so any other port access faults.
    /// </summary>
    public static SpecialRegisters UserModeSpecialRegisters(SpecialRegisters current)
    {
        var sregs = current;
        sregs.Cs.Selector = GuestAbi.SelectorUserCode | 3;
        sregs.Cs.Dpl = 3;
        sregs.Ss.Selector = sregs.Ds.Selector = sregs.Es.Selector = GuestAbi.SelectorUserData | 3;
        sregs.Ss.Dpl = sregs.Ds.Dpl = sregs.Es.Dpl = 3;
        return sregs;
    }

    /// <summary>RIP at the entry point, RSP at the stack top, RDI = the PEB address, interrupts off.</summary>
    public static StandardRegisters EntryRegisters(ulong entryPoint, MemoryLayout layout) => new()
    {
        Rip = entryPoint,
        Rsp = layout.StackTop,
        Rdi = GuestAbi.PebAddress,
        Rflags = 0x2,
    };
}
