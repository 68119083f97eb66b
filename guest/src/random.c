/* hs_random_u64: splitmix64, reseeded from the PEB whenever the host bumps seed_generation. */
#include "internal.h"

static uint64_t state;
static uint64_t seen_generation;
static bool seeded;

void hs_random_update_seed(void)
{
    const hs_peb *peb = hs_peb_pointer;
    if (!seeded || peb->seed_generation != seen_generation) {
        state = peb->random_seed;
        seen_generation = peb->seed_generation;
        seeded = true;
    }
}

uint64_t hs_random_u64(void)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
