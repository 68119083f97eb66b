/*
 * Result builders. Each encodes its RETURN or ERROR straight into the output buffer, so a
 * result is copied once. A host call made after that needs the buffer, so hs_result_save moves
 * the message to the heap and hs_result_finish puts it back.
 */
#include "internal.h"

static uint8_t *output(void) { return (uint8_t *)(uintptr_t)hs_peb_pointer->output_base; }

static size_t output_size(void) { return hs_peb_pointer->output_size; }

/* A new result replaces one saved across a host call. */
static void drop_saved(hs_result *result)
{
    free(result->saved);
    result->saved = NULL;
}

static void fail(hs_result *result, uint32_t code, const char *format, va_list args)
{
    drop_saved(result);
    /* Format in place: the text's final position is right after the two headers. */
    char *text = (char *)output() + HS_WIRE_PAYLOAD_OFFSET;
    size_t length = hs_text_format(text, output_size() - HS_WIRE_PAYLOAD_OFFSET - 8, format, args);
    hs_wire_encode_error(output(), output_size(), code, text, length, &result->size);
    result->state = HS_RESULT_ENCODED;
}

void hs_return_error(hs_result *result, uint32_t code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fail(result, code, format, args);
    va_end(args);
}

void hs_return_host_error(hs_result *result, const hs_host_reply *reply)
{
    hs_return_error(result, HS_ERROR_HOST_FUNCTION, "%.*s", (int)reply->error_length,
                    reply->error_message);
}

static const hs_signature *signature(const hs_result *result)
{
    return &result->function->signature;
}

static bool check_type(hs_result *result, uint8_t type)
{
    const hs_signature *s = signature(result);
    if (type == s->return_type)
        return true;
    hs_return_error(result, HS_ERROR_GUEST,
                    "guest function '%.*s' returned %s but is declared to return %s",
                    (int)s->name_size, s->name, hs_type_name(type), hs_type_name(s->return_type));
    return false;
}

static void too_large(hs_result *result, uint64_t size)
{
    hs_return_error(result, HS_ERROR_RESULT_TOO_LARGE,
                    "the result needs %llu bytes but the output buffer has %llu",
                    (unsigned long long)size, (unsigned long long)output_size());
}

static void not_utf8(hs_result *result)
{
    const hs_signature *s = signature(result);
    hs_return_error(result, HS_ERROR_GUEST,
                    "guest function '%.*s' returned a STRING that is not valid UTF-8",
                    (int)s->name_size, s->name);
}

/* Returns whether the RETURN was encoded (else an ERROR took its place). */
static bool return_value(hs_result *result, const hs_value *value)
{
    if (!check_type(result, value ? value->type : HS_TYPE_VOID))
        return false;
    drop_saved(result);
    uint64_t size;
    int status = hs_wire_encode_return(output(), output_size(), value, &size);
    if (status == HS_WIRE_NO_SPACE) {
        too_large(result, size);
        return false;
    }
    if (status != HS_WIRE_OK) {
        not_utf8(result); /* the only way a typed value can be invalid */
        return false;
    }
    result->size = size;
    result->state = HS_RESULT_ENCODED;
    return true;
}

static void return_scalar(hs_result *result, hs_value value) { return_value(result, &value); }

void hs_return_void(hs_result *result) { return_value(result, NULL); }
void hs_return_int(hs_result *result, int32_t v) { return_scalar(result, hs_int(v)); }
void hs_return_uint(hs_result *result, uint32_t v) { return_scalar(result, hs_uint(v)); }
void hs_return_long(hs_result *result, int64_t v) { return_scalar(result, hs_long(v)); }
void hs_return_ulong(hs_result *result, uint64_t v) { return_scalar(result, hs_ulong(v)); }
void hs_return_bool(hs_result *result, bool v) { return_scalar(result, hs_bool(v)); }

void hs_return_string(hs_result *result, const char *text)
{
    hs_return_string_n(result, text, strlen(text));
}

/* STRING and BYTES: sizes beyond the buffer must not be truncated into the 32-bit size field. */
static bool return_payload(hs_result *result, hs_type type, const void *data, size_t length)
{
    if (length > output_size()) {
        if (check_type(result, type))
            too_large(result, HS_WIRE_PAYLOAD_OFFSET + (uint64_t)length);
        return false;
    }
    hs_value value = {.type = type, .size = (uint32_t)length, .as.p = data};
    return return_value(result, &value);
}

void hs_return_string_n(hs_result *result, const char *text, size_t length)
{
    return_payload(result, HS_TYPE_STRING, text, length);
}

void hs_return_bytes(hs_result *result, const void *data, size_t length)
{
    return_payload(result, HS_TYPE_BYTES, data, length);
}

void hs_return_value(hs_result *result, const hs_value *value)
{
    if (value && (value->type == HS_TYPE_STRING || value->type == HS_TYPE_BYTES))
        return_payload(result, value->type, value->as.p, value->size);
    else
        return_value(result, value);
}

void *hs_return_reserve(hs_result *result, hs_type type, size_t length)
{
    if (type != HS_TYPE_STRING && type != HS_TYPE_BYTES)
        hs_abortf(HS_ABORT_ASSERTION, "hs_return_reserve: %s is neither STRING nor BYTES",
                  hs_type_name(type));
    uint8_t *payload = output() + HS_WIRE_PAYLOAD_OFFSET;
    if (length <= output_size() - HS_WIRE_PAYLOAD_OFFSET)
        memset(payload, 0, length); /* a valid placeholder the encoder accepts in place */
    if (!return_payload(result, type, payload, length))
        return NULL;
    result->state = HS_RESULT_RESERVED;
    return payload;
}

void hs_result_save(hs_result *result)
{
    if (result->state == HS_RESULT_NONE || result->state == HS_RESULT_LOST || result->saved)
        return;
    result->saved = malloc(result->size);
    if (result->saved)
        memcpy(result->saved, output(), result->size);
    else
        result->state = HS_RESULT_LOST;
}

void hs_result_finish(hs_result *result)
{
    if (result->saved) {
        memcpy(output(), result->saved, result->size);
        drop_saved(result);
    }
    switch (result->state) {
    case HS_RESULT_NONE:
        if (signature(result)->return_type == HS_TYPE_VOID) {
            hs_return_void(result);
        } else {
            const hs_signature *s = signature(result);
            hs_return_error(result, HS_ERROR_GUEST, "guest function '%.*s' returned no result",
                            (int)s->name_size, s->name);
        }
        break;
    case HS_RESULT_RESERVED: {
        /* The function wrote the payload itself: only a STRING can have become invalid. */
        hs_message message;
        if (hs_wire_decode(output(), result->size, &message) != NULL)
            not_utf8(result);
        break;
    }
    case HS_RESULT_LOST: {
        const hs_signature *s = signature(result);
        hs_return_error(result, HS_ERROR_GUEST,
                        "guest function '%.*s' built its result, then called the host with no heap "
                        "room left to keep the result meanwhile",
                        (int)s->name_size, s->name);
        break;
    }
    case HS_RESULT_ENCODED:
        break;
    }
}
