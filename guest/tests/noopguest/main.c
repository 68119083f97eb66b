/* The smallest useful guest, for measuring sandbox creation and call overhead. */
#include "hypersharp/guest.h"

static void nothing(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_void(result);
}

static void echo_i32(const hs_call *call, hs_result *result)
{
    hs_return_int(result, hs_arg_int(call, 0));
}

void hs_main(void)
{
    hs_register("Nothing", HS_TYPE_VOID, nothing, 0);
    hs_register("EchoI32", HS_TYPE_INT, echo_i32, 1, HS_TYPE_INT);
}
