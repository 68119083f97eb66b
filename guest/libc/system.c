/*
 * system(): a guest has no command processor. C lets system(NULL) say so by returning 0; a
 * command cannot run, which POSIX reports as the status of a shell that could not execute it.
 */
#include <stdlib.h>

int system(const char *command) { return command ? 127 << 8 : 0; }
