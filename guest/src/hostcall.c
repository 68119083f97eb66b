/* Calling host functions (HS_PORT_HOST_CALL) and reading their replies. */
#include "internal.h"

/* The call never reached the host: report it like a failed host call. */
static bool not_sent(hs_host_reply *reply, const char *why)
{
    *reply = (hs_host_reply){.error_code = HS_ERROR_BAD_CALL,
                             .error_message = why,
                             .error_length = strlen(why)};
    return false;
}

bool hs_call_host_array(const char *name, hs_type ret, hs_host_reply *reply, int nargs,
                        const hs_value *args)
{
    const hs_peb *peb = hs_peb_pointer;
    if (hs_current_result)
        hs_result_save(hs_current_result);
    uint64_t size;
    int status = nargs < 0 ? HS_WIRE_INVALID
                           : hs_wire_encode_call((void *)(uintptr_t)peb->output_base,
                                                 peb->output_size, name, strlen(name), (uint8_t)ret,
                                                 args, (size_t)nargs, &size);
    if (status == HS_WIRE_NO_SPACE)
        return not_sent(reply, "the host call does not fit the output buffer");
    if (status != HS_WIRE_OK)
        return not_sent(reply, "the host call has an invalid name, return type or argument");

    hs_outl(HS_PORT_HOST_CALL, 0);

    hs_message message;
    const char *why = hs_wire_decode((const uint8_t *)(uintptr_t)peb->input_base + hs_reply_offset,
                                     peb->input_size - hs_reply_offset, &message);
    if (why)
        hs_abortf(HS_ABORT_BAD_MESSAGE, "malformed reply from host function '%s': %s", name, why);
    if (message.kind == HS_MSG_ERROR) {
        *reply = (hs_host_reply){.error_code = message.code,
                                 .error_message = message.values[0].as.p,
                                 .error_length = message.values[0].size};
        return false;
    }
    if (message.kind != HS_MSG_RETURN)
        hs_abortf(HS_ABORT_BAD_MESSAGE, "host function '%s' replied with message kind %u", name,
                  message.kind);
    if (message.return_type != ret)
        hs_abortf(HS_ABORT_BAD_MESSAGE, "host function '%s' returned %s, expected %s", name,
                  hs_type_name(message.return_type), hs_type_name(ret));
    *reply = (hs_host_reply){.ok = true};
    if (message.count == 1)
        reply->value = message.values[0];
    return true;
}

bool hs_call_host(const char *name, hs_type ret, hs_host_reply *reply, int nargs, ...)
{
    hs_value args[HS_MAX_PARAMETERS];
    if (nargs < 0 || nargs > (int)HS_MAX_PARAMETERS)
        return not_sent(reply, "the host call has too many arguments");
    va_list list;
    va_start(list, nargs);
    for (int i = 0; i < nargs; i++)
        args[i] = va_arg(list, hs_value);
    va_end(list);
    return hs_call_host_array(name, ret, reply, nargs, args);
}
