/*
 * HyperSharp guest SDK: everything a guest program uses.
 *
 * A guest is a freestanding static PIE linked against libhypersharp.a. The SDK owns the entry
 * point; the program supplies
 *
 *     void hs_main(void)
 *
 * which registers the functions the host may call. After hs_main returns the SDK reports the
 * registered signatures to the host and then serves calls forever. Each call runs on the
 * guest stack to completion; there are no threads and no interrupts, so no locking is needed.
 *
 *     static void add(const hs_call *call, hs_result *result)
 *     {
 *         hs_return_int(result, hs_arg_int(call, 0) + hs_arg_int(call, 1));
 *     }
 *
 *     void hs_main(void)
 *     {
 *         hs_register("Add", HS_TYPE_INT, add, 2, HS_TYPE_INT, HS_TYPE_INT);
 *     }
 *
 * Programmer errors (a bad registration, an accessor used with the wrong index or type) abort
 * the guest with HS_ABORT_ASSERTION and a message that names the mistake.
 */
#ifndef HYPERSHARP_GUEST_H
#define HYPERSHARP_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypersharp/abi.h"
#include "hypersharp/wire.h"

typedef enum hs_type hs_type;

/* ---- Functions the host can call --------------------------------------------------------- */

/* The incoming call: parameters, already checked against the registered signature. */
typedef struct hs_call hs_call;
/* Where the function puts its result (one of the hs_return_* builders). */
typedef struct hs_result hs_result;

typedef void (*hs_guest_fn)(const hs_call *call, hs_result *result);

/* Supplied by the guest program; called once at start-up, the only place to register. */
void hs_main(void);

/* Registers `fn` under `name` (UTF-8, unique, at most HS_MAX_NAME_SIZE bytes; copied) with
 * return type `ret` (HS_TYPE_VOID allowed) and `nparams` parameter types (hs_type each) as the
 * variadic arguments. */
void hs_register(const char *name, hs_type ret, hs_guest_fn fn, int nparams, ...);
/* The same with the parameter types in an array. */
void hs_register_array(const char *name, hs_type ret, hs_guest_fn fn, int nparams,
                       const hs_type *params);

/* The called function's name: UTF-8, not NUL-terminated (use *length). */
const char *hs_call_name(const hs_call *call, size_t *length);
int hs_arg_count(const hs_call *call);

/* Any parameter as a value (for code that forwards values without caring about their type). */
const hs_value *hs_arg(const hs_call *call, int index);

/* Parameter accessors; `index` counts from 0 and must name a parameter of exactly that type. */
int32_t hs_arg_int(const hs_call *call, int index);
uint32_t hs_arg_uint(const hs_call *call, int index);
int64_t hs_arg_long(const hs_call *call, int index);
uint64_t hs_arg_ulong(const hs_call *call, int index);
float hs_arg_float(const hs_call *call, int index);
double hs_arg_double(const hs_call *call, int index);
bool hs_arg_bool(const hs_call *call, int index);
/* Strings are valid UTF-8 and NUL-terminated in place (they may also contain NULs: use
 * *length, which may be NULL when not needed). Valid until the function returns. */
const char *hs_arg_string(const hs_call *call, int index, size_t *length);
/* Valid until the function returns. */
const void *hs_arg_bytes(const hs_call *call, int index, size_t *length);

/*
 * Result builders. The result is encoded into the output buffer at once (data is copied, so the
 * arguments may be temporaries); the last builder called wins. If the function returns without
 * calling one, a VOID function returns nothing and any other fails with HS_ERROR_GUEST.
 * A value whose type differs from the registered return type becomes an HS_ERROR_GUEST error,
 * a result larger than the output buffer becomes HS_ERROR_RESULT_TOO_LARGE, and a STRING that
 * is not valid UTF-8 becomes HS_ERROR_GUEST: the host never sees a malformed message.
 */
