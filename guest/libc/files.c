/*
 * Files. A guest has no file system; to C code it looks empty and read-only: opening a path for
 * reading fails with ENOENT, creating or writing one with EROFS, and so do remove, rename and
 * tmpfile; tmpnam has no name to offer. Only the three standard streams exist (stdio.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool writes(const char *mode) { return strpbrk(mode, "wa+") != NULL; }

FILE *fopen(const char *restrict path, const char *restrict mode)
{
    (void)path;
    errno = writes(mode) ? EROFS : ENOENT;
    return NULL;
}

FILE *freopen(const char *restrict path, const char *restrict mode, FILE *restrict stream)
{
    (void)stream;
    return fopen(path ? path : "", mode);
}

FILE *tmpfile(void)
{
    errno = EROFS;
    return NULL;
}

char *tmpnam(char *name)
{
    (void)name;
    return NULL;
}

int remove(const char *path)
{
    (void)path;
    errno = ENOENT;
    return -1;
}

int rename(const char *from, const char *to)
{
    (void)from;
    (void)to;
    errno = ENOENT;
    return -1;
}
