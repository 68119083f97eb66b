/*
 * simpleguest: the guest the C# integration tests drive. It covers every value type, state
 * kept across calls, host calls, output, aborts, CPU faults, the heap, buffer limits, and
 * guests that deliberately break the protocol. Names and signatures are a contract with
 * tests/HyperSharp.IntegrationTests; change them only together.
 */
#include "hypersharp/guest.h"
#include "hypersharp/port.h"
#include "raw_output.h"

/* ---- Echo -------------------------------------------------------------------------------- */

/* Every Echo* returns its only argument unchanged. */
static void echo(const hs_call *call, hs_result *result) { hs_return_value(result, hs_arg(call, 0)); }

static void nothing(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_void(result);
}

/* ---- State across calls ------------------------------------------------------------------ */

static int32_t static_value;
static int32_t counter;

static void add(const hs_call *call, hs_result *result)
{
    /* Wraps around like C# unchecked addition instead of overflowing (undefined in C). */
    uint32_t sum = (uint32_t)hs_arg_int(call, 0) + (uint32_t)hs_arg_int(call, 1);
    hs_return_int(result, (int32_t)sum);
}

static void set_static(const hs_call *call, hs_result *result)
{
    static_value = hs_arg_int(call, 0);
    hs_return_void(result);
}

static void get_static(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, static_value);
}

static void increment_counter(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, ++counter);
}

/* ---- MixedArgsN -------------------------------------------------------------------------- */

/* Parameter i of MixedArgsN has type mixed_cycle[i % 9]. */
static const hs_type mixed_cycle[] = {HS_TYPE_STRING, HS_TYPE_INT,   HS_TYPE_LONG,
                                      HS_TYPE_BOOL,   HS_TYPE_DOUBLE, HS_TYPE_UINT,
                                      HS_TYPE_ULONG,  HS_TYPE_FLOAT, HS_TYPE_BYTES};

/* Renders a non-STRING argument as MixedArgsN reports it. */
static int render_mixed(char *out, size_t size, const hs_value *v)
{
    switch (v->type) {
    case HS_TYPE_INT:
        return hs_snprintf(out, size, "%d", v->as.i32);
    case HS_TYPE_LONG:
        return hs_snprintf(out, size, "%lld", (long long)v->as.i64);
    case HS_TYPE_UINT:
        return hs_snprintf(out, size, "%u", v->as.u32);
    case HS_TYPE_ULONG:
        return hs_snprintf(out, size, "%llu", (unsigned long long)v->as.u64);
    case HS_TYPE_BOOL:
        return hs_snprintf(out, size, "%s", v->as.b ? "true" : "false");
    case HS_TYPE_FLOAT:
        return hs_snprintf(out, size, "%08x", v->as.u32);
    case HS_TYPE_DOUBLE:
        return hs_snprintf(out, size, "%016llx", (unsigned long long)v->as.u64);
    default: /* BYTES */
        return hs_snprintf(out, size, "#%u", v->size);
    }
}

/* Joins the rendered arguments with ',': measured first, then written in place. */
static void mixed_args(const hs_call *call, hs_result *result)
{
    int count = hs_arg_count(call);
    size_t length = 0;
    for (int i = 0; i < count; i++) {
        const hs_value *v = hs_arg(call, i);
        /* Strings are copied, not formatted: they may contain NULs. */
        length += (i > 0) + (v->type == HS_TYPE_STRING ? v->size : (size_t)render_mixed(NULL, 0, v));
    }
    char *text = hs_return_reserve(result, HS_TYPE_STRING, length);
    if (!text)
        return;
    for (int i = 0; i < count; i++) {
        const hs_value *v = hs_arg(call, i);
        if (i > 0)
            *text++ = ',';
        if (v->type == HS_TYPE_STRING) {
            memcpy(text, v->as.p, v->size);
            text += v->size;
        } else {
            char item[32];
            int n = render_mixed(item, sizeof item, v);
            memcpy(text, item, (size_t)n);
            text += n;
        }
    }
}

