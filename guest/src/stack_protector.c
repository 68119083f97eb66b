/*
 * The stack protector's failure handler. Code built with -fstack-protector* compares the canary
 * at %fs:0x28 (in the thread control block the host set up, docs/guest-abi.md §2) before it
 * returns; a mismatch means a buffer overflow on the stack overwrote the return path, so the
 * guest must not run another instruction of it.
 */
#include "internal.h"

HS_COLD _Noreturn void __stack_chk_fail(void)
{
    hs_abortf(HS_ABORT_STACK_SMASHED,
              "stack smashing detected: the function that called __stack_chk_fail before 0x%llx "
              "overwrote its stack-protector canary (a buffer overflow on the stack)",
              (unsigned long long)(uintptr_t)__builtin_return_address(0));
}
