/*
 * time(), clock_gettime(), gettimeofday() and clock() from the SDK's exit-free clock
 * (hs_clock_*; docs/guest-abi.md §5). There are no time zones: localtime() is gmtime(), since
 * picolibc's time-zone code finds no TZ variable (getenv returns NULL) and keeps UTC.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "hypersharp/guest.h"

#define NS_PER_SECOND 1000000000

static struct timespec timespec_of(int64_t ns)
{
    int64_t seconds = ns / NS_PER_SECOND, rest = ns % NS_PER_SECOND;
    if (rest < 0) {
        seconds--;
        rest += NS_PER_SECOND;
    }
    return (struct timespec){.tv_sec = (time_t)seconds, .tv_nsec = (long)rest};
}

int clock_gettime(clockid_t clock, struct timespec *now)
{
    switch (clock) {
    case CLOCK_REALTIME:
        *now = timespec_of(hs_clock_realtime_ns());
        return 0;
    case CLOCK_MONOTONIC:
        *now = timespec_of((int64_t)hs_clock_monotonic_ns());
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

int clock_getres(clockid_t clock, struct timespec *resolution)
{
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    if (resolution)
        *resolution = (struct timespec){.tv_sec = 0, .tv_nsec = 1};
    return 0;
}

int gettimeofday(struct timeval *restrict now, void *restrict zone)
{
    (void)zone;
    struct timespec ts = timespec_of(hs_clock_realtime_ns());
    *now = (struct timeval){.tv_sec = ts.tv_sec, .tv_usec = ts.tv_nsec / 1000};
    return 0;
}

time_t time(time_t *out)
{
    time_t now = timespec_of(hs_clock_realtime_ns()).tv_sec;
    if (out)
        *out = now;
    return now;
}

/* Processor time: the guest has the vCPU to itself while it runs, so this is the monotonic time
 * since the first clock() call (C leaves the era to the implementation). */
clock_t clock(void)
{
    static uint64_t start;
    uint64_t now = hs_clock_monotonic_ns();
    if (start == 0)
        start = now;
    return (clock_t)((now - start) / (NS_PER_SECOND / CLOCKS_PER_SEC));
}
