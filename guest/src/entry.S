/*
 * The ELF entry point. The host starts the vCPU here, already in ring 3, with RDI = PEB address and
 * RSP = 16-byte aligned stack top (no return address). The host owns the IDT and the exception
 * handlers (docs/guest-abi.md §3), so a fault from the very first instruction on reaches it as
 * HS_PORT_FAULT; there is nothing to set up before the C code.
 */
    .section .text.unlikely, "ax", @progbits  /* off the pages every call runs (internal.h, HS_COLD) */
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp            /* terminates frame-pointer walks */
    call hs_start             /* never returns */
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
