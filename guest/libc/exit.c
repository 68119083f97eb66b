/*
 * How a guest ends: there is no process to exit, so abort(), exit() and _Exit() end the guest
 * like hs_abort (GuestAbortedException; the sandbox is poisoned until restored), and a failed
 * assert() aborts with HS_ABORT_ASSERTION as the SDK's own assert does. Output still buffered in
 * stdout and stderr is not sent: the guest may be in any state when it gives up.
 */
#include <assert.h>
#include <stdlib.h>
#include <unistd.h>

#include "hypersharp/guest.h"

void abort(void) { hs_abort(HS_ABORT_EXIT, "the guest called abort()"); }

void _exit(int status) { hs_abortf(HS_ABORT_EXIT, "the guest called exit(%d)", status); }

void _Exit(int status) { _exit(status); }

void exit(int status) { _exit(status); }

void __assert_func(const char *file, int line, const char *function, const char *expression)
{
    hs_abortf(HS_ABORT_ASSERTION, "assertion failed: %s (%s:%d, %s)", expression, file, line,
              function);
}

void __assert_no_arg(void) { hs_abort(HS_ABORT_ASSERTION, "assertion failed"); }