void hs_return_void(hs_result *result);
void hs_return_int(hs_result *result, int32_t value);
void hs_return_uint(hs_result *result, uint32_t value);
void hs_return_long(hs_result *result, int64_t value);
void hs_return_ulong(hs_result *result, uint64_t value);
void hs_return_float(hs_result *result, float value);
void hs_return_double(hs_result *result, double value);
void hs_return_bool(hs_result *result, bool value);
void hs_return_string(hs_result *result, const char *text); /* NUL-terminated */
void hs_return_string_n(hs_result *result, const char *text, size_t length);
void hs_return_bytes(hs_result *result, const void *data, size_t length);
/* Any value (NULL: void), e.g. one a host call returned. */
void hs_return_value(hs_result *result, const hs_value *value);
/* Zero-copy: returns where to write the `length` payload bytes of a STRING or BYTES result
 * directly in the output buffer (STRING validity is checked when the function returns), or NULL
 * after recording HS_ERROR_RESULT_TOO_LARGE. The pointer is valid until the function returns
 * or calls the host. */
void *hs_return_reserve(hs_result *result, hs_type type, size_t length);
/* Fails the call with `code` (usually HS_ERROR_GUEST) and a printf-style message. Invalid
 * UTF-8 in the message is replaced by '?'; a message too long for the output buffer is cut. */
void hs_return_error(hs_result *result, uint32_t code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- The C string functions the compiler and programs expect ----------------------------- */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);

/* ---- Calling the host -------------------------------------------------------------------- */

/* Argument constructors: hs_call_host(..., 2, hs_int(1), hs_string("x")). STRING and BYTES
 * point at the caller's data, which must stay valid until the host call returns. */
static inline hs_value hs_int(int32_t v)
{
    return (hs_value){.type = HS_TYPE_INT, .size = 4, .as.i32 = v};
}
static inline hs_value hs_uint(uint32_t v)
{
    return (hs_value){.type = HS_TYPE_UINT, .size = 4, .as.u32 = v};
}
static inline hs_value hs_long(int64_t v)
{
    return (hs_value){.type = HS_TYPE_LONG, .size = 8, .as.i64 = v};
}
static inline hs_value hs_ulong(uint64_t v)
{
    return (hs_value){.type = HS_TYPE_ULONG, .size = 8, .as.u64 = v};
}
static inline hs_value hs_float(float v)
{
    return (hs_value){.type = HS_TYPE_FLOAT, .size = 4, .as.f32 = v};
}
static inline hs_value hs_double(double v)
{
    return (hs_value){.type = HS_TYPE_DOUBLE, .size = 8, .as.f64 = v};
}
static inline hs_value hs_bool(bool v)
{
    return (hs_value){.type = HS_TYPE_BOOL, .size = 1, .as.b = v};
}
static inline hs_value hs_string_n(const char *s, size_t n)
{
    return (hs_value){.type = HS_TYPE_STRING, .size = (uint32_t)n, .as.p = s};
}
static inline hs_value hs_bytes(const void *p, size_t n)
{
    return (hs_value){.type = HS_TYPE_BYTES, .size = (uint32_t)n, .as.p = p};
}
static inline hs_value hs_string(const char *s)
{
    return hs_string_n(s, strlen(s));
}


/* What a host call produced. */
typedef struct hs_host_reply {
    bool ok;         /* true: the host function returned `value` */
    hs_value value;  /* ok and the return type is not VOID: the value (type = the expected type);
                      * STRING/BYTES payloads live in the input buffer until the next host call
                      * or until the guest function returns */
    uint32_t error_code;       /* !ok: the host's ERROR code, or HS_ERROR_BAD_CALL when the
                                * call could not be sent (arguments invalid or too large) */
    const char *error_message; /* !ok: UTF-8, NUL-terminated, same lifetime as `value` */
    size_t error_length;
} hs_host_reply;

/* Calls host function `name` with `nargs` hs_value arguments, expecting return type `ret`.
 * Returns reply->ok. A reply the SDK cannot decode, or one of another type than `ret`, aborts
 * the guest with HS_ABORT_BAD_MESSAGE: the host broke the protocol. */
