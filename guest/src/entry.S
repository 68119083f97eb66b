/*
 * The ELF entry point. The host starts here with RDI = PEB address and RSP = 16-byte aligned
 * stack top (no return address). Ring 0 only loads the IDT; its gates are written in ring 3,
 * natively, before anything that can fault, so every later fault reaches the host as
 * HS_PORT_FAULT instead of a triple fault.
 */
    .equ HS_PORT_USER_MODE, 0x6804   /* abi.h */

    .section .text.unlikely, "ax", @progbits  /* off the pages every call runs (internal.h, HS_COLD) */
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp            /* terminates frame-pointer walks */
    mov %rdi, %rbx            /* callee-saved across the C call */
    call hs_idt_load
    /* Ask the host for ring 3: everything from here on runs as user code, natively even where
     * a hypervisor emulates ring 0 instruction by instruction. */
    mov $HS_PORT_USER_MODE, %edx
    out %eax, %dx
    call hs_idt_fill
    mov %rbx, %rdi
    call hs_start             /* never returns */
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
