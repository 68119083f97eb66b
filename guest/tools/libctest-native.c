/*
 * The C library conformance program (tests/libcguest/libctest.c) as an ordinary Linux program
 * against glibc, for the integration test that compares its output with the guest's. UTC, since
 * a guest has no time zone.
 */
#include <stdlib.h>
#include <time.h>

#include "../tests/libcguest/libctest.h"

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    run_libc_test();
    return 0;
}
