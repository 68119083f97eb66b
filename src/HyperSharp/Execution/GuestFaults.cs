using HyperSharp.Hypervisors;
using HyperSharp.Memory;

namespace HyperSharp.Execution;

/// <summary>Turns the registers of an <c>HS_PORT_FAULT</c> exit into a <see cref="GuestFaultException"/> a person can read.</summary>
internal static class GuestFaults
{
    private const int PageFault = 14;

    private static readonly string[] s_vectorNames =
    [
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded", "invalid opcode",
        "device not available", "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
        "stack-segment fault", "general protection fault", "page fault", "reserved", "x87 floating-point error",
        "alignment check", "machine check", "SIMD floating-point error", "virtualization exception",
        "control protection exception",
    ];

    /// <summary>RAX = vector, R8 = error code, R9 = RIP, R10 = RSP, R11 = CR2 (docs/guest-abi.md §4).</summary>
    public static GuestFaultException FromRegisters(in StandardRegisters registers, MemoryLayout layout)
    {
        var vector = (int)(registers.Rax & 0xFF);
        var errorCode = registers.R8;
        var rip = registers.R9;
        var rsp = registers.R10;
        var cr2 = vector == PageFault ? registers.R11 : 0;
        var stackOverflow = vector == PageFault && cr2 >= layout.StackGuardPage && cr2 < layout.StackBase;
        var name = vector < s_vectorNames.Length ? s_vectorNames[vector] : "exception";
        var article = "aeiou".Contains(name[0], StringComparison.Ordinal) ? "an" : "a";
        var message = $"The guest raised {article} {name} (vector {vector}) at RIP 0x{rip:x}";
        if (vector == PageFault)
        {
            message += ": " + DescribePageFault(errorCode, cr2, stackOverflow);
        }
        else if (errorCode != 0)
        {
            message += $", error code 0x{errorCode:x}";
        }

        return new GuestFaultException(message + ".", vector, errorCode, rip, rsp, cr2, stackOverflow);
    }

    /// <summary>A triple fault: the guest could not even report its exception.</summary>
    public static GuestFaultException TripleFault(in StandardRegisters registers) =>
        new($"The guest triple-faulted (vCPU shutdown) near RIP 0x{registers.Rip:x}; its exception handlers could not run.",
            -1, 0, registers.Rip, registers.Rsp, 0, false);

    private static string DescribePageFault(ulong errorCode, ulong address, bool stackOverflow)
    {
        var present = (errorCode & 1) != 0;
        var write = (errorCode & 2) != 0;
        var fetch = (errorCode & 16) != 0;
        var access = fetch ? "instruction fetch from" : write ? "write to" : "read from";
        if (stackOverflow)
        {
            return $"stack overflow ({access} the guard page at 0x{address:x} below the stack)";
        }

        if (address < GuestAbi.PageSize)
        {
            return $"NULL pointer dereference ({access} 0x{address:x})";
        }

        var why = !present ? "an unmapped page"
            : fetch ? "a non-executable page"
            : write ? "a read-only page"
            : "a protected page";
        return $"{access} 0x{address:x}, {why}";
    }
}
