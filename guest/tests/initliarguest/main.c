/*
 * initliarguest: lies while the host is still creating the sandbox, before any call exists. A
 * guest has no arguments at init, so it reads which lie to tell from the one number the host
 * lets the test choose: the heap size, as lie = heap_size / 4096 - 1. Lie 0 is honest and exports
 * Echo. Contract with tests/HyperSharp.IntegrationTests/InitLiarGuestTests.cs.
 */
#include "hypersharp/guest.h"
#include "hypersharp/port.h"

static uint8_t *output(void) { return (uint8_t *)(uintptr_t)hs_get_peb()->output_base; }

static void put_u32(size_t offset, uint32_t value) { memcpy(output() + offset, &value, 4); }

static void put_header(uint32_t size, uint8_t kind, uint8_t return_type, uint16_t count,
                       uint32_t name_size)
{
    hs_message_header header = {size, kind, return_type, count, name_size, 0};
    memcpy(output(), &header, sizeof header);
}

/* A signature at `offset`: its 8-byte header, then one INT parameter and `name`, padded to 8. */
static size_t put_signature(size_t offset, uint8_t param_count, uint8_t param_type, const char *name)
{
    size_t name_size = strlen(name);
    hs_signature_header header = {HS_TYPE_INT, param_count, (uint16_t)name_size, 0};
    memcpy(output() + offset, &header, sizeof header);
    for (uint8_t i = 0; i < param_count; i++)
        output()[offset + 8 + i] = param_type;
    memcpy(output() + offset + 8 + param_count, name, name_size);
    return 8 + ((param_count + name_size + 7) & ~(size_t)7);
}

static void echo(const hs_call *call, hs_result *result) { hs_return_value(result, hs_arg(call, 0)); }

void hs_main(void)
{
    const hs_peb *peb = hs_get_peb();
    uint64_t lie = peb->heap_size / HS_PAGE_SIZE - 1;
    uint16_t port = HS_PORT_DONE;
    memset(output(), 0, 256);
    size_t size = 16;
    switch (lie) {
    case 0: /* honest */
        hs_register("Echo", HS_TYPE_STRING, echo, 1, HS_TYPE_STRING);
        return;
    case 1: /* the same function twice */
        size += put_signature(size, 1, HS_TYPE_INT, "Twice");
        size += put_signature(size, 1, HS_TYPE_INT, "Twice");
        put_header((uint32_t)size, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 2, 0);
        break;
    case 2: /* 1025 functions, one over the limit */
        put_header(16, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 1025, 0);
        break;
    case 3: /* a signature with 33 parameters */
        size += put_signature(size, 33, HS_TYPE_INT, "Many");
        put_header((uint32_t)size, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 1, 0);
        break;
    case 4: /* a parameter of type VOID */
        size += put_signature(size, 1, HS_TYPE_VOID, "Void");
        put_header((uint32_t)size, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 1, 0);
        break;
    case 5: /* a name that is not UTF-8 */
        size += put_signature(size, 1, HS_TYPE_INT, "Bad\xff");
        put_header((uint32_t)size, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 1, 0);
        break;
    case 6: /* an empty name: allowed by the wire format, so not a lie (a regression case) */
        size += put_signature(size, 1, HS_TYPE_INT, "");
        put_header((uint32_t)size, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 1, 0);
        break;
    case 7: /* a RETURN where FUNCTIONS belongs */
        put_header(16, HS_MSG_RETURN, HS_TYPE_VOID, 0, 0);
        break;
    case 8: /* a size past the output buffer */
        put_header((uint32_t)peb->output_size + 8, HS_MSG_FUNCTIONS, HS_TYPE_VOID, 0, 0);
        break;
    case 9: /* a malformed host call during init */
        put_header(32, HS_MSG_CALL, HS_TYPE_INT, 0, 200);
        port = HS_PORT_HOST_CALL;
        break;
    case 10: /* a write to its own parameter block */
        put_u32(0, 0);
        *(volatile uint64_t *)(uintptr_t)&peb->heap_size = 0;
        break;
    default: /* abort with the lie's number */
        hs_abort((int)lie, "no such lie");
    }
    hs_outl(port, 0);
    hs_abort(999, "the host resumed a guest that lied during init");
}
