/*
 * sdkcheck: the SDK's allocator and formatter, run as an ordinary program (`make check`).
 *
 *   gcc -O1 -Wall -Werror -Iguest/include -Dmalloc=sdk_malloc -Dfree=sdk_free \
 *       -Dcalloc=sdk_calloc -Drealloc=sdk_realloc -Daligned_alloc=sdk_aligned_alloc \
 *       -Dmalloc_usable_size=sdk_malloc_usable_size \
 *       guest/tools/sdkcheck.c guest/src/heap.c \
 *       guest/src/printf.c -o sdkcheck
 *
 * The renames keep the SDK's malloc apart from the C library's. The allocator is driven with
 * random operations against a record of what every live block must contain; hs_vsnprintf is
 * compared with the C library's vsnprintf.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/internal.h"

/* What heap.c and printf.c need from the rest of the SDK. */
const hs_peb *hs_peb_pointer;

_Noreturn void hs_abortf(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "sdkcheck: guest aborted with %d: ", code);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("sdkcheck: FAILED: %s\n", what);
        failures++;
    }
}

/* ---- Allocator ---------------------------------------------------------------------------- */

#define HEAP_SIZE (1u << 20)
#define SLOTS 256

static unsigned char heap[HEAP_SIZE] __attribute__((aligned(16)));

typedef struct {
    unsigned char *p;
    size_t size;
    unsigned char fill;
} live_block;

static int intact(const live_block *b)
{
    for (size_t i = 0; i < b->size; i++)
        if (b->p[i] != b->fill)
            return 0;
    return 1;
}

static void check_allocator(void)
{
    /* An unaligned base and size exercise the rounding in hs_heap_init. */
    hs_heap_init((uint64_t)(uintptr_t)heap + 3, HEAP_SIZE - 7);
    live_block blocks[SLOTS] = {{0}};
    srand(12345);
    for (int step = 0; step < 200000; step++) {
        live_block *b = &blocks[rand() % SLOTS];
        size_t size = (size_t)(rand() % 4 == 0 ? rand() % 8192 : rand() % 128);
        if (b->p && !intact(b)) {
            check(0, "a live block was overwritten");
            return;
        }
        switch (rand() % 3) {
        case 0: /* malloc or calloc */
            if (b->p)
                break;
            b->p = rand() % 2 ? sdk_malloc(size) : sdk_calloc(1, size);
            check(((uintptr_t)b->p & 15) == 0, "payloads are 16-byte aligned");
            check(sdk_malloc_usable_size(b->p) >= size, "malloc_usable_size covers the request");
            b->size = size;
            b->fill = (unsigned char)rand();
            memset(b->p, b->fill, size);
            break;
        case 1: /* realloc keeps the common prefix */
            if (!b->p)
                break;
            b->p = sdk_realloc(b->p, size);
            b->size = size < b->size ? size : b->size;
            check(intact(b), "realloc keeps the contents");
            memset(b->p, b->fill, size);
            b->size = size;
            break;
        default:
            sdk_free(b->p);
            b->p = NULL;
            break;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        check(!blocks[i].p || intact(&blocks[i]), "live blocks survive to the end");
        sdk_free(blocks[i].p);
    }
    /* Everything freed and merged: one block close to the whole heap fits again. */
    void *all = sdk_malloc(HEAP_SIZE - 64);
    check(all != NULL, "freed neighbours merge back into one block");
    sdk_free(all);
    check(sdk_realloc(sdk_malloc(8), 0) == NULL, "realloc(p, 0) frees and returns NULL");
}

/* What the heap cannot satisfy returns NULL and changes nothing; aligned_alloc aligns. */
static void check_allocation_failure(void)
{
    hs_heap_init((uint64_t)(uintptr_t)heap, HEAP_SIZE);
    check(sdk_malloc(HEAP_SIZE) == NULL, "malloc larger than the heap returns NULL");
    volatile size_t huge = SIZE_MAX / 2; /* volatile: gcc must not reject the overflow at compile time */
    check(sdk_calloc(huge, 4) == NULL, "calloc whose size overflows returns NULL");
    unsigned char *kept = sdk_malloc(100);
    memset(kept, 0x5A, 100);
    check(sdk_realloc(kept, HEAP_SIZE) == NULL, "realloc beyond the heap returns NULL");
    live_block still = {kept, 100, 0x5A};
    check(intact(&still), "a failed realloc leaves the old block untouched");
    void *rest = sdk_malloc(HEAP_SIZE - 4096);
    check(rest != NULL && sdk_malloc(8192) == NULL, "malloc of a full heap returns NULL");
    sdk_free(rest);
    for (size_t alignment = 32; alignment <= 65536; alignment *= 2) {
        void *p = sdk_aligned_alloc(alignment, 1000);
        check(p != NULL && ((uintptr_t)p & (alignment - 1)) == 0, "aligned_alloc aligns");
        memset(p, 1, 1000);
        sdk_free(p);
    }
    check(sdk_aligned_alloc(24, 8) == NULL, "aligned_alloc of a non-power-of-two alignment is NULL");
    sdk_free(kept);
    void *all = sdk_malloc(HEAP_SIZE - 64);
    check(all != NULL, "aligned_alloc gave every byte back");
    sdk_free(all);
}

/* ---- Formatter ----------------------------------------------------------------------------- */

static void same(const char *format, ...)
{
    char expected[256], actual[256];
    va_list a, b;
    va_start(a, format);
    va_copy(b, a);
    int n_expected = vsnprintf(expected, sizeof expected, format, a);
    int n_actual = hs_vsnprintf(actual, sizeof actual, format, b);
    va_end(a);
    va_end(b);
    if (n_expected != n_actual || strcmp(expected, actual) != 0) {
        printf("sdkcheck: FAILED: format \"%s\": expected \"%s\" (%d), got \"%s\" (%d)\n", format,
               expected, n_expected, actual, n_actual);
        failures++;
    }
}

static void check_formatter(void)
{
    same("plain");
    same("%d %i %u", -42, 2147483647, 4294967295u);
    same("%ld %lld %lu %llu", -1L, (long long)-9223372036854775807LL - 1, 18446744073709551615UL,
         18446744073709551615ULL);
    same("%x %X %lx %llx %o", 0xdeadbeefu, 0xabcu, 0x123456789abcdefUL, 0xffffffffffffffffULL, 8u);
    same("%p", (void *)0x1234);
    same("[%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%8.3d] [%-8x|]", 42, 42, -42, 7, 7, 5, -5, 255u);
    same("[%s] [%10s] [%-10s] [%.2s] [%.*s] [%*d]", "abc", "abc", "abc", "abc", 3, "abcdef", 6, 1);
    same("%c%c%c %%", 'a', 'b', 'c');
    same("%zu %zd %hhu %hd", (size_t)123, (ssize_t)-5, 300, 70000);
    same("[%.0d] [%.0x]", 0, 0u);

    char small[4];
    int n = hs_snprintf(small, sizeof small, "%s", "hello");
    check(n == 5 && strcmp(small, "hel") == 0, "truncation keeps C99 snprintf semantics");
    check(hs_snprintf(NULL, 0, "%d", 12345) == 5, "size 0 only measures");
}

int main(void)
{
    check_allocator();
    check_allocation_failure();
    check_formatter();
    if (failures > 0) {
        printf("sdkcheck: %d checks failed\n", failures);
        return 1;
    }
    printf("sdkcheck: allocator and formatter ok\n");
    return 0;
}
