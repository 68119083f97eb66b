/*
 * hostileguest: a guest that lies to the host in every field the host reads, so that
 * tests/HyperSharp.IntegrationTests/HostileGuestTableTests.cs can prove each lie ends in a typed
 * error (or, where the lie is harmless, a correct result) and that Restore() recovers. Every
 * function takes a case number; the numbers are a contract with that table, so change them only
 * together. Unlike simpleguest it bypasses the SDK wherever the SDK would refuse to lie.
 */
#include "hypersharp/guest.h"
#include "hypersharp/port.h"
#include "raw_output.h"

/* ---- Raw access to the shared buffers: tests/common/raw_output.h ----------------------------- */

/* A well-formed RETURN of INT 42 at the start of the output buffer: each lie then breaks one field. */
static void put_valid_int_return(void)
{
    memset(output(), 0, 64);
    put_header(32, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
    put_value_header(16, HS_TYPE_INT, 4);
    put_u32(24, 42);
}

/* A well-formed CALL of HostAdd(1, 2) -> INT at the start of the output buffer. */
static void put_valid_host_add(void)
{
    memset(output(), 0, 64);
    put_header(56, HS_MSG_CALL, HS_TYPE_INT, 2, 7);
    memcpy(output() + 16, "HostAdd", 7);
    put_value_header(24, HS_TYPE_INT, 4);
    put_u32(32, 1);
    put_value_header(40, HS_TYPE_INT, 4);
    put_u32(48, 2);
}

/*
 * Signals `port` with the lie in place. The host must end the call with an error and never resume
 * us; if it wrongly did, the ERROR below makes that visible instead of hanging the test.
 */
static void signal_lie(hs_result *result, uint16_t port)
{
    hs_outl(port, 0);
    hs_return_error(result, HS_ERROR_GUEST, "the host resumed a lying guest");
}

/* ---- Echo: the follow-up call that proves a restored sandbox works ------------------------- */

static void echo(const hs_call *call, hs_result *result) { hs_return_value(result, hs_arg(call, 0)); }

/* ---- Lies in a call's result (LieInResult: INT function, LieInTextResult: STRING function) ---- */

static void lie_in_result(const hs_call *call, hs_result *result)
{
    put_valid_int_return();
    switch (hs_arg_int(call, 0)) {
    case 1: /* size one word past the output buffer */
        put_u32(0, output_size() + 8);
        break;
    case 2: /* size close to 4 GiB */
        put_u32(0, 0xFFFFFFF8u);
        break;
    case 3: /* size not a multiple of 8 */
        put_u32(0, 33);
        break;
    case 4: /* size smaller than the header */
        put_u32(0, 8);
        break;
    case 5: /* unknown message kind */
        put_u8(4, 99);
        break;
    case 6: /* unknown return type tag */
        put_u8(5, 200);
        break;
    case 7: /* RETURN claiming two values */
        put_u16(6, 2);
        break;
    case 8: /* count 65535 */
        put_u16(6, 0xFFFF);
        break;
    case 9: /* nonzero reserved header field */
        put_u32(12, 1);
        break;
    case 10: /* name_size set in a RETURN */
        put_u32(8, 5);
        break;
    case 11: /* unknown value type tag */
        put_u8(16, 42);
        break;
    case 12: /* value tagged VOID */
        put_u8(16, HS_TYPE_VOID);
        break;
    case 13: /* INT whose size field says 8 */
        put_u32(20, 8);
        break;
    case 14: /* INT whose size field says 0xFFFFFFFF */
        put_u32(20, 0xFFFFFFFFu);
        break;
    case 15: /* nonzero padding after the INT */
        put_u8(28, 1);
        break;
    case 16: /* nonzero reserved byte in the value header */
        put_u8(17, 1);
        break;
    case 17: /* header says INT, value is a LONG */
        put_value_header(16, HS_TYPE_LONG, 8);
        break;
    case 18: /* header says LONG, the function returns INT */
        put_u8(5, HS_TYPE_LONG);
        put_value_header(16, HS_TYPE_LONG, 8);
        break;
    case 19: /* RETURN VOID for an INT function */
        put_header(16, HS_MSG_RETURN, HS_TYPE_VOID, 0, 0);
        break;
    case 20: /* bytes after the last part */
        put_u32(0, 40);
        put_u32(32, 0x12345678);
        break;
    case 21: /* a FUNCTIONS message as the result */
        put_header(16, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 0, 0);
        break;
    case 22: /* a CALL as the result */
        put_valid_host_add();
        break;
    case 23: /* ERROR whose only value is an INT, not its text */
        put_header(32, HS_MSG_ERROR, HS_TYPE_VOID, 1, HS_ERROR_GUEST);
        break;
    case 24: /* ERROR with no value */
        put_header(16, HS_MSG_ERROR, HS_TYPE_VOID, 0, HS_ERROR_GUEST);
        break;
    case 25: /* nothing written at all: the output buffer is zero */
        memset(output(), 0, 64);
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "LieInResult: unknown case");
        return;
    }
    signal_lie(result, HS_PORT_DONE);
}

