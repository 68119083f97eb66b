/* Included into MicroPython's extmod/modtime.c (MICROPY_PY_TIME_INCLUDEFILE): time.time(),
 * time.localtime() and time.gmtime() from the host's clock, read without a VM exit. There are no
 * time zones, so local time is UTC. */
#include "py/obj.h"
#include "shared/timeutils/timeutils.h"

#include <hypersharp/guest.h>

static mp_obj_t mp_time_time_get(void)
{
    return mp_obj_new_float((mp_float_t)hs_clock_realtime_ns() / 1e9);
}

static mp_obj_t mp_time_localtime_get(void)
{
    timeutils_struct_time_t tm;
    timeutils_seconds_since_epoch_to_struct_time(hs_clock_realtime_ns() / 1000000000, &tm);
    mp_obj_t tuple[8] = {
        mp_obj_new_int(tm.tm_year), mp_obj_new_int(tm.tm_mon),  mp_obj_new_int(tm.tm_mday),
        mp_obj_new_int(tm.tm_hour), mp_obj_new_int(tm.tm_min),  mp_obj_new_int(tm.tm_sec),
        mp_obj_new_int(tm.tm_wday), mp_obj_new_int(tm.tm_yday),
    };
    return mp_obj_new_tuple(8, tuple);
}
