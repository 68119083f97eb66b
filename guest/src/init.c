/* Start-up and the serve loop (docs/guest-abi.md §4). */
#include "internal.h"

const hs_peb *hs_peb_pointer;

const hs_peb *hs_get_peb(void) { return hs_peb_pointer; }

_Noreturn void hs_start(const hs_peb *peb)
{
    if (peb->magic != HS_PEB_MAGIC || peb->abi_version != HS_ABI_VERSION ||
        peb->peb_size < sizeof *peb) {
        /* Without a PEB we trust there is no output buffer to explain the abort in. */
        hs_outl(HS_PORT_ABORT, HS_ABORT_BAD_MESSAGE);
        hs_hang();
    }
    hs_peb_pointer = peb;
    hs_heap_init(peb->heap_base, peb->heap_size);
    hs_random_update_seed();
    hs_clock_start_call();
    hs_main();
    if (hs_stdio_flush)
        hs_stdio_flush();
    hs_registry_seal();
    hs_registry_announce();
    for (;;) {
        /* The host resumes after this OUT with the next CALL in the input buffer. */
        hs_outl(HS_PORT_DONE, 0);
        hs_dispatch();
    }
}
