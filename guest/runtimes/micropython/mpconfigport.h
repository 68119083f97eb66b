/*
 * MicroPython's configuration for the HyperSharp guest (docs/scripting-python.md).
 *
 * The starting point is MicroPython's fullest feature level, so that scripts (and MicroPython's
 * own test suites) find as much of the language as MicroPython has. Then everything that needs an
 * operating system or could reach outside the interpreter is switched off: files and the VFS, os,
 * sockets, select, threads, machine, uctypes (raw memory access), loading bytecode (marshal,
 * .mpy files: MicroPython does not verify bytecode) and native code emitters (guest data pages are
 * not executable). Imports find built-in modules only.
 */
#include <alloca.h>
#include <stdint.h>

#define MICROPY_CONFIG_ROM_LEVEL                (MICROPY_CONFIG_ROM_LEVEL_EVERYTHING)

typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
typedef long mp_off_t;
// py/objint_mpz.c uses POSIX's SSIZE_MAX, which the guest C library does not define.
#define SSIZE_MAX                               INTPTR_MAX

#define MICROPY_MPHALPORT_H                     "mphalport.h"
#define MICROPY_PY_SYS_PLATFORM                 "hypersharp"
#define MICROPY_HW_BOARD_NAME                   "HyperSharp guest"
#define MICROPY_HW_MCU_NAME                     "x86-64"

// The interpreter: double floats, arbitrary-precision ints, the GC heap the guest allocates.
#define MICROPY_ENABLE_COMPILER                 (1)
#define MICROPY_ENABLE_GC                       (1)
#define MICROPY_FLOAT_IMPL                      (MICROPY_FLOAT_IMPL_DOUBLE)
#define MICROPY_LONGINT_IMPL                    (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_ERROR_REPORTING                 (MICROPY_ERROR_REPORTING_DETAILED)
#define MICROPY_WARNINGS                        (1)
#define MICROPY_PY_STR_BYTES_CMP_WARN           (1)
#define MICROPY_OPT_COMPUTED_GOTO               (1)
// Keep lonely constant expressions (a script that is just `42`, or ends with 'done'): the parser
// drops them otherwise, and a run's value is its last expression.
#define MICROPY_ENABLE_DOC_STRING               (1)
// A MemoryError keeps its traceback even when the heap is full.
#define MICROPY_ENABLE_EMERGENCY_EXCEPTION_BUF  (1)
#define MICROPY_EMERGENCY_EXCEPTION_BUF_SIZE    (256)

// Recursion ends in RuntimeError before the stack's guard page: MicroPython compares the stack in
// use with the limit Configure sets (the sandbox stack less this margin, or options.stackLimit) at
// every call and every nested print, iteration, sort and regex step. The margin covers what C code
// may use between two checks.
#define MICROPY_STACK_CHECK                     (1)
#define MICROPY_STACK_CHECK_MARGIN              (16 * 1024)

// Output: sys.stdout and sys.stderr are captured by the script protocol (stdio.c); warnings go
// to stderr.
extern const struct _mp_print_t mp_stderr_print;
#define MICROPY_ERROR_PRINTER                   (&mp_stderr_print)
#define MICROPY_PY_SYS_STDFILES                 (1)
#define MICROPY_PY_SYS_EXC_INFO                 (1)
#define MICROPY_PY_BUILTINS_INPUT               (0)
#define MICROPY_PY_BUILTINS_EXECFILE            (0)

// time: the host's clock, read without a VM exit; time.sleep waits by spinning on it.
#define MICROPY_PY_TIME                         (1)
#define MICROPY_PY_TIME_TIME_TIME_NS            (1)
#define MICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME  (1)
#define MICROPY_PY_TIME_INCLUDEFILE             "modtime_port.h"
#define MICROPY_EPOCH_IS_1970                   (1)

// random: random.seed() with no argument, which every Run calls, draws from the SDK's random
// source, which the host reseeds whenever it restores a snapshot.
uint64_t hs_random_u64(void);
#define MICROPY_PY_RANDOM_SEED_INIT_FUNC        ((mp_uint_t)hs_random_u64())

// hashlib: SHA-256 only (MD5 and SHA-1 would need axTLS or mbedTLS, which Debian's source leaves out).
#define MICROPY_PY_HASHLIB_SHA256               (1)

// errno numbers as on Linux (MicroPython's own table), as CPython's there and the tests expect.
#define MICROPY_USE_INTERNAL_ERRNO              (1)

// Nothing that needs an OS, touches memory directly or runs code that was not compiled here.
#define MICROPY_ENABLE_EXTERNAL_IMPORT          (0)
#define MICROPY_PERSISTENT_CODE_LOAD            (0)
#define MICROPY_PY_MARSHAL                      (0)
#define MICROPY_VFS                             (0)
#define MICROPY_PY_OS                           (0)
#define MICROPY_PY_SELECT                       (0)
#define MICROPY_PY_THREAD                       (0)
#define MICROPY_PY_MACHINE                      (0)
#define MICROPY_PY_UCTYPES                      (0)
#define MICROPY_PY_FRAMEBUF                     (0)
#define MICROPY_PY_ASYNCIO                      (0)
#define MICROPY_PY_SYS_SETTRACE                 (0)
// function.__code__: without frozen bytecode support, MicroPython 1.25 rebuilds a function from
// such a code object by reading its bytecode as a raw-code record (an assertion, or a fault).
#define MICROPY_PY_FUNCTION_ATTRS_CODE          (0)
