/*
 * ring0guest: a hostile guest written for ring 0, where no guest built with or without the SDK ever
 * runs (the host starts every guest in ring 3 and keeps ring 0 for its own exception handlers). It
 * gets there only through a crafted snapshot whose vCPU state names the ring-0 segments, which is
 * what tests/HyperSharp.IntegrationTests/RingZeroGuestTests.cs makes; docs/security.md says why
 * snapshot files are trusted input and what still holds then. Its initialisation runs in ring 3 and
 * speaks just enough of the protocol by hand to export Act(INT) -> INT:
 *   0     returns 0 (the follow-up call that proves a restored sandbox works)
 *   1     OUT to port 0x1234, which ring 0 may use but HyperSharp does not assign
 *   2     IN from port 0x6800
 *   3     HLT
 *   4, 5  read (4) or write (5) guest-physical 512 MiB, far past guest memory, through page
 *         tables of its own (the host's map only guest memory)
 * Everything is assembly: ring-0 code may be emulated (kvm_pvm) and must avoid SSE, and the
 * message layouts are fixed, so there is nothing for a compiler to do.
 */

__asm__(
    "    .equ PEB_INPUT_BASE, 0x50\n"
    "    .equ PEB_OUTPUT_BASE, 0x60\n"
    "    .equ HS_PORT_DONE, 0x6800\n"
    "    .equ MMIO_ADDRESS, 0x20000000\n"
    "\n"
    "    .text\n"
    "    .globl _start\n"
    "    .type _start, @function\n"
    "_start:\n"
    "    mov %rdi, %r12\n" /* PEB, kept for good */
    /* FUNCTIONS: size 32, kind 4, one signature: INT Act(INT). */
    "    mov PEB_OUTPUT_BASE(%r12), %rdi\n"
    "    movabs $0x0001000400000020, %rax\n"
    "    mov %rax, (%rdi)\n"
    "    movq $0, 8(%rdi)\n"
    "    movabs $0x0000000000030101, %rax\n" /* return INT, 1 parameter, name size 3 */
    "    mov %rax, 16(%rdi)\n"
    "    movabs $0x0000000074634101, %rax\n" /* parameter INT, then \"Act\" */
    "    mov %rax, 24(%rdi)\n"
    "    mov $HS_PORT_DONE, %edx\n"
    "    out %eax, %dx\n"
    "dispatch:\n"
    /* CALL of Act: 16-byte header, \"Act\" padded to 8, value header, the INT at offset 32. */
    "    mov PEB_INPUT_BASE(%r12), %rsi\n"
    "    mov 32(%rsi), %eax\n"
    "    cmp $1, %eax\n"
    "    je port_out\n"
    "    cmp $2, %eax\n"
    "    je port_in\n"
    "    cmp $3, %eax\n"
    "    je halt\n"
    "    cmp $4, %eax\n"
    "    je outside_read\n"
    "    cmp $5, %eax\n"
    "    je outside_write\n"
    /* RETURN INT <mode>: size 32, kind 2, type INT, count 1. */
    "    mov PEB_OUTPUT_BASE(%r12), %rdi\n"
    "    movabs $0x0001010200000020, %rcx\n"
    "    mov %rcx, (%rdi)\n"
    "    movq $0, 8(%rdi)\n"
    "    movabs $0x0000000400000001, %rcx\n"
    "    mov %rcx, 16(%rdi)\n"
    "    mov %eax, %ecx\n"
    "    mov %rcx, 24(%rdi)\n"
    "    mov $HS_PORT_DONE, %edx\n"
    "    out %eax, %dx\n"
    "    jmp dispatch\n"
    /* After each act the host must never resume us; if it (or a restore) ever did, ud2 is reported as
     * a #UD, so the follow-up call fails instead of quietly reaching dispatch. */
    "port_out:\n"
    "    mov $0x1234, %edx\n"
    "    out %eax, %dx\n"
    "    ud2\n"
    "port_in:\n"
    "    mov $HS_PORT_DONE, %edx\n"
    "    in %dx, %eax\n"
    "    ud2\n"
    "halt:\n"
    "    hlt\n"
    "    ud2\n"
    "outside_read:\n"
    "    call own_page_tables\n"
    "    mov $MMIO_ADDRESS, %eax\n"
    "    mov (%rax), %rax\n"
    "    ud2\n"
    "outside_write:\n"
    "    call own_page_tables\n"
    "    mov $MMIO_ADDRESS, %eax\n"
    "    movq $1, (%rax)\n"
    "    ud2\n"
    /* Identity-maps the first 1 GiB with 2 MiB pages, writable and executable, and loads it. */
    "own_page_tables:\n"
    "    lea pd(%rip), %rdi\n"
    "    xor %ecx, %ecx\n"
    "1:  mov %rcx, %rax\n"
    "    shl $21, %rax\n"
    "    or $0x83, %rax\n" /* present, writable, 2 MiB page */
    "    mov %rax, (%rdi,%rcx,8)\n"
    "    inc %ecx\n"
    "    cmp $512, %ecx\n"
    "    jb 1b\n"
    "    lea pdpt(%rip), %rsi\n"
    "    lea 3(%rdi), %rax\n"
    "    mov %rax, (%rsi)\n"
    "    lea pml4(%rip), %rdi\n"
    "    lea 3(%rsi), %rax\n"
    "    mov %rax, (%rdi)\n"
    "    mov %rdi, %cr3\n"
    "    ret\n"
    "    .size _start, . - _start\n"
    "\n"
    "    .bss\n"
    "    .balign 4096\n"
    "pml4: .skip 4096\n"
    "pdpt: .skip 4096\n"
    "pd:   .skip 4096\n"
    "    .section .note.GNU-stack, \"\", @progbits\n");
