/* Parameter accessors. dispatch.c has matched the CALL against the signature, so a wrong
 * index or type here is a bug in the guest function. */
#include "internal.h"

static const hs_value *at(const hs_call *call, int index, const char *accessor)
{
    const hs_signature *s = &call->function->signature;
    if (index < 0 || index >= call->message->count)
        hs_abortf(HS_ABORT_ASSERTION, "%s(%d) in '%.*s': it has %u parameters", accessor, index,
                  (int)s->name_size, s->name, call->message->count);
    return &call->message->values[index];
}

const hs_value *hs_arg_typed(const hs_call *call, int index, hs_type type, const char *accessor)
{
    const hs_signature *s = &call->function->signature;
    const hs_value *v = at(call, index, accessor);
    if (v->type != type)
        hs_abortf(HS_ABORT_ASSERTION, "%s(%d) in '%.*s': the parameter is %s, not %s", accessor,
                  index, (int)s->name_size, s->name, hs_type_name(v->type), hs_type_name(type));
    return v;
}

const char *hs_call_name(const hs_call *call, size_t *length)
{
    *length = call->message->name_size;
    return call->message->name;
}

int hs_arg_count(const hs_call *call) { return call->message->count; }

const hs_value *hs_arg(const hs_call *call, int index) { return at(call, index, "hs_arg"); }

int32_t hs_arg_int(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_INT, "hs_arg_int")->as.i32;
}

uint32_t hs_arg_uint(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_UINT, "hs_arg_uint")->as.u32;
}

int64_t hs_arg_long(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_LONG, "hs_arg_long")->as.i64;
}

uint64_t hs_arg_ulong(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_ULONG, "hs_arg_ulong")->as.u64;
}

bool hs_arg_bool(const hs_call *call, int index)
{
    return hs_arg_typed(call, index, HS_TYPE_BOOL, "hs_arg_bool")->as.b;
}

const char *hs_arg_string(const hs_call *call, int index, size_t *length)
{
    const hs_value *v = hs_arg_typed(call, index, HS_TYPE_STRING, "hs_arg_string");
    if (length)
        *length = v->size;
    return v->as.p;
}

const void *hs_arg_bytes(const hs_call *call, int index, size_t *length)
{
    const hs_value *v = hs_arg_typed(call, index, HS_TYPE_BYTES, "hs_arg_bytes");
    if (length)
        *length = v->size;
    return v->as.p;
}
