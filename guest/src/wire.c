/*
 * Wire codec (docs/guest-abi.md §6). Scalars are read and written byte by byte, so they work at
 * any alignment and endianness-independently; gcc folds the byte accesses into single loads.
 * Sizes are computed in 64 bits so that no 32-bit field from the wire can overflow them.
 * Payloads are copied with memcpy (the guest's is fast even where KVM emulates the guest).
 */
#include "hypersharp/wire.h"

#define HEADER_SIZE 16u
#define VALUE_HEADER_SIZE 8u
#define SIGNATURE_HEADER_SIZE 8u

static uint16_t read16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t read32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t read64(const uint8_t *p) { return read32(p) | (uint64_t)read32(p + 4) << 32; }

static void write16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void write32(uint8_t *p, uint32_t v)
{
    write16(p, (uint16_t)v);
    write16(p + 2, (uint16_t)(v >> 16));
}

static void write64(uint8_t *p, uint64_t v)
{
    write32(p, (uint32_t)v);
    write32(p + 4, (uint32_t)(v >> 32));
}

static int all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void zero_fill(uint8_t *p, uint64_t n) { __builtin_memset(p, 0, n); }

static void copy_bytes(uint8_t *dst, const void *src, uint64_t n)
{
    if (dst != src) /* an ERROR text formatted in place */
        __builtin_memcpy(dst, src, n);
}

size_t hs_utf8_valid_prefix(const void *data, size_t size)
{
    const uint8_t *s = data;
    size_t i = 0;
    while (i < size) {
        /* ASCII runs, the common case, eight bytes at a time. */
        if (size - i >= 8 && (read64(s + i) & 0x8080808080808080ull) == 0) {
            i += 8;
            continue;
        }
        uint8_t c = s[i];
        size_t n;
        uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        if (size - i < n || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n;
    }
    return i;
}

static int utf8_valid(const void *data, uint64_t size)
{
    return hs_utf8_valid_prefix(data, (size_t)size) == size;
}

/* Payload size a scalar type must have, 0 for STRING and BYTES, -1 for an unknown tag. */
static int scalar_size(uint8_t type)
{
    switch (type) {
    case HS_TYPE_INT:
    case HS_TYPE_UINT:
    case HS_TYPE_FLOAT:
        return 4;
    case HS_TYPE_LONG:
    case HS_TYPE_ULONG:
    case HS_TYPE_DOUBLE:
        return 8;
    case HS_TYPE_BOOL:
        return 1;
    case HS_TYPE_STRING:
    case HS_TYPE_BYTES:
        return 0;
    default:
        return -1;
    }
}

static int is_value_type(uint8_t type) { return scalar_size(type) >= 0; }

static int is_return_type(uint8_t type) { return type == HS_TYPE_VOID || is_value_type(type); }

/* Payload plus padding: STRING keeps room for its NUL. */
static uint64_t padded_payload(uint8_t type, uint64_t size)
{
    return hs_align8(type == HS_TYPE_STRING ? size + 1 : size);
}

/* ---- Decoding --------------------------------------------------------------------------- */

/* Part decoders return the part's encoded length; no part is 0 bytes long, so 0 means invalid. */
static uint64_t reject(const char **why, const char *reason)
{
    *why = reason;
    return 0;
}

/* Decodes the value at `p`, with `avail` bytes of the message left. */
static uint64_t decode_value(const uint8_t *p, uint64_t avail, hs_value *v, const char **why)
{
    if (avail < VALUE_HEADER_SIZE)
        return reject(why, "value header runs past the end of the message");
    uint8_t type = p[0];
    uint32_t size = read32(p + 4);
    int expected = scalar_size(type);
    if (type == HS_TYPE_VOID || expected < 0)
        return reject(why, "unknown value type");
    if (p[1] != 0 || p[2] != 0 || p[3] != 0)
        return reject(why, "value reserved bytes are not zero");
    if (expected > 0 && size != (uint32_t)expected)
        return reject(why, "value size does not match its type");
    uint64_t padded = padded_payload(type, size);
    if (padded > avail - VALUE_HEADER_SIZE)
        return reject(why, "value runs past the end of the message");
    const uint8_t *payload = p + VALUE_HEADER_SIZE;
    if (!all_zero(payload + size, padded - size))
        return reject(why, type == HS_TYPE_STRING ? "string is not followed by NUL and zero padding"
                                                  : "value padding is not zero");

    v->type = type;
    v->size = size;
    switch (type) {
    case HS_TYPE_INT:
    case HS_TYPE_UINT:
    case HS_TYPE_FLOAT:
        v->as.u32 = read32(payload);
        break;
    case HS_TYPE_LONG:
    case HS_TYPE_ULONG:
    case HS_TYPE_DOUBLE:
        v->as.u64 = read64(payload);
        break;
    case HS_TYPE_BOOL:
        if (payload[0] > 1)
            return reject(why, "bool is neither 0 nor 1");
        v->as.b = payload[0];
        break;
    case HS_TYPE_STRING:
        if (!utf8_valid(payload, size))
            return reject(why, "string is not valid UTF-8");
        v->as.p = payload;
        break;
    default: /* BYTES */
        v->as.p = payload;
        break;
    }
    return VALUE_HEADER_SIZE + padded;
}

/* Decodes `count` values filling exactly [p, p + avail). */
static const char *decode_values(const uint8_t *p, uint64_t avail, hs_value *values,
                                 unsigned count)
{
    const char *why = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t n = decode_value(p, avail, &values[i], &why);
        if (n == 0)
            return why;
        p += n;
        avail -= n;
    }
    return avail == 0 ? 0 : "message has bytes after its last value";
}

