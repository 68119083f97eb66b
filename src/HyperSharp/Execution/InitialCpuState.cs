using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>The vCPU state at the guest's entry point: 64-bit long mode, ring 3 (docs/guest-abi.md §3).</summary>
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

    /// <summary>Ring 3: the DPL of the guest's segments and the RPL of its selectors.</summary>
    private const byte UserPrivilege = 3;

    /// <summary>
    /// Fills in segments, tables and control registers on top of the vCPU's reset state: guest code runs in ring 3
    /// from its first instruction, on the DPL-3 code and data segments, with IOPL 0, so privileged instructions
    /// and every port the TSS I/O bitmap keeps closed raise #GP. The IDT and GDT name the host's tables; FS base is
    /// the thread pointer.
    /// </summary>
    public static SpecialRegisters SpecialRegisters(SpecialRegisters reset, ulong threadPointer)
    {
        var code = new SegmentRegister
        {
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Selector = GuestAbi.SelectorUserCode | UserPrivilege,
            Type = 0xB,
            Present = 1,
            Dpl = UserPrivilege,
            Db = 0,
            S = 1,
            L = 1,
            G = 1,
        };
        var data = new SegmentRegister
        {
            Base = 0,
            Limit = 0xFFFF_FFFF,
            Selector = GuestAbi.SelectorUserData | UserPrivilege,
            Type = 0x3,
            Present = 1,
            Dpl = UserPrivilege,
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
        sregs.Idt = new DescriptorTable { Base = GuestAbi.IdtAddress, Limit = InterruptTable.Limit };
        sregs.Cr0 = Cr0;
        sregs.Cr3 = GuestAbi.PageTablesAddress;
        sregs.Cr4 = Cr4;
        sregs.Efer = Efer;
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
