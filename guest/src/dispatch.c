/* Serving one CALL: decode, find the function, check the signature, run it, finish the result. */
#include "internal.h"

uint32_t hs_reply_offset;
hs_result *hs_current_result;

/* Writes "(INT, STRING) -> BOOL" into text. */
static void describe(char *text, size_t size, uint8_t return_type, const uint8_t *params,
                     unsigned count)
{
    size_t n = (size_t)hs_snprintf(text, size, "(");
    for (unsigned i = 0; i < count && n < size; i++)
        n += (size_t)hs_snprintf(text + n, size - n, "%s%s", i ? ", " : "", hs_type_name(params[i]));
    if (n < size)
        hs_snprintf(text + n, size - n, ") -> %s", hs_type_name(return_type));
}

static bool signature_matches(const hs_signature *s, const hs_message *m)
{
    if (s->return_type != m->return_type || s->param_count != m->count)
        return false;
    for (unsigned i = 0; i < m->count; i++)
        if (m->values[i].type != s->param_types[i])
            return false;
    return true;
}

void hs_dispatch(void)
{
    const hs_peb *peb = hs_peb_pointer;
    hs_message message;
    hs_result result = {0};
    hs_random_update_seed();
    hs_clock_start_call();

    const char *why = hs_wire_decode((const void *)(uintptr_t)peb->input_base, peb->input_size,
                                     &message);
    if (why) {
        hs_return_error(&result, HS_ERROR_BAD_CALL, "malformed CALL: %s", why);
        return;
    }
    if (message.kind != HS_MSG_CALL) {
        hs_return_error(&result, HS_ERROR_BAD_CALL, "expected a CALL message but got kind %u",
                        message.kind);
        return;
    }
    const hs_function *function = hs_registry_find(message.name, message.name_size);
    if (!function) {
        hs_return_error(&result, HS_ERROR_FUNCTION_NOT_FOUND, "guest function '%.*s' not found",
                        (int)message.name_size, message.name);
        return;
    }
    if (!signature_matches(&function->signature, &message)) {
        uint8_t given[HS_MAX_PARAMETERS];
        for (unsigned i = 0; i < message.count; i++)
            given[i] = message.values[i].type;
        char expected_text[400], given_text[400];
        describe(expected_text, sizeof expected_text, function->signature.return_type,
                 function->signature.param_types, function->signature.param_count);
        describe(given_text, sizeof given_text, message.return_type, given, message.count);
        hs_return_error(&result, HS_ERROR_BAD_CALL,
                        "guest function '%.*s' is %s but was called as %s",
                        (int)message.name_size, message.name, expected_text, given_text);
        return;
    }

    hs_call call = {function, &message};
    result.function = function;
    hs_reply_offset = message.size;
    hs_current_result = &result;
    function->fn(&call, &result);
    /* While the result is still current, so a host call keeps it: one exit per stream with
     * output, not one per line. */
    if (hs_stdio_flush)
        hs_stdio_flush();
    hs_current_result = NULL;
    hs_reply_offset = 0;
    hs_result_finish(&result);
}