static uint64_t decode_signature(const uint8_t *p, uint64_t avail, const char **why)
{
    if (avail < SIGNATURE_HEADER_SIZE)
        return reject(why, "signature header runs past the end of the message");
    uint8_t return_type = p[0], param_count = p[1];
    uint16_t name_size = read16(p + 2);
    if (!is_return_type(return_type))
        return reject(why, "signature has an unknown return type");
    if (read32(p + 4) != 0)
        return reject(why, "signature reserved field is not zero");
    if (param_count > HS_MAX_PARAMETERS)
        return reject(why, "signature has more than HS_MAX_PARAMETERS parameters");
    if (name_size > HS_MAX_NAME_SIZE)
        return reject(why, "signature name is longer than HS_MAX_NAME_SIZE");
    uint64_t body = (uint64_t)param_count + name_size;
    if (hs_align8(body) > avail - SIGNATURE_HEADER_SIZE)
        return reject(why, "signature runs past the end of the message");
    const uint8_t *params = p + SIGNATURE_HEADER_SIZE;
    for (unsigned i = 0; i < param_count; i++)
        if (!is_value_type(params[i]) || params[i] == HS_TYPE_VOID)
            return reject(why, "signature has an unknown parameter type");
    if (!utf8_valid(params + param_count, name_size))
        return reject(why, "signature name is not valid UTF-8");
    if (!all_zero(params + body, hs_align8(body) - body))
        return reject(why, "signature padding is not zero");
    return SIGNATURE_HEADER_SIZE + hs_align8(body);
}

