/*
 * The clock without exits (docs/guest-abi.md §5): the host writes the wall clock and its
 * monotonic clock into the PEB before init and before every call; the SDK reads the TSC when the
 * call starts and extrapolates from there with the vCPU's TSC frequency. Between calls the
 * host's values take over again, so the time never stands still across calls and a restored
 * guest never sees its snapshot's clock.
 */
#include "internal.h"

static uint64_t start_tsc;      /* RDTSC when the current call (or init) started */
static uint64_t last_monotonic; /* the largest monotonic value handed out, so it never goes back */

static uint64_t rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

void hs_clock_start_call(void) { start_tsc = rdtsc(); }

/* Nanoseconds since the call started. Split so that no product overflows 64 bits, however long
 * the call runs: ticks / kHz gives milliseconds, the remainder below one millisecond. */
static uint64_t elapsed_ns(void)
{
    uint64_t khz = hs_peb_pointer->tsc_khz;
    if (khz == 0)
        return 0;
    uint64_t ticks = rdtsc() - start_tsc;
    return ticks / khz * 1000000u + ticks % khz * 1000000u / khz;
}

uint64_t hs_clock_monotonic_ns(void)
{
    uint64_t now = hs_peb_pointer->monotonic_ns + elapsed_ns();
    if (now < last_monotonic)
        now = last_monotonic; /* a TSC a little faster than the host's clock */
    last_monotonic = now;
    return now;
}

int64_t hs_clock_realtime_ns(void)
{
    return hs_peb_pointer->realtime_ns + (int64_t)elapsed_ns();
}