static void lie_in_text_result(const hs_call *call, hs_result *result)
{
    memset(output(), 0, 64);
    put_header(32, HS_MSG_RETURN, HS_TYPE_STRING, 1, 0);
    put_value_header(16, HS_TYPE_STRING, 3);
    memcpy(output() + 24, "abc", 3);
    switch (hs_arg_int(call, 0)) {
    case 1: /* lone continuation byte */
        put_u8(24, 0x80);
        break;
    case 2: /* overlong encoding of NUL */
        put_u8(24, 0xC0);
        put_u8(25, 0x80);
        break;
    case 3: /* UTF-16 surrogate encoded in UTF-8 (U+D800) */
        put_u8(24, 0xED);
        put_u8(25, 0xA0);
        put_u8(26, 0x80);
        break;
    case 4: /* code point above U+10FFFF */
        put_u8(24, 0xF4);
        put_u8(25, 0x90);
        put_u8(26, 0x80);
        break;
    case 5: /* no NUL after the text */
        put_u8(27, 'd');
        break;
    case 6: /* length one past the message */
        put_u32(20, 17);
        break;
    case 7: /* length past the output buffer */
        put_u32(20, output_size());
        break;
    case 8: /* length 0xFFFFFFFF */
        put_u32(20, 0xFFFFFFFFu);
        break;
    case 9: /* message size and string length both claim the whole output buffer */
        put_u32(0, output_size());
        put_u32(20, output_size() - 24);
        break;
    case 10: /* ERROR whose text is not UTF-8 */
        put_header(32, HS_MSG_ERROR, HS_TYPE_VOID, 1, HS_ERROR_GUEST);
        put_u8(24, 0xFF);
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "LieInTextResult: unknown case");
        return;
    }
    signal_lie(result, HS_PORT_DONE);
}

/* ---- Lies in a host-call request ----------------------------------------------------------- */

static void lie_in_host_call(const hs_call *call, hs_result *result)
{
    put_valid_host_add();
    switch (hs_arg_int(call, 0)) {
    case 1: /* name_size beyond the message */
        put_u32(8, 48);
        break;
    case 2: /* name_size beyond the limit of 256 */
        put_u32(8, 300);
        break;
    case 3: /* name is not UTF-8 */
        put_u8(16, 0xFF);
        break;
    case 4: /* count 33, beyond the parameter limit */
        put_u16(6, 33);
        break;
    case 5: /* count 3, but only two values follow */
        put_u16(6, 3);
        break;
    case 6: /* count 1, and a second value follows */
        put_u16(6, 1);
        break;
    case 7: /* unknown value tag */
        put_u8(24, 77);
        break;
    case 8: /* STRING argument whose length runs past the output buffer */
        put_value_header(24, HS_TYPE_STRING, 0x7FFFFFF0u);
        break;
    case 9: /* message size past the output buffer */
        put_u32(0, output_size() + 8);
        break;
    case 10: /* a RETURN where a CALL belongs */
        put_valid_int_return();
        break;
    case 11: /* an ERROR where a CALL belongs */
        put_header(32, HS_MSG_ERROR, HS_TYPE_VOID, 1, HS_ERROR_GUEST);
        put_value_header(16, HS_TYPE_STRING, 0);
        break;
    case 12: /* BOOL argument that is 2 */
        put_value_header(24, HS_TYPE_BOOL, 1);
        put_u32(32, 2);
        break;
    case 13: /* name padding not zero */
        put_u8(23, 'x');
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "LieInHostCall: unknown case");
        return;
    }
    signal_lie(result, HS_PORT_HOST_CALL);
}