bool hs_call_host(const char *name, hs_type ret, hs_host_reply *reply, int nargs, ...);
bool hs_call_host_array(const char *name, hs_type ret, hs_host_reply *reply, int nargs,
                        const hs_value *args);
/* Fails the current call with HS_ERROR_HOST_FUNCTION and the host's message. */
void hs_return_host_error(hs_result *result, const hs_host_reply *reply);

/* ---- Output -------------------------------------------------------------------------------
 * Formats support %d %i %u %x %X %o %c %s %p %% with the length modifiers hh h l ll z j t,
 * the flags - 0 + space, a width and a precision (also as *); no floating point. */
int hs_snprintf(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int hs_vsnprintf(char *buffer, size_t size, const char *format, va_list args)
    __attribute__((format(printf, 3, 0)));
/* Sends the text to the host function HostPrint(string) -> int and returns its result, or -1
 * if the host call failed. Invalid UTF-8 is replaced by '?'. */
int hs_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int hs_vprintf(const char *format, va_list args) __attribute__((format(printf, 1, 0)));

/* Replaces every byte of text[0 .. length) that is not part of valid UTF-8 by '?', in place, so
 * the text can be sent as a STRING. */
void hs_text_repair(char *text, size_t length);

/* ---- Giving up ----------------------------------------------------------------------------
 * Ends the guest for good: the host gets an ERROR message with `code` and the text (cut to
 * HS_MAX_ABORT_MESSAGE bytes at a UTF-8 boundary; NULL means empty) and poisons the sandbox. */
_Noreturn void hs_abort(int code, const char *message);
_Noreturn void hs_abortf(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void hs_assert_failed(const char *expression, const char *file, int line);

/* The C library's <assert.h> defines its own assert, which aborts the same way (guest/libc). */
#ifndef assert
#ifdef NDEBUG
#define assert(expression) ((void)0)
#else
/* Aborts with HS_ABORT_ASSERTION and "assertion failed: <expression> (<file>:<line>)". */
#define assert(expression) \
    ((expression) ? (void)0 : hs_assert_failed(#expression, __FILE__, __LINE__))
#endif
#endif

/* ---- Memory: a first-fit free-list allocator over the PEB heap ----------------------------
 * Blocks are 16-byte aligned and neighbouring free blocks are merged. A request the heap cannot
 * satisfy returns NULL, as C requires (realloc then leaves the old block untouched); so does
 * aligned_alloc with an alignment that is not a power of two. realloc(p, 0) frees p and returns
 * NULL. free() or realloc() of a pointer malloc did not hand out aborts with HS_ABORT_ASSERTION:
 * the heap is corrupt. malloc_usable_size (as in glibc) is how many bytes a live block can hold,
 * at least what was asked for: allocators that keep their own account, like QuickJS's, read it. */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *pointer, size_t size);
void *aligned_alloc(size_t alignment, size_t size);
void free(void *pointer);
size_t malloc_usable_size(void *pointer);

/* ---- Time ----------------------------------------------------------------------------------
 * Read without a VM exit: the host writes its clocks into the PEB before every call and the SDK
 * extrapolates with the TSC (docs/guest-abi.md §5). The C library's time(), clock_gettime() and
 * gettimeofday() use these. */
int64_t hs_clock_realtime_ns(void);   /* nanoseconds since 1970-01-01 00:00:00 UTC */
uint64_t hs_clock_monotonic_ns(void); /* never goes back, also not across Restore() */

/* ---- Misc --------------------------------------------------------------------------------- */

/* A 64-bit pseudo-random number (splitmix64). The state is seeded from the PEB's random_seed
 * and reseeded before a call whenever the host changed seed_generation (e.g. after restoring a
 * snapshot), so restored sandboxes do not repeat each other's numbers. Not cryptographic. */
uint64_t hs_random_u64(void);

/* The parameter block the host set up (read-only). */
const hs_peb *hs_get_peb(void);

#endif
