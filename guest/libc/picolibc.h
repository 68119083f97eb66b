/*
 * picolibc's configuration header for HyperSharp guests, written by hand in place of the one
 * picolibc's meson build generates from picolibc.h.in, so the build needs neither meson nor
 * ninja. Every picolibc source and every guest includes it (through picolibc's own headers).
 *
 * The values are those meson writes for x86-64 with
 *   -Dthread-local-storage=false -Dnewlib-global-errno=true -Dsingle-thread=true
 *   -Dio-long-long=true -Dwant-math-errno=true -Dpicoexit=false -Dpicocrt=false -Dsemihost=false
 * and why each differs from picolibc's default is said next to it.
 */
#pragma once

#define __PICOLIBC__ 1
#define __PICOLIBC_MINOR__ 8
#define __PICOLIBC_PATCHLEVEL__ 10
#define __PICOLIBC_VERSION__ "1.8.10"
#define __NEWLIB__ 4
#define __NEWLIB_MINOR__ 3
#define __NEWLIB_PATCHLEVEL__ 0
#define __NEWLIB_VERSION__ "4.3.0"
#define _NEWLIB_VERSION "4.3.0"

/* A guest has one thread and no interrupts: no locks, and errno is one global variable rather
 * than thread-local, so nothing in the library reads %fs. */
#define __SINGLE_THREAD
#define __GLOBAL_ERRNO
#undef __THREAD_LOCAL_STORAGE
#undef __THREAD_LOCAL_STORAGE_API
#undef __THREAD_LOCAL_STORAGE_STACK_GUARD
#undef __STDIO_LOCKING

/* The clocks guest/libc/time.c offers, so <time.h> declares CLOCK_MONOTONIC. */
#define _POSIX_TIMERS 1
#define _POSIX_MONOTONIC_CLOCK 200112L

/* stdio: picolibc's "tiny stdio", with floating point in printf/scanf ('d' = double is the
 * default format set), exact (correctly rounded) conversions, C99 formats and %lld. */
#define __TINY_STDIO
#define __IO_DEFAULT 'd'
#define __IO_FLOAT_EXACT
#define __IO_C99_FORMATS
#define __IO_LONG_LONG
#define __IO_SMALL_ULTOA
#define __ATOMIC_UNGETC
#undef __IO_LONG_DOUBLE
#undef __IO_MINIMAL_LONG_LONG
#undef __IO_PERCENT_B
#undef __IO_PERCENT_N
#undef __IO_POS_ARGS
#undef __IO_WCHAR
#undef __FAST_BUFIO

/* libm reports domain and range errors in errno as well as in the floating-point flags, as
 * glibc does (math_errhandling == MATH_ERRNO | MATH_ERREXCEPT). */
#define __MATH_ERRNO
#undef __IEEE_LIBM
#undef __IEEEFP_FUNCS
#undef __OBSOLETE_MATH
#undef __OBSOLETE_MATH_FLOAT
#undef __OBSOLETE_MATH_DOUBLE

/* The guest build compiles picolibc with -O2, not meson's -Os: speed over size. */
#undef __PREFER_SIZE_OVER_SPEED
#define __FAST_STRCMP

/* Locale: "C" only; no multibyte character sets. */
#undef __MB_CAPABLE

/* malloc & co. come from the SDK (guest/src/heap.c), not from picolibc's nano-malloc. */
#undef __NANO_MALLOC
#undef __NANO_MALLOC_CLEAR_FREED

/* No start-up code, exit handlers, files or semihosting from picolibc: the SDK owns _start and
 * guest/libc supplies exit, abort and the three standard streams. */
#undef __PICO_EXIT
#undef __INIT_FINI_ARRAY
#undef __INIT_FINI_FUNCS
#undef __SEMIHOST
#undef __ARM_SEMIHOST
#undef __HAVE_FCNTL
#undef _ATEXIT_DYNAMIC_ALLOC
#undef _GLOBAL_ATEXIT
#undef _WANT_REGISTER_FINI

#define __ASSERT_VERBOSE
#define __HAVE_BITFIELDS_IN_PACKED_STRUCTS
#define __HAVE_BUILTIN_COMPLEX 1
#define __HAVE_CC_INHIBIT_LOOP_TO_LIBCALL
#define __HAVE_COMPLEX