/* ---- Well-formed host calls the host must refuse as data --------------------------------- */

static void misuse_host_call(const hs_call *call, hs_result *result)
{
    hs_host_reply reply;
    bool ok;
    switch (hs_arg_int(call, 0)) {
    case 1: /* no such host function */
        ok = hs_call_host("NoSuchHostFunction", HS_TYPE_INT, &reply, 0);
        break;
    case 2: /* too few arguments */
        ok = hs_call_host("HostAdd", HS_TYPE_INT, &reply, 1, hs_int(1));
        break;
    case 3: /* too many arguments */
        ok = hs_call_host("HostAdd", HS_TYPE_INT, &reply, 3, hs_int(1), hs_int(2), hs_int(3));
        break;
    case 4: /* wrong argument type */
        ok = hs_call_host("HostAdd", HS_TYPE_INT, &reply, 2, hs_long(1), hs_int(2));
        break;
    case 5: /* wrong expected return type */
        ok = hs_call_host("HostAdd", HS_TYPE_STRING, &reply, 2, hs_int(1), hs_int(2));
        break;
    case 6: /* a host function that throws */
        ok = hs_call_host("Throws", HS_TYPE_INT, &reply, 0);
        break;
    case 7: /* a 256-byte name, the longest the format allows */
    {
        char name[257];
        memset(name, 'N', 256);
        name[256] = '\0';
        ok = hs_call_host(name, HS_TYPE_INT, &reply, 0);
        break;
    }
    case 8: /* a host function whose result cannot fit the input buffer */
        ok = hs_call_host("HostRepeat", HS_TYPE_STRING, &reply, 1, hs_int(1 << 20));
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "MisuseHostCall: unknown case");
        return;
    }
    if (ok)
        hs_return_int(result, reply.value.type == HS_TYPE_INT ? reply.value.as.i32 : -1);
    else
        hs_return_host_error(result, &reply);
}

/* Calls host function Reenter, which tries to call back into this sandbox. */
static void call_reentrant_host(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_host_reply reply;
    if (hs_call_host("Reenter", HS_TYPE_STRING, &reply, 0))
        hs_return_value(result, &reply.value);
    else
        hs_return_host_error(result, &reply);
}

/* ---- Memory the guest must not write (or read) ---------------------------------------------- */

static void scribble(const hs_call *call, hs_result *result)
{
    const hs_peb *peb = hs_get_peb();
    volatile uint64_t *target;
    switch (hs_arg_int(call, 0)) {
    case 1: /* its own page tables (PML4 entry 0): not mapped at all */
        target = (volatile uint64_t *)(uintptr_t)HS_PAGE_TABLES_ADDRESS;
        break;
    case 2: /* its parameter block: read-only */
        target = (volatile uint64_t *)(uintptr_t)&peb->input_base;
        break;
    case 3: /* the GDT: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)HS_GDT_ADDRESS;
        break;
    case 4: /* the TSS's I/O bitmap, to open more ports: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)(HS_GDT_ADDRESS + HS_TSS_OFFSET + 0x68);
        break;
    case 5: /* the exception stack: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)(peb->exception_stack_top - 8);
        break;
    case 6: /* the first page past guest memory: not mapped */
        target = (volatile uint64_t *)(uintptr_t)peb->memory_size;
        break;
    case 7: /* far above guest memory (1 TiB): not mapped */
        target = (volatile uint64_t *)(uintptr_t)(1ull << 40);
        break;
    case 8: /* read the page tables: not mapped either */
        hs_return_int(result, (int32_t) * (volatile uint64_t *)(uintptr_t)HS_PAGE_TABLES_ADDRESS);
        return;
    case 9: /* the IDT, to point a gate at its own code: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)HS_IDT_ADDRESS;
        break;
    case 10: /* the host's exception handlers, to run its own code in ring 0: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)HS_EXCEPTION_CODE_ADDRESS;
        break;
    case 11: /* read the GDT: supervisor only */
        hs_return_int(result, (int32_t) * (volatile uint64_t *)(uintptr_t)(HS_GDT_ADDRESS + HS_SELECTOR_CODE));
        return;
    case 12: /* read the IDT */
        hs_return_int(result, (int32_t) * (volatile uint64_t *)(uintptr_t)HS_IDT_ADDRESS);
        return;
    case 13: /* the TSS's IST1 pointer, to move the exception stack: supervisor only */
        target = (volatile uint64_t *)(uintptr_t)(HS_GDT_ADDRESS + HS_TSS_OFFSET + 0x24);
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "Scribble: unknown case");
        return;
    }
    *target = 0xFFFFFFFFFFFFFFFFull;
    hs_return_int(result, 1);
}

