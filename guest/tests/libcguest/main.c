/*
 * libcguest: ordinary C against the guest C library, built with -fstack-protector-strong (see
 * guest.mk). Exercises what tests/HyperSharp.IntegrationTests/LibcGuestTests.cs checks: the
 * conformance program shared with glibc, buffered stdout/stderr, the exit-free clock, __thread
 * variables, the stack protector, files, exit and assert.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hypersharp/guest.h>

#include "libctest.h"

static void run_conformance(const hs_call *call, hs_result *result)
{
    (void)call;
    run_libc_test();
    hs_return_void(result);
}

/* fputs both texts, no newline needed: the SDK flushes both streams when the call returns. */
static void print(const hs_call *call, hs_result *result)
{
    fputs(hs_arg_string(call, 0, NULL), stdout);
    fputs(hs_arg_string(call, 1, NULL), stderr);
    hs_return_void(result);
}

/* `count` times the text, one printf each. */
static void print_repeated(const hs_call *call, hs_result *result)
{
    const char *text = hs_arg_string(call, 0, NULL);
    for (int i = 0; i < hs_arg_int(call, 1); i++)
        printf("%s", text);
    hs_return_void(result);
}

static int64_t nanoseconds(clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Reads the monotonic clock `count` times; fails if it ever went back, else returns the span. */
static void read_clock(const hs_call *call, hs_result *result)
{
    int64_t first = nanoseconds(CLOCK_MONOTONIC), last = first;
    for (int i = 0; i < hs_arg_int(call, 0); i++) {
        int64_t now = nanoseconds(CLOCK_MONOTONIC);
        if (now < last) {
            hs_return_error(result, HS_ERROR_GUEST, "the monotonic clock went back by %lld ns",
                            (long long)(last - now));
            return;
        }
        last = now;
    }
    hs_return_long(result, last - first);
}

static void realtime(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_long(result, nanoseconds(CLOCK_REALTIME));
}

static void monotonic(const hs_call *call, hs_result *result)
{
    (void)call;
    hs_return_long(result, nanoseconds(CLOCK_MONOTONIC));
}

/* Waits until `ms` milliseconds have passed on the monotonic clock and returns the realtime
 * clock's advance meanwhile, in milliseconds. */
static void spin_ms(const hs_call *call, hs_result *result)
{
    int64_t until = nanoseconds(CLOCK_MONOTONIC) + (int64_t)hs_arg_int(call, 0) * 1000000;
    int64_t start = nanoseconds(CLOCK_REALTIME);
    while (nanoseconds(CLOCK_MONOTONIC) < until)
        ;
    hs_return_long(result, (nanoseconds(CLOCK_REALTIME) - start) / 1000000);
}

static __thread int counter = 1000;
static __thread char zeroed[256];

/* Increments a __thread variable with an initialiser; checks a .tbss array is zero. */
static void thread_local_counter(const hs_call *call, hs_result *result)
{
    (void)call;
    for (size_t i = 0; i < sizeof zeroed; i++)
        if (zeroed[i] != 0) {
            hs_return_error(result, HS_ERROR_GUEST, "zeroed[%zu] is %d", i, zeroed[i]);
            return;
        }
    hs_return_int(result, ++counter);
}

/* Copies `length` bytes into a 16-byte stack buffer: past 16 it overwrites the canary. */
static __attribute__((noinline)) int overflow(const char *text)
{
    char buffer[16];
    strcpy(buffer, text);
    return (int)strlen(buffer);
}

static void smash(const hs_call *call, hs_result *result)
{
    char text[64];
    int length = hs_arg_int(call, 0);
    if (length < 0 || length >= (int)sizeof text) {
        hs_return_error(result, HS_ERROR_GUEST, "length %d is out of range", length);
        return;
    }
    memset(text, 'x', (size_t)length);
    text[length] = '\0';
    hs_return_int(result, overflow(text));
}

/* Returns errno after fopen(path, mode) failed, or 0 if it opened. */
static void open_file(const hs_call *call, hs_result *result)
{
    errno = 0;
    FILE *file = fopen(hs_arg_string(call, 0, NULL), hs_arg_string(call, 1, NULL));
    hs_return_int(result, file ? 0 : errno);
}

static void call_exit(const hs_call *call, hs_result *result)
{
    (void)result;
    exit(hs_arg_int(call, 0));
}

static void assert_false(const hs_call *call, hs_result *result)
{
    (void)result;
    assert(hs_arg_int(call, 0) == 1);
}

void hs_main(void)
{
    hs_register("RunConformance", HS_TYPE_VOID, run_conformance, 0);
    hs_register("Print", HS_TYPE_VOID, print, 2, HS_TYPE_STRING, HS_TYPE_STRING);
    hs_register("PrintRepeated", HS_TYPE_VOID, print_repeated, 2, HS_TYPE_STRING, HS_TYPE_INT);
    hs_register("ReadClock", HS_TYPE_LONG, read_clock, 1, HS_TYPE_INT);
    hs_register("Realtime", HS_TYPE_LONG, realtime, 0);
    hs_register("Monotonic", HS_TYPE_LONG, monotonic, 0);
    hs_register("SpinMs", HS_TYPE_LONG, spin_ms, 1, HS_TYPE_INT);
    hs_register("ThreadLocalCounter", HS_TYPE_INT, thread_local_counter, 0);
    hs_register("Smash", HS_TYPE_INT, smash, 1, HS_TYPE_INT);
    hs_register("Open", HS_TYPE_INT, open_file, 2, HS_TYPE_STRING, HS_TYPE_STRING);
    hs_register("Exit", HS_TYPE_VOID, call_exit, 1, HS_TYPE_INT);
    hs_register("AssertOne", HS_TYPE_VOID, assert_false, 1, HS_TYPE_INT);
}
