/*
 * CPU exception stubs for vectors 0-31. Each IDT gate uses IST1, so even a stack overflow
 * lands on a good stack. A stub reports the fault through HS_PORT_FAULT with
 *   RAX = vector, R8 = error code (0 if the CPU pushes none), R9 = faulting RIP,
 *   R10 = RSP at the fault, R11 = CR2
 * and never returns: the host does not resume a faulted guest.
 *
 * Stubs are exactly STUB_SIZE bytes apart so idt.c can compute their addresses; `.org` pads
 * each one and fails the build if a stub outgrows its slot.
 */
    .equ HS_PORT_FAULT, 0x6803   /* abi.h */
    .equ STUB_SIZE, 32           /* idt.c: HS_EXCEPTION_STUB_SIZE */

/* Interrupt frame: [error code], RIP, CS, RFLAGS, RSP, SS. */
.macro stub vector, has_error_code
1:
    .if \has_error_code
    mov (%rsp), %r8
    mov 8(%rsp), %r9
    mov 32(%rsp), %r10
    .else
    xor %r8d, %r8d
    mov (%rsp), %r9
    mov 24(%rsp), %r10
    .endif
    mov $\vector, %eax
    jmp report_fault
    .org 1b + STUB_SIZE, 0xCC
.endm

    .section .text.unlikely, "ax", @progbits  /* off the pages every call runs (internal.h, HS_COLD) */
    .balign STUB_SIZE
    .globl hs_exception_stubs
    .type hs_exception_stubs, @function
hs_exception_stubs:
    stub 0, 0    /* #DE divide error */
    stub 1, 0    /* #DB debug */
    stub 2, 0    /* NMI */
    stub 3, 0    /* #BP breakpoint */
    stub 4, 0    /* #OF overflow */
    stub 5, 0    /* #BR bound range */
    stub 6, 0    /* #UD invalid opcode */
    stub 7, 0    /* #NM device not available */
    stub 8, 1    /* #DF double fault */
    stub 9, 0    /* coprocessor segment overrun */
    stub 10, 1   /* #TS invalid TSS */
    stub 11, 1   /* #NP segment not present */
    stub 12, 1   /* #SS stack fault */
    stub 13, 1   /* #GP general protection */
    stub 14, 1   /* #PF page fault */
    stub 15, 0   /* reserved */
    stub 16, 0   /* #MF x87 floating point */
    stub 17, 1   /* #AC alignment check */
    stub 18, 0   /* #MC machine check */
    stub 19, 0   /* #XM SIMD floating point */
    stub 20, 0   /* #VE virtualization */
    stub 21, 1   /* #CP control protection */
    stub 22, 0
    stub 23, 0
    stub 24, 0
    stub 25, 0
    stub 26, 0
    stub 27, 0
    stub 28, 0   /* #HV hypervisor injection */
    stub 29, 1   /* #VC VMM communication */
    stub 30, 1   /* #SX security */
    stub 31, 0

report_fault:
    mov %cr2, %r11
    mov $HS_PORT_FAULT, %edx
    out %eax, %dx
2:  jmp 2b
    .size hs_exception_stubs, . - hs_exception_stubs

    .section .note.GNU-stack, "", @progbits
