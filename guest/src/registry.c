/*
 * The guest functions hs_main registers, and the FUNCTIONS message that announces them.
 * Names are found through an open-addressing hash table, so registering n functions costs O(n)
 * and each call's lookup one hash and one comparison.
 */
#include "internal.h"

static hs_function *functions;
static size_t function_count, function_capacity;
static bool sealed;

/* Slots hold a function index + 1 (0 = empty); at most half are used. */
static uint32_t *slots;
static size_t slot_count; /* a power of two */

static bool is_value_type(int type) { return type >= HS_TYPE_INT && type <= HS_TYPE_BYTES; }

/* FNV-1a */
static uint32_t hash(const char *name, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ (uint8_t)name[i]) * 16777619u;
    return h;
}

const hs_function *hs_registry_find(const char *name, size_t name_size)
{
    if (slot_count == 0)
        return NULL;
    for (size_t i = hash(name, name_size) & (slot_count - 1);; i = (i + 1) & (slot_count - 1)) {
        if (slots[i] == 0)
            return NULL;
        const hs_function *f = &functions[slots[i] - 1];
        if (f->signature.name_size == name_size && memcmp(f->signature.name, name, name_size) == 0)
            return f;
    }
}

/* Registration happens once, in hs_main: without room for the table there is no guest to run. */
HS_COLD static _Noreturn void no_room(const char *name)
{
    hs_abortf(HS_ABORT_OUT_OF_MEMORY, "hs_register(\"%s\"): the heap has no room for the function table", name);
}

HS_COLD static void place(uint32_t index)
{
    const hs_signature *s = &functions[index].signature;
    size_t i = hash(s->name, s->name_size) & (slot_count - 1);
    while (slots[i] != 0)
        i = (i + 1) & (slot_count - 1);
    slots[i] = index + 1;
}

/* Keeps the table at most half full, so probe sequences stay short. */
HS_COLD static void make_room_for_one_more(const char *name)
{
    if (2 * (function_count + 1) <= slot_count)
        return;
    free(slots);
    slot_count = slot_count ? 2 * slot_count : 64;
    slots = calloc(slot_count, sizeof *slots);
    if (!slots)
        no_room(name);
    for (uint32_t i = 0; i < function_count; i++)
        place(i);
}

HS_COLD void hs_register_array(const char *name, hs_type ret, hs_guest_fn fn, int nparams,
                       const hs_type *params)
{
    if (!name)
        hs_abort(HS_ABORT_ASSERTION, "hs_register: the name is NULL");
    if (sealed)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): register functions in hs_main only",
                  name);
    size_t name_size = strlen(name);
    if (name_size == 0 || name_size > HS_MAX_NAME_SIZE)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): the name must have 1 to %u bytes",
                  name, HS_MAX_NAME_SIZE);
    if (hs_utf8_valid_prefix(name, name_size) != name_size)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): the name is not valid UTF-8", name);
    if (!fn)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): the function is NULL", name);
    if (ret != HS_TYPE_VOID && !is_value_type(ret))
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): %d is not a return type", name, ret);
    if (nparams < 0 || nparams > (int)HS_MAX_PARAMETERS)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): %d parameters (0 to %u allowed)",
                  name, nparams, HS_MAX_PARAMETERS);
    for (int i = 0; i < nparams; i++)
        if (!is_value_type(params[i]))
            hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): parameter %d has type %d", name,
                      i, params[i]);
    if (hs_registry_find(name, name_size))
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): the name is already registered",
                  name);
    if (function_count == HS_MAX_FUNCTIONS)
        hs_abortf(HS_ABORT_ASSERTION, "hs_register(\"%s\"): more than %u functions", name,
                  HS_MAX_FUNCTIONS);

    if (function_count == function_capacity) {
        function_capacity = function_capacity ? 2 * function_capacity : 16;
        functions = realloc(functions, function_capacity * sizeof *functions);
        if (!functions)
            no_room(name);
    }
    /* Parameter types and name share one allocation; the name is copied so callers may pass
     * temporaries. */
    uint8_t *storage = malloc((size_t)nparams + name_size);
    if (!storage)
        no_room(name);
    for (int i = 0; i < nparams; i++)
        storage[i] = (uint8_t)params[i];
    memcpy(storage + nparams, name, name_size);
    make_room_for_one_more(name);
    functions[function_count] = (hs_function){
        .signature = {.return_type = (uint8_t)ret,
                      .param_count = (uint8_t)nparams,
                      .name_size = (uint16_t)name_size,
                      .param_types = storage,
                      .name = (const char *)storage + nparams},
        .fn = fn,
    };
    place((uint32_t)function_count++);
}

HS_COLD void hs_register(const char *name, hs_type ret, hs_guest_fn fn, int nparams, ...)
{
    hs_type params[HS_MAX_PARAMETERS];
    va_list args;
    va_start(args, nparams);
    for (int i = 0; i < nparams && i < (int)HS_MAX_PARAMETERS; i++)
        params[i] = va_arg(args, hs_type);
    va_end(args);
    hs_register_array(name, ret, fn, nparams, params);
}

HS_COLD void hs_registry_seal(void) { sealed = true; }

HS_COLD void hs_registry_announce(void)
{
    const hs_peb *peb = hs_peb_pointer;
    hs_signature *signatures = malloc(function_count * sizeof *signatures + 1);
    if (!signatures)
        hs_abort(HS_ABORT_OUT_OF_MEMORY, "the heap has no room to list the registered functions");
    for (size_t i = 0; i < function_count; i++)
        signatures[i] = functions[i].signature;
    uint64_t size;
    int status = hs_wire_encode_functions((void *)(uintptr_t)peb->output_base, peb->output_size,
                                          signatures, function_count, &size);
    free(signatures);
    if (status != HS_WIRE_OK)
        hs_abortf(HS_ABORT_OUT_OF_MEMORY,
                  "the FUNCTIONS message needs %llu bytes but the output buffer has %llu",
                  (unsigned long long)size, (unsigned long long)peb->output_size);
}