static void register_mixed_args(const char *name, int count)
{
    hs_type params[HS_MAX_PARAMETERS];
    for (int i = 0; i < count; i++)
        params[i] = mixed_cycle[i % 9];
    hs_register_array(name, HS_TYPE_STRING, mixed_args, count, params);
}

/* ---- Host calls -------------------------------------------------------------------------- */

/* RoundTrip<T>(x) returns Host<T>(x): the host function's name is derived from our own. */
static void round_trip(const hs_call *call, hs_result *result)
{
    size_t name_length;
    const char *name = hs_call_name(call, &name_length);
    const size_t prefix = sizeof "RoundTrip" - 1;
    char host_name[64];
    hs_snprintf(host_name, sizeof host_name, "Host%.*s", (int)(name_length - prefix), name + prefix);
    const hs_value *argument = hs_arg(call, 0);
    hs_host_reply reply;
    if (hs_call_host_array(host_name, argument->type, &reply, 1, argument))
        hs_return_value(result, &reply.value);
    else
        hs_return_host_error(result, &reply);
}

static void call_host_add(const hs_call *call, hs_result *result)
{
    hs_host_reply reply;
    if (hs_call_host("HostAdd", HS_TYPE_INT, &reply, 2, hs_int(hs_arg_int(call, 0)),
                     hs_int(hs_arg_int(call, 1))))
        hs_return_int(result, reply.value.as.i32);
    else
        hs_return_host_error(result, &reply);
}

static void call_host_void(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_host_reply reply;
    if (hs_call_host("HostVoid", HS_TYPE_VOID, &reply, 0))
        hs_return_int(result, 1);
    else
        hs_return_host_error(result, &reply);
}

static void call_host_by_name(const hs_call *call, hs_result *result)
{
    hs_host_reply reply;
    if (hs_call_host(hs_arg_string(call, 0, NULL), HS_TYPE_INT, &reply, 0))
        hs_return_int(result, reply.value.as.i32);
    else
        hs_return_host_error(result, &reply);
}

/* Reports the host's answer as data instead of failing: "ok:<value>" or "error:<message>". */
static void call_host_catch(const hs_call *call, hs_result *result)
{
    hs_host_reply reply;
    if (hs_call_host(hs_arg_string(call, 0, NULL), HS_TYPE_INT, &reply, 0)) {
        char text[32];
        hs_snprintf(text, sizeof text, "ok:%d", reply.value.as.i32);
        hs_return_string(result, text);
        return;
    }
    size_t length = sizeof "error:" - 1 + reply.error_length;
    char *text = malloc(length + 1);
    hs_snprintf(text, length + 1, "error:%.*s", (int)reply.error_length, reply.error_message);
    hs_return_string_n(result, text, length);
    free(text);
}

/* HostAdd takes two ints; the host must refuse this call and the guest passes that on. */
static void call_host_wrong_args(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_host_reply reply;
    if (hs_call_host("HostAdd", HS_TYPE_INT, &reply, 1, hs_string("x")))
        hs_return_int(result, reply.value.as.i32);
    else
        hs_return_host_error(result, &reply);
}

static void call_host_many_times(const hs_call *call, hs_result *result)
{
    int32_t n = hs_arg_int(call, 0);
    uint32_t sum = 0;
    for (int32_t i = 0; i < n; i++) {
        hs_host_reply reply;
        if (!hs_call_host("HostAdd", HS_TYPE_INT, &reply, 2, hs_int(i), hs_int(1))) {
            hs_return_host_error(result, &reply);
            return;
        }
        sum += (uint32_t)reply.value.as.i32;
    }
    hs_return_int(result, (int32_t)sum);
}

/* ---- Output -------------------------------------------------------------------------------- */

static void print(const hs_call *call, hs_result *result)
{
    hs_return_int(result, hs_printf("%s", hs_arg_string(call, 0, NULL)));
}

