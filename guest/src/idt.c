/* The interrupt descriptor table: one gate per CPU exception, all on IST1. */
#include "internal.h"

#define HS_EXCEPTION_STUB_SIZE 32 /* exceptions.S: STUB_SIZE */
#define EXCEPTION_VECTORS 32
#define GATE_INTERRUPT_PRESENT 0x8E /* present, DPL 0, 64-bit interrupt gate (IF cleared) */

typedef struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed)) idt_gate;

_Static_assert(sizeof(idt_gate) == 16, "an IDT gate is 16 bytes");

/* All 256 vectors: the ones past 31 are not present, so a stray `int n` raises #NP/#GP,
 * which is reported like any other fault. The table is in .bss, writable by the guest's own
 * ring-3 code like the rest of its memory: a guest can only break its own fault reporting. */
static idt_gate idt[256] __attribute__((aligned(16)));

extern const char hs_exception_stubs[];

/* Ring 0, first thing: only the LIDT. Where the hypervisor emulates ring 0 (kvm_pvm, about
 * 1 us an instruction) filling the gates here cost ~0.9 ms of every Sandbox.Create. */
HS_COLD void hs_idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

/* Ring 3, right after the switch and before anything that can fault: the gates themselves.
 * Until they are written no gate is present, and a fault would end the VM as a triple fault. */
HS_COLD void hs_idt_fill(void)
{
    for (unsigned vector = 0; vector < EXCEPTION_VECTORS; vector++) {
        uint64_t stub = (uint64_t)(uintptr_t)(hs_exception_stubs + vector * HS_EXCEPTION_STUB_SIZE);
        idt[vector] = (idt_gate){
            .offset_low = (uint16_t)stub,
            .selector = HS_SELECTOR_CODE,
            .ist = 1,
            .type = GATE_INTERRUPT_PRESENT,
            .offset_middle = (uint16_t)(stub >> 16),
            .offset_high = (uint32_t)(stub >> 32),
        };
    }
}