const char *hs_wire_decode(const void *buffer, size_t buffer_size, hs_message *m)
{
    const uint8_t *b = buffer;
    if (buffer_size < HEADER_SIZE)
        return "buffer is smaller than a message header";
    uint32_t size = read32(b);
    if (size < HEADER_SIZE)
        return "message size is smaller than its header";
    if (size % 8 != 0)
        return "message size is not a multiple of 8";
    if (size > buffer_size)
        return "message size exceeds the buffer";
    if (read32(b + 12) != 0)
        return "header reserved field is not zero";

    m->size = size;
    m->kind = b[4];
    m->return_type = b[5];
    m->count = read16(b + 6);
    m->code = 0;
    m->name = 0;
    m->name_size = 0;
    m->signatures = 0;
    uint32_t name_size = read32(b + 8);
    const uint8_t *p = b + HEADER_SIZE;
    uint64_t avail = size - HEADER_SIZE;

    switch (m->kind) {
    case HS_MSG_CALL:
        if (!is_return_type(m->return_type))
            return "CALL has an unknown return type";
        if (name_size > HS_MAX_NAME_SIZE)
            return "CALL name is longer than HS_MAX_NAME_SIZE";
        if (hs_align8(name_size) > avail)
            return "CALL name runs past the end of the message";
        if (!utf8_valid(p, name_size))
            return "CALL name is not valid UTF-8";
        if (!all_zero(p + name_size, hs_align8(name_size) - name_size))
            return "CALL name padding is not zero";
        if (m->count > HS_MAX_PARAMETERS)
            return "CALL has more than HS_MAX_PARAMETERS values";
        m->name = (const char *)p;
        m->name_size = name_size;
        p += hs_align8(name_size);
        avail -= hs_align8(name_size);
        return decode_values(p, avail, m->values, m->count);

    case HS_MSG_RETURN: {
        if (name_size != 0)
            return "RETURN name_size is not zero";
        if (m->count > 1)
            return "RETURN carries more than one value";
        if (m->count == 0)
            return m->return_type != HS_TYPE_VOID ? "RETURN without a value is not VOID"
                   : avail != 0                   ? "message has bytes after its last value"
                                                  : 0;
        const char *why = decode_values(p, avail, m->values, 1);
        if (why)
            return why;
        return m->values[0].type == m->return_type ? 0
                                                   : "RETURN type differs from its value's type";
    }

    case HS_MSG_ERROR: {
        if (m->return_type != HS_TYPE_VOID)
            return "ERROR return_type is not zero";
        if (m->count != 1)
            return "ERROR does not carry exactly one value";
        m->code = name_size;
        const char *why = decode_values(p, avail, m->values, 1);
        if (why)
            return why;
        return m->values[0].type == HS_TYPE_STRING ? 0 : "ERROR value is not a STRING";
    }

    case HS_MSG_FUNCTIONS:
        if (m->return_type != HS_TYPE_VOID)
            return "FUNCTIONS return_type is not zero";
        if (name_size != 0)
            return "FUNCTIONS name_size is not zero";
        if (m->count > HS_MAX_FUNCTIONS)
            return "FUNCTIONS lists more than HS_MAX_FUNCTIONS signatures";
        m->signatures = p;
        for (unsigned i = 0; i < m->count; i++) {
            const char *why = 0;
            uint64_t n = decode_signature(p, avail, &why);
            if (n == 0)
                return why;
            p += n;
            avail -= n;
        }
        return avail == 0 ? 0 : "message has bytes after its last signature";

    default:
        return "unknown message kind";
    }
}

void hs_wire_next_signature(const uint8_t **cursor, hs_signature *s)
{
    const uint8_t *p = *cursor;
    s->return_type = p[0];
    s->param_count = p[1];
    s->name_size = read16(p + 2);
    s->param_types = p + SIGNATURE_HEADER_SIZE;
    s->name = (const char *)(s->param_types + s->param_count);
    *cursor = p + SIGNATURE_HEADER_SIZE + hs_align8((uint64_t)s->param_count + s->name_size);
}

/* ---- Encoding --------------------------------------------------------------------------- */

/* Encoded length of a value, or 0 if it breaks a rule. */
static uint64_t value_length(const hs_value *v)
{
    int scalar = scalar_size(v->type);
    if (v->type == HS_TYPE_VOID || scalar < 0)
        return 0;
    if (v->type == HS_TYPE_BOOL && v->as.b > 1)
        return 0;
    if (v->type == HS_TYPE_STRING && !utf8_valid(v->as.p, v->size))
        return 0;
    uint64_t size = scalar > 0 ? (uint64_t)scalar : v->size;
    return VALUE_HEADER_SIZE + padded_payload(v->type, size);
}

