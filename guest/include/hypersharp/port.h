/*
 * Port I/O: the guest's only way to reach the host (see HS_PORT_* in abi.h). The "memory"
 * clobbers make the compiler finish every buffer write before an OUT and re-read memory after
 * it, since the host reads and writes guest memory while the guest is stopped there.
 */
#ifndef HYPERSHARP_PORT_H
#define HYPERSHARP_PORT_H

#include <stdint.h>

static inline void hs_outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline uint32_t hs_inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}

static inline void hs_hlt(void) { __asm__ volatile("hlt" : : : "memory"); }

#endif