static void print_formatted(const hs_call *call, hs_result *result)
{
    int32_t n = hs_arg_int(call, 0);
    hs_return_int(result, hs_printf("n=%d s=%s x=%x", n, hs_arg_string(call, 1, NULL), n));
}

/* ---- Aborts -------------------------------------------------------------------------------- */

static void abort_plain(const hs_call *call, hs_result *result)
{
    (void)result;
    hs_abort(hs_arg_int(call, 0), NULL);
}

static void abort_with_message(const hs_call *call, hs_result *result)
{
    (void)result;
    hs_abort(hs_arg_int(call, 0), hs_arg_string(call, 1, NULL));
}

/* Aborts with code 7 and `length` 'x' characters, which the SDK cuts to HS_MAX_ABORT_MESSAGE. */
static void abort_long_message(const hs_call *call, hs_result *result)
{
    (void)result;
    int32_t length = hs_arg_int(call, 0);
    size_t n = length > 0 ? (size_t)length : 0;
    char *message = malloc(n + 1);
    memset(message, 'x', n);
    message[n] = '\0';
    hs_abort(7, message);
}

static void assert_false(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    assert(0 == 1);
}

/* ---- CPU faults: each must raise the real exception ---------------------------------------- */

/* Opaque to the optimizer, so it can neither fold the faults away nor prove recursion endless. */
static volatile int zero;
static volatile int one = 1;
static volatile int never = -1;

static void divide_by_zero(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, one / zero); /* #DE; with a constant dividend gcc avoids the idiv */
}

static void ud2(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    __asm__ volatile("ud2"); /* #UD */
}

static void null_deref(const hs_call *call, hs_result *result)
{
    (void)call;
    /* Through a volatile pointer: a visible NULL dereference would become ud2 at -O2. */
    volatile int *volatile pointer = NULL;
    hs_return_int(result, *pointer); /* #PF, not-present page 0 */
}

static void write_to_code(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)&write_to_code;
    *code = 0xC3; /* #PF, write to a read-only page */
}

static void execute_heap(const hs_call *call, hs_result *result)
{
    (void)call;
    uint8_t *code = malloc(16);
    code[0] = 0xC3; /* ret */
    int (*function)(void) = (int (*)(void))(uintptr_t)code;
    hs_return_int(result, function()); /* #PF, instruction fetch from an NX page */
}

__attribute__((noinline)) static int deep_frames(int depth)
{
    volatile char frame[8192];
    frame[0] = (char)depth;
    if (depth == never)
        return 0;
    return deep_frames(depth + 1) + frame[0];
}

static void stack_overflow(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, deep_frames(0)); /* #PF on the stack guard page */
}

__attribute__((noinline)) static int recurse(int depth)
{
    if (depth == never)
        return 0;
    int below = recurse(depth + 1);
    __asm__ volatile("" : : : "memory"); /* keeps the call from becoming a loop */
    return below + 1;
}

static void infinite_recursion(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, recurse(0));
}

static void int3(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    __asm__ volatile("int3"); /* #BP */
}

static void non_canonical(const hs_call *call, hs_result *result)
{
    (void)call;
    volatile int *pointer = (volatile int *)(uintptr_t)0x8000000000000000ull;
    hs_return_int(result, *pointer); /* #GP */
}

/* ---- Heap ------------------------------------------------------------------------------------ */

/* Fills a fresh block with 0xA5 and returns the sum of its first byte of every 4 KiB page and
 * of its last byte, mod 2^31 (1 if 0 or the block is empty). Sampling one byte per page proves
 * every page holds the data while staying cheap where KVM emulates the guest. */
