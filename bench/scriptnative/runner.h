/*
 * What the native interpreter runners share: the command line (SCRIPT ITERATIONS), reading the script, the clock.
 */
#ifndef HYPERSHARP_SCRIPTNATIVE_RUNNER_H
#define HYPERSHARP_SCRIPTNATIVE_RUNNER_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Reads the script named by argv[1] into a static buffer (NUL-terminated) and the iteration count from argv[2];
 * exits with a message on a wrong command line or an unreadable file. */
static const char *read_script(int argc, char **argv, const char *name, size_t *length, int *iterations)
{
    static char source[1 << 20];
    if (argc != 3) {
        fprintf(stderr, "usage: %s SCRIPT ITERATIONS\n", name);
        exit(2);
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        exit(2);
    }
    *length = fread(source, 1, sizeof source - 1, file);
    fclose(file);
    source[*length] = 0;
    *iterations = atoi(argv[2]);
    return source;
}

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

#endif