/* ---- Instructions and ports ring 3 must not use, and signals it must not forge ---------------- */

static void misbehave(const hs_call *call, hs_result *result)
{
    switch (hs_arg_int(call, 0)) {
    case 1: /* a port the TSS bitmap keeps closed */
        hs_outl(0x80, 0);
        break;
    case 2: /* an open port HyperSharp does not assign: only a byte OUT reaches 0x6803 */
        __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"((uint16_t)0x6803) : "memory");
        break;
    case 3: /* a 32-bit OUT at 0x6803 also covers 0x6806, which is closed */
        hs_outl(0x6803, 0);
        break;
    case 4: /* IN from an open port */
        hs_return_int(result, (int32_t)hs_inl(HS_PORT_HOST_CALL));
        return;
    case 5: /* load an empty IDT: privileged */
    {
        struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } idt = {0, 0};
        __asm__ volatile("lidt %0" : : "m"(idt));
        break;
    }
    case 6: /* switch page tables: privileged */
        __asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)0x4000) : "memory");
        break;
    case 7: /* a forged CPU fault report: the fault port is closed to ring 3, so this is a #GP */
        __asm__ volatile("outl %%eax, %%dx"
                         :
                         : "a"(14u), "d"((uint16_t)HS_PORT_FAULT)
                         : "memory");
        break;
    case 8: /* a 32-bit OUT to the last open port also covers the closed fault-port range: #GP */
        hs_outl(0x6805, 0);
        break;
    case 9: /* abort whose ERROR message is a lie: the code still arrives */
        memset(output(), 0, 64);
        put_header(0xFFFFFFF0u, HS_MSG_ERROR, HS_TYPE_VOID, 1, 77);
        hs_outl(HS_PORT_ABORT, 77);
        break;
    case 10: /* abort with a text that is not UTF-8 */
        memset(output(), 0, 64);
        put_header(32, HS_MSG_ERROR, HS_TYPE_VOID, 1, 78);
        put_value_header(16, HS_TYPE_STRING, 2);
        put_u8(24, 0xC3);
        put_u8(25, 0x28);
        hs_outl(HS_PORT_ABORT, 78);
        break;
    case 11: /* a single-byte OUT to the done port: the ports take 32-bit OUTs only */
        memset(output(), 0, 64);
        __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"((uint16_t)HS_PORT_DONE) : "memory");
        break;
    case 12: /* the attack of ring 3 on its own IDT: find it with SIDT, point the #UD gate at its own code */
    {
        struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } idt;
        __asm__ volatile("sidt %0" : "=m"(idt));
        volatile uint16_t *gate = (volatile uint16_t *)(uintptr_t)(idt.base + 6 * 16);
        gate[0] = (uint16_t)(uintptr_t)&misbehave;
        __asm__ volatile("ud2");
        break;
    }
    case 13: /* a gate with DPL 0 cannot be entered by INT from ring 3 */
        __asm__ volatile("int $6");
        break;
    case 14: /* a vector past the IDT's limit */
        __asm__ volatile("int $0x80");
        break;
    case 15: /* load a GDT of its own: privileged */
    {
        struct __attribute__((packed)) {
            uint16_t limit;
            uint64_t base;
        } gdt = {0, 0};
        __asm__ volatile("lgdt %0" : : "m"(gdt));
        break;
    }
    case 16: /* load another task register: privileged */
        __asm__ volatile("ltr %w0" : : "r"(HS_SELECTOR_TSS));
        break;
    case 17: /* a far return into the ring-0 code segment */
        __asm__ volatile("pushq %0\n\tlea 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:" : : "i"(HS_SELECTOR_CODE) : "rax", "memory");
        break;
    case 18: /* clear CR0.WP: privileged */
        __asm__ volatile("mov %%cr0, %%rax\n\tand $~0x10000, %%rax\n\tmov %%rax, %%cr0" : : : "rax", "memory");
        break;
    case 19: /* HLT: privileged in ring 3 */
        hs_hlt();
        break;
    case 20: /* call the host's exception handler directly: fetching supervisor code from ring 3 faults */
        ((void (*)(void))(uintptr_t)HS_EXCEPTION_CODE_ADDRESS)();
        break;
    case 21: /* SYSCALL, which has no kernel behind it */
        __asm__ volatile("syscall" : : : "rcx", "r11", "memory");
        break;
    case 22: /* a KVM hypercall (KVM_HC_KICK_CPU): KVM answers -KVM_EPERM to CPL 3 and does nothing */
    {
        long status = 5;
        __asm__ volatile("vmmcall" : "+a"(status) : "b"(0), "c"(0) : "memory");
        hs_return_int(result, (int32_t)status);
        return;
    }
    default:
        hs_return_error(result, HS_ERROR_GUEST, "Misbehave: unknown case");
        return;
    }
    hs_return_error(result, HS_ERROR_GUEST, "the host resumed a misbehaving guest");
}