static void allocate_and_free(const hs_call *call, hs_result *result)
{
    int32_t size = hs_arg_int(call, 0);
    if (size < 0) {
        hs_return_error(result, HS_ERROR_GUEST, "size %d is negative", size);
        return;
    }
    uint8_t *block = memset(malloc((size_t)size), 0xA5, (size_t)size);
    uint64_t sum = 0;
    for (int32_t i = 0; i < size; i += 4096)
        sum += block[i];
    if (size > 0)
        sum += block[size - 1];
    free(block);
    int32_t checksum = (int32_t)(sum & 0x7FFFFFFF);
    hs_return_int(result, checksum ? checksum : 1);
}

/* Allocates 64 KiB blocks, chained through their first bytes, until malloc returns NULL, then
 * frees them all and returns how many it got: the heap runs out without ending the guest. */
static void heap_exhaust(const hs_call *call, hs_result *result)
{
    (void)call;
    void *chain = NULL;
    int32_t count = 0;
    for (void **block; (block = malloc(64 * 1024)) != NULL; count++) {
        *block = chain;
        chain = block;
    }
    while (chain) {
        void *next = *(void **)chain;
        free(chain);
        chain = next;
    }
    hs_return_int(result, count);
}

static int32_t leaked_bytes;

/* Leaks a block of `size` bytes and returns the total leaked so far. */
static void leak(const hs_call *call, hs_result *result)
{
    int32_t size = hs_arg_int(call, 0);
    if (size < 0) {
        hs_return_error(result, HS_ERROR_GUEST, "size %d is negative", size);
        return;
    }
    void *block = malloc((size_t)size);
    if (!block) {
        hs_return_error(result, HS_ERROR_GUEST, "out of memory: no room for %d more bytes", size);
        return;
    }
    memset(block, 0xAB, (size_t)size);
    leaked_bytes += size;
    hs_return_int(result, leaked_bytes);
}

static void allocations(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, leaked_bytes);
}

static bool all_equal(const uint8_t *p, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != value)
            return false;
    return true;
}

/* Returns 1 if calloc zeroes reused memory and realloc keeps contents when growing and
 * shrinking, else 0. */
static void calloc_realloc(const hs_call *call, hs_result *result)
{
    (void)call;
    bool ok = true;
    uint8_t *dirty = malloc(400);
    memset(dirty, 0xFF, 400);
    free(dirty);
    uint8_t *block = calloc(100, 4); /* very likely the dirty block again */
    ok &= all_equal(block, 400, 0);
    for (int i = 0; i < 400; i++)
        block[i] = (uint8_t)i;
    uint8_t *blocker = malloc(16); /* forces the next growth to move the block */
    block = realloc(block, 40000);
    for (int i = 0; i < 400; i++)
        ok &= block[i] == (uint8_t)i;
    memset(block + 400, 0x5A, 40000 - 400);
    block = realloc(block, 200);
    for (int i = 0; i < 200; i++)
        ok &= block[i] == (uint8_t)i;
    block = realloc(block, 300); /* grows in place into the tail it just gave back */
    for (int i = 0; i < 200; i++)
        ok &= block[i] == (uint8_t)i;
    free(blocker);
    free(block);
    ok &= realloc(malloc(8), 0) == NULL;
    hs_return_int(result, ok);
}

/* ---- Buffers --------------------------------------------------------------------------------- */

static void return_large_string(const hs_call *call, hs_result *result)
{
    int32_t length = hs_arg_int(call, 0);
    if (length < 0) {
        hs_return_error(result, HS_ERROR_GUEST, "length %d is negative", length);
        return;
    }
    char *text = hs_return_reserve(result, HS_TYPE_STRING, (size_t)length);
    if (text)
        memset(text, 'a', (size_t)length);
}

static void bytes_length(const hs_call *call, hs_result *result)
{
    size_t length;
    hs_arg_bytes(call, 0, &length);
    hs_return_int(result, (int32_t)length);
}

/* Returns the first 8 KiB of its bytes (all of them if fewer): Hyperlight's 24K_in_8K_out workload, and
 * what bench/HyperSharp.Benchmarks' Wasmtime guest and worker process do, so the three carry the same data. */
