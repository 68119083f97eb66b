/* Declarations shared by the SDK's own files; not part of the public API. */
#ifndef HYPERSHARP_INTERNAL_H
#define HYPERSHARP_INTERNAL_H

#include "hypersharp/guest.h"
#include "hypersharp/port.h"
#include "hypersharp/wire.h"

/*
 * Code that runs once (initialisation, registration) or rarely (printing, aborting). gcc puts it
 * in .text.unlikely, which link/guest.ld places first, so the code every call runs (dispatch,
 * wire decoding, arguments, results, heap, mem*) shares as few pages as possible: a new VM takes
 * a page fault for every page a call touches for the first time.
 */
#define HS_COLD __attribute__((cold))

/* A registered guest function: its wire signature plus the code to run. */
typedef struct hs_function {
    hs_signature signature;
    hs_guest_fn fn;
} hs_function;

struct hs_call {
    const hs_function *function;
    const hs_message *message;
};

enum hs_result_state {
    HS_RESULT_NONE,     /* no builder called yet */
    HS_RESULT_ENCODED,  /* a complete RETURN or ERROR is in the output buffer */
    HS_RESULT_RESERVED, /* a RETURN whose STRING/BYTES payload the function writes in place */
    HS_RESULT_LOST,     /* a host call overwrote the result because the heap could not keep it */
};

struct hs_result {
    const hs_function *function;
    enum hs_result_state state;
    uint64_t size;  /* bytes of the message in the output buffer */
    uint8_t *saved; /* the message, moved to the heap while a host call uses the buffer */
};

/* init.c: the PEB, set once it passed the checks at start-up */
extern const hs_peb *hs_peb_pointer;

/* Called from entry.S, in ring 3 like everything else (init.c). */
_Noreturn void hs_start(const hs_peb *peb);

/* heap.c */
void hs_heap_init(uint64_t base, uint64_t size);

/* random.c */
void hs_random_update_seed(void);

/* clock.c: takes the TSC reference the clock extrapolates from; at init and every call start */
void hs_clock_start_call(void);

/* Defined by the guest C library's stdio (guest/libc) when a guest uses it: sends what stdout
 * and stderr hold to the host. Weak, so a guest without stdio links without it. Called after
 * hs_main and after each guest function returns, before the result is finished. */
void hs_stdio_flush(void) __attribute__((weak));

/* registry.c */
const hs_function *hs_registry_find(const char *name, size_t name_size);
void hs_registry_seal(void);      /* after hs_main: no more registrations */
void hs_registry_announce(void);  /* writes the FUNCTIONS message to the output buffer */

/* args.c: the parameter at `index`, which must have `type` (else the guest aborts) */
const hs_value *hs_arg_typed(const hs_call *call, int index, hs_type type, const char *accessor);

/* dispatch.c: serves the CALL in the input buffer, leaving RETURN or ERROR in the output */
void hs_dispatch(void);
/* The input-buffer offset at which the host writes host-call replies (the size of the current
 * call's message; 0 outside a call). */
extern uint32_t hs_reply_offset;
/* The result of the call being served, NULL outside a call. */
extern hs_result *hs_current_result;

/* result.c */
void hs_result_finish(hs_result *result); /* after the function returned */
void hs_result_save(hs_result *result);  /* before a host call overwrites the output buffer */

/* text.c. hs_text_format formats into buffer[0 .. limit + 2) and returns a length <= limit, cut
 * at a UTF-8 boundary, NUL-terminated, with invalid UTF-8 replaced by '?' (hs_text_repair). */
size_t hs_text_format(char *buffer, size_t limit, const char *format, va_list args);
const char *hs_type_name(unsigned type);

/* abort.c: spins forever, for after an OUT the host never resumes from. */
_Noreturn void hs_hang(void);

#endif