/* ---- Exits the hypervisor completes at the next run, which must not cross a restore ------------ */

/* Where an INS would plant data; zero in every snapshot, so a test can see a single byte land. */
static uint8_t planted[1024];
static uint8_t planted_large[64 * 1024];

static void leave_exit_pending(const hs_call *call, hs_result *result)
{
    void *target = planted;
    const void *source = planted;
    uint64_t count = sizeof planted;
    switch (hs_arg_int(call, 0)) {
    case 1: /* IN: completing it writes RAX */
        (void)hs_inl(HS_PORT_DONE);
        break;
    case 2: /* INS: completing it writes up to 1 KiB of guest memory */
        __asm__ volatile("rep insb" : "+D"(target), "+c"(count) : "d"((uint16_t)HS_PORT_DONE) : "memory");
        break;
    case 3: /* OUTS: completing it moves RSI and RCX on and repeats the OUT */
        __asm__ volatile("rep outsb" : "+S"(source), "+c"(count) : "d"((uint16_t)HS_PORT_DONE) : "memory");
        break;
    case 4: /* one INSL: completing it writes four bytes of guest memory */
        __asm__ volatile("insl" : "+D"(target) : "d"((uint16_t)HS_PORT_DONE) : "memory");
        break;
    case 5: /* an INS over 16 pages, more than one exit's worth of data */
        target = planted_large;
        count = sizeof planted_large;
        __asm__ volatile("rep insb" : "+D"(target), "+c"(count) : "d"((uint16_t)HS_PORT_DONE) : "memory");
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "LeaveExitPending: unknown case");
        return;
    }
    hs_return_error(result, HS_ERROR_GUEST, "the host resumed a guest after refusing its exit");
}

void hs_main(void)
{
    hs_register("Echo", HS_TYPE_STRING, echo, 1, HS_TYPE_STRING);
    hs_register("LieInResult", HS_TYPE_INT, lie_in_result, 1, HS_TYPE_INT);
    hs_register("LieInTextResult", HS_TYPE_STRING, lie_in_text_result, 1, HS_TYPE_INT);
    hs_register("LieInHostCall", HS_TYPE_INT, lie_in_host_call, 1, HS_TYPE_INT);
    hs_register("MisuseHostCall", HS_TYPE_INT, misuse_host_call, 1, HS_TYPE_INT);
    hs_register("CallReentrantHost", HS_TYPE_STRING, call_reentrant_host, 0);
    hs_register("Scribble", HS_TYPE_INT, scribble, 1, HS_TYPE_INT);
    hs_register("Misbehave", HS_TYPE_INT, misbehave, 1, HS_TYPE_INT);
    hs_register("LeaveExitPending", HS_TYPE_INT, leave_exit_pending, 1, HS_TYPE_INT);
}
