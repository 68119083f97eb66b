/*
 * The three standard streams. stdout and stderr collect output in a buffer here and send it to
 * the host functions HostPrint(string) -> int and HostPrintError(string) -> int: when the buffer
 * fills, on fflush, and when a guest function returns (the SDK calls hs_stdio_flush before it
 * finishes the result), so a call that prints costs one extra exit per stream, not one per line.
 * A flush never ends inside a UTF-8 sequence: up to three bytes of an unfinished character wait
 * for the next flush (wire strings must be valid UTF-8; the SDK would turn them into '?').
 * stdin is always at end of file.
 */
#include <stdio.h>
#include <string.h>

#include "hypersharp/guest.h"

#define BUFFER_SIZE 4096

typedef struct host_stream {
    FILE file; /* first, so a FILE * is a host_stream * */
    const char *function;
    size_t length;
    char buffer[BUFFER_SIZE];
} host_stream;

static int put(char c, FILE *file);
static int flush(FILE *file);
static int get(FILE *file);

static host_stream out = {.file = FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE),
                          .function = "HostPrint"};
static host_stream err = {.file = FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE),
                          .function = "HostPrintError"};
static FILE in = FDEV_SETUP_STREAM(NULL, get, NULL, _FDEV_SETUP_READ);

FILE *const stdin = &in;
FILE *const stdout = &out.file;
FILE *const stderr = &err.file;

/* How many bytes at the end of text[0 .. length) start a UTF-8 character that is not complete. */
static size_t unfinished_tail(const char *text, size_t length)
{
    for (size_t back = 1; back <= 3 && back <= length; back++) {
        unsigned char c = (unsigned char)text[length - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back for the lead byte */
        size_t needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return needed > back ? back : 0;
    }
    return 0;
}

/* Sends the buffer to the host, keeping an unfinished character unless `everything`. */
static int send(host_stream *s, bool everything)
{
    size_t keep = everything ? 0 : unfinished_tail(s->buffer, s->length);
    size_t length = s->length - keep;
    if (length == 0)
        return 0;
    hs_text_repair(s->buffer, length);
    hs_host_reply reply;
    bool ok = hs_call_host(s->function, HS_TYPE_INT, &reply, 1, hs_string_n(s->buffer, length));
    memmove(s->buffer, s->buffer + length, keep);
    s->length = keep;
    if (!ok) {
        s->file.flags |= __SERR;
        return EOF;
    }
    return 0;
}

static int put(char c, FILE *file)
{
    host_stream *s = (host_stream *)file;
    if (s->length == BUFFER_SIZE && send(s, false) != 0)
        return _FDEV_ERR;
    s->buffer[s->length++] = c;
    return (unsigned char)c;
}

static int flush(FILE *file) { return send((host_stream *)file, false); }

static int get(FILE *file)
{
    (void)file;
    return _FDEV_EOF;
}

void hs_stdio_flush(void)
{
    send(&out, true);
    send(&err, true);
}
