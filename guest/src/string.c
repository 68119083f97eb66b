/*
 * The C string functions. gcc emits calls to memcpy, memmove, memset and memcmp even in
 * freestanding code; this file is built with -fno-tree-loop-distribute-patterns so it does not
 * turn its own loops back into calls to itself.
 *
 * Bulk copies and fills use `rep movsq/stosq` plus a byte tail: fast on hardware, and where a
 * hypervisor emulates instructions each iteration costs about the same whatever its width, so
 * moving 8 bytes per iteration is 8 times faster than a byte loop or `rep movsb`.
 */
#include "internal.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    size_t words = n / 8;
    __asm__ volatile("rep movsq\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(words)
                     : "r"(n % 8)
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy downwards, the odd top bytes first. */
    size_t words = n / 8;
    const unsigned char *s_end = s + n - 1;
    unsigned char *d_end = d + n - 1;
    size_t tail = n % 8;
    __asm__ volatile("std\n\t"
                     "rep movsb\n\t"
                     "sub $7, %%rsi\n\t"
                     "sub $7, %%rdi\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep movsq\n\t"
                     "cld"
                     : "+D"(d_end), "+S"(s_end), "+c"(tail)
                     : "r"(words)
                     : "memory", "cc");
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / 8;
    uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
    __asm__ volatile("rep stosq\n\t"
                     "mov %3, %%rcx\n\t"
                     "rep stosb"
                     : "+D"(d), "+c"(words)
                     : "a"(pattern), "r"(n % 8)
                     : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++)
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = '\0';
    return dst;
}
