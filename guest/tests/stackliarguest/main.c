/*
 * stackliarguest: ends a call with its stack pointer outside the stack, so that a snapshot taken
 * right after holds an RSP that Snapshot.Load refuses (BadEntryPoint). Snapshot.Save must refuse
 * such a snapshot before writing anything (tests/HyperSharp.IntegrationTests/SnapshotSaveRefusalTests.cs).
 */
#include "hypersharp/guest.h"
#include "hypersharp/port.h"
#include "raw_output.h"

/* In .bss: inside the image, outside the stack region. */
static uint8_t foreign_stack[4096] __attribute__((aligned(16)));

/*
 * Writes a valid empty RETURN, moves RSP into .bss and signals DONE there. The host takes the call
 * as finished with the guest parked on the foreign stack. Resumed by a later call, it switches back
 * and answers that call with its own void result: after this, the sandbox is good for a snapshot only.
 */
static void finish_on_foreign_stack(const hs_call *call, hs_result *result)
{
    (void)call;
    memset(output(), 0, 16);
    put_header(16, HS_MSG_RETURN, HS_TYPE_VOID, 0, 0);
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %0, %%rsp\n\t"
                     "outl %%eax, %%dx\n\t"
                     "mov %%rbx, %%rsp"
                     :
                     : "r"(foreign_stack + sizeof foreign_stack), "a"(0u), "d"((uint16_t)HS_PORT_DONE)
                     : "rbx", "memory");
    hs_return_void(result);
}

void hs_main(void) { hs_register("FinishOnForeignStack", HS_TYPE_VOID, finish_on_foreign_stack, 0); }