static void echo_first_8kib(const hs_call *call, hs_result *result)
{
    size_t length;
    const void *bytes = hs_arg_bytes(call, 0, &length);
    hs_return_bytes(result, bytes, length < 8192 ? length : 8192);
}

/* ---- Hostile: break the protocol on purpose ------------------------------------------------- */

/* output(), put_header(), put_value_header(), put_i32(): tests/common/raw_output.h */

static void out_to_port(const hs_call *call, hs_result *result)
{
    hs_outl((uint16_t)hs_arg_int(call, 0), 0);
    hs_return_void(result);
}

static void read_port(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_int(result, (int32_t)hs_inl(HS_PORT_DONE));
}

static void halt(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_hlt();
    hs_return_void(result);
}

/* Writes a malformed result for an INT function and reports it as done; the host must refuse
 * it and never resume us. */
static void corrupt_output(const hs_call *call, hs_result *result)
{
    int32_t mode = hs_arg_int(call, 0);
    memset(output(), 0, 64);
    switch (mode) {
    case 1: /* size beyond the output buffer */
        put_header((uint32_t)hs_get_peb()->output_size + 8, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
        put_value_header(16, HS_TYPE_INT, 4);
        put_i32(24, 42);
        break;
    case 2: /* size not a multiple of 8 */
        put_header(33, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
        put_value_header(16, HS_TYPE_INT, 4);
        put_i32(24, 42);
        break;
    case 3: /* unknown kind */
        put_header(16, 77, HS_TYPE_VOID, 0, 0);
        break;
    case 4: /* STRING that is not UTF-8 */
        put_header(32, HS_MSG_RETURN, HS_TYPE_STRING, 1, 0);
        put_value_header(16, HS_TYPE_STRING, 2);
        output()[24] = 0xFF;
        output()[25] = 0xFE;
        break;
    case 5: /* INT whose size says 8 */
        put_header(32, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
        put_value_header(16, HS_TYPE_INT, 8);
        put_i32(24, 42);
        break;
    case 6: /* a valid STRING, but the function returns INT */
        put_header(32, HS_MSG_RETURN, HS_TYPE_STRING, 1, 0);
        put_value_header(16, HS_TYPE_STRING, 1);
        output()[24] = 'x';
        break;
    case 7: /* nonzero padding after the INT */
        put_header(32, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
        put_value_header(16, HS_TYPE_INT, 4);
        put_i32(24, 42);
        output()[30] = 1;
        break;
    case 8: /* RETURN with two values */
        put_header(48, HS_MSG_RETURN, HS_TYPE_INT, 2, 0);
        put_value_header(16, HS_TYPE_INT, 4);
        put_i32(24, 1);
        put_value_header(32, HS_TYPE_INT, 4);
        put_i32(40, 2);
        break;
    case 9: /* size 0 */
        put_header(0, HS_MSG_RETURN, HS_TYPE_INT, 1, 0);
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "CorruptOutput: unknown mode %d", mode);
        return;
    }
    hs_outl(HS_PORT_DONE, 0);
    for (;;)
        __asm__ volatile("");
}

/* Sends a malformed CALL of a host function; the host must refuse it. */
static void corrupt_host_call(const hs_call *call, hs_result *result)
{
    int32_t mode = hs_arg_int(call, 0);
    memset(output(), 0, 64);
    memcpy(output() + 16, "HostAdd", 7);
    switch (mode) {
    case 1: /* name_size beyond the message */
        put_header(32, HS_MSG_CALL, HS_TYPE_INT, 0, 1000);
        break;
    case 2: /* unknown value tag */
        put_header(40, HS_MSG_CALL, HS_TYPE_INT, 1, 7);
        put_value_header(24, 42, 4);
        break;
    case 3: /* count 1000 with two values */
        put_header(56, HS_MSG_CALL, HS_TYPE_INT, 1000, 7);
        put_value_header(24, HS_TYPE_INT, 4);
        put_i32(32, 1);
        put_value_header(40, HS_TYPE_INT, 4);
        put_i32(48, 2);
        break;
    default:
        hs_return_error(result, HS_ERROR_GUEST, "CorruptHostCall: unknown mode %d", mode);
        return;
    }
    hs_outl(HS_PORT_HOST_CALL, 0);
    /* Reached only if the host wrongly resumed us: make that visible instead of hanging. */
    hs_return_error(result, HS_ERROR_GUEST, "the host resumed after a malformed host call");
}

/* Aborts with an ERROR message whose size claims almost 4 GiB. */
static void lying_abort(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    memset(output(), 0, 64);
    put_header(0xFFFFFFF0u, HS_MSG_ERROR, HS_TYPE_VOID, 1, 99);
    hs_outl(HS_PORT_ABORT, 99);
    for (;;)
        __asm__ volatile("");
}

/* ---- Misc ------------------------------------------------------------------------------------ */

static void random_u64(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_ulong(result, hs_random_u64());
}

/* Never returns: for cancellation tests. */
static void spin(const hs_call *call, hs_result *result)
{
    (void)call;
    (void)result;
    for (;;)
        __asm__ volatile("pause");
}

/* Writes one byte in each of `count` distinct heap pages (kept allocated): restore benchmarks dirty
 * a known number of pages with it. Returns the number of pages written. */
static void dirty_pages(const hs_call *call, hs_result *result)
{
    int count = hs_arg_int(call, 0);
    if (count <= 0) {
        hs_return_int(result, 0);
        return;
    }
    volatile uint8_t *pages = malloc((size_t)count * 4096u);
    for (int i = 0; i < count; i++)
        pages[(size_t)i * 4096u] = (uint8_t)i;
    hs_return_int(result, count);
}

/* ---- CPU state a guest can change in ring 3, for restore tests ------------------------------- */

static void set_fpu_control(const hs_call *call, hs_result *result)
{
    uint16_t control = (uint16_t)hs_arg_int(call, 0);
    __asm__ volatile("fldcw %0" : : "m"(control));
    hs_return_void(result);
}

static void get_fpu_control(const hs_call *call, hs_result *result)
{
    (void)call;
    uint16_t control;
    __asm__ volatile("fnstcw %0" : "=m"(control));
    hs_return_int(result, control);
}

static void set_mxcsr(const hs_call *call, hs_result *result)
{
    uint32_t mxcsr = hs_arg_uint(call, 0);
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    hs_return_void(result);
}

static void get_mxcsr(const hs_call *call, hs_result *result)
{
    (void)call;
    uint32_t mxcsr;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    hs_return_uint(result, mxcsr);
}

/* XMM15: the SDK and these guests are small enough that gcc never allocates it. */
static void set_xmm15(const hs_call *call, hs_result *result)
{
    uint64_t value = hs_arg_ulong(call, 0);
    __asm__ volatile("movq %0, %%xmm15" : : "r"(value) : "xmm15");
    hs_return_void(result);
}

static void get_xmm15(const hs_call *call, hs_result *result)
{
    (void)call;
    uint64_t value;
    __asm__ volatile("movq %%xmm15, %0" : "=r"(value));
    hs_return_ulong(result, value);
}

/* State only ring 0 may change: each attempt must fault (#GP), so guest code cannot leave it behind. */
static void privileged_write(const hs_call *call, hs_result *result)
{
    switch (hs_arg_int(call, 0)) {
    case 0: /* MSR_KERNEL_GS_BASE */
        __asm__ volatile("wrmsr" : : "c"(0xC0000102u), "a"(1u), "d"(0u));
        break;
    case 1:
        __asm__ volatile("mov %0, %%dr0" : : "r"((uint64_t)0x1000));
        break;
    case 2: /* XCR0 = x87 | SSE */
        __asm__ volatile("xsetbv" : : "c"(0u), "a"(3u), "d"(0u));
        break;
    default:
        __asm__ volatile("mov %%cr4, %%rax; mov %%rax, %%cr4" : : : "rax");
        break;
    }
    hs_return_void(result);
}

void hs_main(void)
{
    hs_register("Echo", HS_TYPE_STRING, echo, 1, HS_TYPE_STRING);
    hs_register("EchoI32", HS_TYPE_INT, echo, 1, HS_TYPE_INT);
    hs_register("EchoU32", HS_TYPE_UINT, echo, 1, HS_TYPE_UINT);
    hs_register("EchoI64", HS_TYPE_LONG, echo, 1, HS_TYPE_LONG);
    hs_register("EchoU64", HS_TYPE_ULONG, echo, 1, HS_TYPE_ULONG);
    hs_register("EchoFloat", HS_TYPE_FLOAT, echo, 1, HS_TYPE_FLOAT);
    hs_register("EchoDouble", HS_TYPE_DOUBLE, echo, 1, HS_TYPE_DOUBLE);
    hs_register("EchoBool", HS_TYPE_BOOL, echo, 1, HS_TYPE_BOOL);
    hs_register("EchoBytes", HS_TYPE_BYTES, echo, 1, HS_TYPE_BYTES);
    hs_register("Nothing", HS_TYPE_VOID, nothing, 0);

    hs_register("Add", HS_TYPE_INT, add, 2, HS_TYPE_INT, HS_TYPE_INT);
    hs_register("SetStatic", HS_TYPE_VOID, set_static, 1, HS_TYPE_INT);
    hs_register("GetStatic", HS_TYPE_INT, get_static, 0);
    hs_register("IncrementCounter", HS_TYPE_INT, increment_counter, 0);

    register_mixed_args("MixedArgs2", 2);
    register_mixed_args("MixedArgs3", 3);
    register_mixed_args("MixedArgs4", 4);
    register_mixed_args("MixedArgs5", 5);
    register_mixed_args("MixedArgs8", 8);
    register_mixed_args("MixedArgs11", 11);
    register_mixed_args("MixedArgs16", 16);

    hs_register("RoundTripInt", HS_TYPE_INT, round_trip, 1, HS_TYPE_INT);
    hs_register("RoundTripUInt", HS_TYPE_UINT, round_trip, 1, HS_TYPE_UINT);
    hs_register("RoundTripLong", HS_TYPE_LONG, round_trip, 1, HS_TYPE_LONG);
    hs_register("RoundTripULong", HS_TYPE_ULONG, round_trip, 1, HS_TYPE_ULONG);
    hs_register("RoundTripFloat", HS_TYPE_FLOAT, round_trip, 1, HS_TYPE_FLOAT);
    hs_register("RoundTripDouble", HS_TYPE_DOUBLE, round_trip, 1, HS_TYPE_DOUBLE);
    hs_register("RoundTripBool", HS_TYPE_BOOL, round_trip, 1, HS_TYPE_BOOL);
    hs_register("RoundTripString", HS_TYPE_STRING, round_trip, 1, HS_TYPE_STRING);
    hs_register("RoundTripBytes", HS_TYPE_BYTES, round_trip, 1, HS_TYPE_BYTES);
    hs_register("CallHostAdd", HS_TYPE_INT, call_host_add, 2, HS_TYPE_INT, HS_TYPE_INT);
    hs_register("CallHostVoid", HS_TYPE_INT, call_host_void, 0);
    hs_register("CallHostByName", HS_TYPE_INT, call_host_by_name, 1, HS_TYPE_STRING);
    hs_register("CallHostCatch", HS_TYPE_STRING, call_host_catch, 1, HS_TYPE_STRING);
    hs_register("CallHostWrongArgs", HS_TYPE_INT, call_host_wrong_args, 0);
    hs_register("CallHostManyTimes", HS_TYPE_INT, call_host_many_times, 1, HS_TYPE_INT);

    hs_register("Print", HS_TYPE_INT, print, 1, HS_TYPE_STRING);
    hs_register("PrintFormatted", HS_TYPE_INT, print_formatted, 2, HS_TYPE_INT, HS_TYPE_STRING);

    hs_register("Abort", HS_TYPE_VOID, abort_plain, 1, HS_TYPE_INT);
    hs_register("AbortWithMessage", HS_TYPE_VOID, abort_with_message, 2, HS_TYPE_INT,
                HS_TYPE_STRING);
    hs_register("AbortLongMessage", HS_TYPE_VOID, abort_long_message, 1, HS_TYPE_INT);
    hs_register("AssertFalse", HS_TYPE_VOID, assert_false, 0);

    hs_register("DivideByZero", HS_TYPE_INT, divide_by_zero, 0);
    hs_register("Ud2", HS_TYPE_VOID, ud2, 0);
    hs_register("NullDeref", HS_TYPE_INT, null_deref, 0);
    hs_register("WriteToCode", HS_TYPE_VOID, write_to_code, 0);
    hs_register("ExecuteHeap", HS_TYPE_INT, execute_heap, 0);
    hs_register("StackOverflow", HS_TYPE_INT, stack_overflow, 0);
    hs_register("InfiniteRecursion", HS_TYPE_INT, infinite_recursion, 0);
    hs_register("Int3", HS_TYPE_VOID, int3, 0);
    hs_register("NonCanonical", HS_TYPE_INT, non_canonical, 0);

    hs_register("AllocateAndFree", HS_TYPE_INT, allocate_and_free, 1, HS_TYPE_INT);
    hs_register("HeapExhaust", HS_TYPE_INT, heap_exhaust, 0);
    hs_register("Allocations", HS_TYPE_INT, allocations, 0);
    hs_register("Leak", HS_TYPE_INT, leak, 1, HS_TYPE_INT);
    hs_register("CallocRealloc", HS_TYPE_INT, calloc_realloc, 0);

    hs_register("ReturnLargeString", HS_TYPE_STRING, return_large_string, 1, HS_TYPE_INT);
    hs_register("BytesLength", HS_TYPE_INT, bytes_length, 1, HS_TYPE_BYTES);

    hs_register("OutToPort", HS_TYPE_VOID, out_to_port, 1, HS_TYPE_INT);
    hs_register("ReadPort", HS_TYPE_INT, read_port, 0);
    hs_register("Halt", HS_TYPE_VOID, halt, 0);
    hs_register("CorruptOutput", HS_TYPE_INT, corrupt_output, 1, HS_TYPE_INT);
    hs_register("CorruptHostCall", HS_TYPE_INT, corrupt_host_call, 1, HS_TYPE_INT);
    hs_register("LyingAbort", HS_TYPE_VOID, lying_abort, 0);

    hs_register("Random", HS_TYPE_ULONG, random_u64, 0);
    hs_register("Spin", HS_TYPE_VOID, spin, 0);

    hs_register("DirtyPages", HS_TYPE_INT, dirty_pages, 1, HS_TYPE_INT);
    hs_register("SetFpuControl", HS_TYPE_VOID, set_fpu_control, 1, HS_TYPE_INT);
    hs_register("GetFpuControl", HS_TYPE_INT, get_fpu_control, 0);
    hs_register("SetMxcsr", HS_TYPE_VOID, set_mxcsr, 1, HS_TYPE_UINT);
    hs_register("GetMxcsr", HS_TYPE_UINT, get_mxcsr, 0);
    hs_register("SetXmm15", HS_TYPE_VOID, set_xmm15, 1, HS_TYPE_ULONG);
    hs_register("GetXmm15", HS_TYPE_ULONG, get_xmm15, 0);
    hs_register("PrivilegedWrite", HS_TYPE_VOID, privileged_write, 1, HS_TYPE_INT);
    hs_register("EchoFirst8KiB", HS_TYPE_BYTES, echo_first_8kib, 1, HS_TYPE_BYTES);
}
