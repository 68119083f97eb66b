/*
 * What MicroPython asks of its port, for a guest: the clock, delays, garbage collection roots,
 * the last-resort failure handler, and a builtins.open that finds no files.
 */
#include <string.h>

#include "py/builtin.h"
#include "py/gc.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/runtime/gchelper.h"

#include <hypersharp/guest.h>

uint64_t mp_hal_time_ns(void)
{
    return (uint64_t)hs_clock_realtime_ns();
}

mp_uint_t mp_hal_ticks_ms(void)
{
    return hs_clock_monotonic_ns() / 1000000;
}

mp_uint_t mp_hal_ticks_us(void)
{
    return hs_clock_monotonic_ns() / 1000;
}

mp_uint_t mp_hal_ticks_cpu(void)
{
    return hs_clock_monotonic_ns();
}

/* A guest has nothing to wait for and no way to yield its vCPU: a delay spins on the clock, so it
 * counts against the call's time limit like any other work. */
void mp_hal_delay_us(mp_uint_t us)
{
    uint64_t end = hs_clock_monotonic_ns() + (uint64_t)us * 1000;
    while (hs_clock_monotonic_ns() < end) {
    }
}

void mp_hal_delay_ms(mp_uint_t ms)
{
    mp_hal_delay_us(ms * 1000);
}

/* No keyboard, so no interrupt character to watch for (micropython.kbd_intr does nothing). */
void mp_hal_set_interrupt_char(int c)
{
    (void)c;
}

/* The roots: the callee-saved registers and the whole guest stack above the collector's frame. */
void gc_collect(void)
{
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    gc_collect_end();
}

/* An exception with no handler to catch it: the interpreter's state is lost, so the guest ends. */
void nlr_jump_fail(void *value)
{
    (void)value;
    hs_abort(HS_ABORT_ASSERTION, "MicroPython: an exception escaped every handler");
}

/* The guest has no files (as its C library, docs/guest-abi.md §7): opening one to read fails with
 * ENOENT, to write, append or create with EROFS. */
static mp_obj_t builtin_open(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs)
{
    static const mp_arg_t allowed[] = {
        {MP_QSTR_file, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_mode, MP_ARG_OBJ, {.u_obj = MP_OBJ_NEW_QSTR(MP_QSTR_r)}},
        {MP_QSTR_buffering, MP_ARG_INT, {.u_int = -1}},
        {MP_QSTR_encoding, MP_ARG_OBJ, {.u_obj = mp_const_none}},
    };
    mp_arg_val_t values[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, args, kwargs, MP_ARRAY_SIZE(allowed), allowed, values);
    const char *mode = mp_obj_str_get_str(values[1].u_obj);
    bool writes = strpbrk(mode, "wax+") != NULL;
    mp_raise_OSError(writes ? MP_EROFS : MP_ENOENT);
}
MP_DEFINE_CONST_FUN_OBJ_KW(mp_builtin_open_obj, 1, builtin_open);