static uint8_t *write_value(uint8_t *p, const hs_value *v)
{
    int scalar = scalar_size(v->type);
    uint32_t size = scalar > 0 ? (uint32_t)scalar : v->size;
    uint64_t padded = padded_payload(v->type, size);
    uint8_t *payload = p + VALUE_HEADER_SIZE;
    /* Payload first: an ERROR text may already sit at its final place, which the headers and
     * padding of this value never overlap. */
    switch (v->type) {
    case HS_TYPE_INT:
    case HS_TYPE_UINT:
    case HS_TYPE_FLOAT:
        write32(payload, v->as.u32);
        break;
    case HS_TYPE_LONG:
    case HS_TYPE_ULONG:
    case HS_TYPE_DOUBLE:
        write64(payload, v->as.u64);
        break;
    case HS_TYPE_BOOL:
        payload[0] = v->as.b;
        break;
    default: /* STRING, BYTES */
        copy_bytes(payload, v->as.p, size);
        break;
    }
    zero_fill(payload + size, padded - size);
    p[0] = v->type;
    p[1] = p[2] = p[3] = 0;
    write32(p + 4, size);
    return payload + padded;
}

static void write_header(uint8_t *b, uint64_t size, uint8_t kind, uint8_t return_type,
                         uint16_t count, uint32_t name_size)
{
    write32(b, (uint32_t)size);
    b[4] = kind;
    b[5] = return_type;
    write16(b + 6, count);
    write32(b + 8, name_size);
    write32(b + 12, 0);
}

/* Adds the values' lengths to *total; 0 if one is invalid. */
static int add_values(uint64_t *total, const hs_value *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t n = value_length(&values[i]);
        if (n == 0)
            return 0;
        *total += n;
    }
    return 1;
}

static int fits(uint64_t total, size_t capacity, uint64_t *size)
{
    *size = total;
    return total <= capacity && total <= UINT32_MAX ? HS_WIRE_OK : HS_WIRE_NO_SPACE;
}

int hs_wire_encode_call(void *buffer, size_t capacity, const char *name, size_t name_size,
                        uint8_t return_type, const hs_value *values, size_t count, uint64_t *size)
{
    uint64_t total = HEADER_SIZE + hs_align8(name_size);
    if (!is_return_type(return_type) || name_size > HS_MAX_NAME_SIZE ||
        !utf8_valid(name, name_size) || count > HS_MAX_PARAMETERS ||
        !add_values(&total, values, count))
        return HS_WIRE_INVALID;
    int status = fits(total, capacity, size);
    if (status != HS_WIRE_OK)
        return status;
    uint8_t *b = buffer;
    write_header(b, total, HS_MSG_CALL, return_type, (uint16_t)count, (uint32_t)name_size);
    copy_bytes(b + HEADER_SIZE, name, name_size);
    zero_fill(b + HEADER_SIZE + name_size, hs_align8(name_size) - name_size);
    uint8_t *p = b + HEADER_SIZE + hs_align8(name_size);
    for (size_t i = 0; i < count; i++)
        p = write_value(p, &values[i]);
    return HS_WIRE_OK;
}

int hs_wire_encode_return(void *buffer, size_t capacity, const hs_value *value, uint64_t *size)
{
    uint64_t total = HEADER_SIZE;
    if (value && !add_values(&total, value, 1))
        return HS_WIRE_INVALID;
    int status = fits(total, capacity, size);
    if (status != HS_WIRE_OK)
        return status;
    uint8_t *b = buffer;
    write_header(b, total, HS_MSG_RETURN, value ? value->type : HS_TYPE_VOID, value ? 1 : 0, 0);
    if (value)
        write_value(b + HEADER_SIZE, value);
    return HS_WIRE_OK;
}

