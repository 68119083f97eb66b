/*
 * The ELF entry point. The host starts here with RDI = PEB address and RSP = 16-byte aligned
 * stack top (no return address). The IDT is loaded first so that every later fault reaches
 * the host as HS_PORT_FAULT instead of a triple fault.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp            /* terminates frame-pointer walks */
    mov %rdi, %rbx            /* callee-saved across the C call */
    call hs_idt_install
    mov %rbx, %rdi
    call hs_start             /* never returns */
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
