/* The C library conformance program: compiled natively against glibc (guest/tools/libctest-native.c)
 * and into libcguest; both must print exactly the same text (tests/HyperSharp.IntegrationTests). */
#ifndef LIBCTEST_H
#define LIBCTEST_H

/* Prints every vector to stdout. */
void run_libc_test(void);

#endif