int hs_wire_encode_error(void *buffer, size_t capacity, uint32_t code, const char *text,
                         size_t length, uint64_t *size)
{
    hs_value message = {.type = HS_TYPE_STRING, .size = (uint32_t)length, .as.p = text};
    uint64_t total = HEADER_SIZE;
    if (length > UINT32_MAX || !add_values(&total, &message, 1))
        return HS_WIRE_INVALID;
    int status = fits(total, capacity, size);
    if (status != HS_WIRE_OK)
        return status;
    uint8_t *b = buffer;
    write_value(b + HEADER_SIZE, &message);
    write_header(b, total, HS_MSG_ERROR, HS_TYPE_VOID, 1, code);
    return HS_WIRE_OK;
}

/* Once per guest, at initialisation: kept off the pages every call runs (internal.h, HS_COLD). */
__attribute__((cold)) int hs_wire_encode_functions(void *buffer, size_t capacity, const hs_signature *signatures,
                             size_t count, uint64_t *size)
{
    uint64_t total = HEADER_SIZE;
    if (count > HS_MAX_FUNCTIONS)
        return HS_WIRE_INVALID;
    for (size_t i = 0; i < count; i++) {
        const hs_signature *s = &signatures[i];
        if (!is_return_type(s->return_type) || s->param_count > HS_MAX_PARAMETERS ||
            s->name_size > HS_MAX_NAME_SIZE || !utf8_valid(s->name, s->name_size))
            return HS_WIRE_INVALID;
        for (unsigned k = 0; k < s->param_count; k++)
            if (!is_value_type(s->param_types[k]) || s->param_types[k] == HS_TYPE_VOID)
                return HS_WIRE_INVALID;
        total += SIGNATURE_HEADER_SIZE + hs_align8((uint64_t)s->param_count + s->name_size);
    }
    int status = fits(total, capacity, size);
    if (status != HS_WIRE_OK)
        return status;
    uint8_t *b = buffer;
    write_header(b, total, HS_MSG_FUNCTIONS, HS_TYPE_VOID, (uint16_t)count, 0);
    uint8_t *p = b + HEADER_SIZE;
    for (size_t i = 0; i < count; i++) {
        const hs_signature *s = &signatures[i];
        uint64_t body = (uint64_t)s->param_count + s->name_size;
        p[0] = s->return_type;
        p[1] = s->param_count;
        write16(p + 2, s->name_size);
        write32(p + 4, 0);
        copy_bytes(p + SIGNATURE_HEADER_SIZE, s->param_types, s->param_count);
        copy_bytes(p + SIGNATURE_HEADER_SIZE + s->param_count, s->name, s->name_size);
        zero_fill(p + SIGNATURE_HEADER_SIZE + body, hs_align8(body) - body);
        p += SIGNATURE_HEADER_SIZE + hs_align8(body);
    }
    return HS_WIRE_OK;
}

int hs_wire_encode(void *buffer, size_t capacity, const hs_message *m, uint64_t *size)
{
    switch (m->kind) {
    case HS_MSG_CALL:
        return hs_wire_encode_call(buffer, capacity, m->name, m->name_size, m->return_type,
                                   m->values, m->count, size);
    case HS_MSG_RETURN:
        if (m->count > 1 || (m->count == 0) != (m->return_type == HS_TYPE_VOID) ||
            (m->count == 1 && m->values[0].type != m->return_type))
            return HS_WIRE_INVALID;
        return hs_wire_encode_return(buffer, capacity, m->count ? &m->values[0] : 0, size);
    case HS_MSG_ERROR:
        if (m->count != 1 || m->values[0].type != HS_TYPE_STRING)
            return HS_WIRE_INVALID;
        return hs_wire_encode_error(buffer, capacity, m->code, m->values[0].as.p,
                                    m->values[0].size, size);
    default: /* FUNCTIONS needs its signatures as structs: hs_wire_encode_functions */
        return HS_WIRE_INVALID;
    }
}
