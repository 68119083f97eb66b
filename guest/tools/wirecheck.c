/*
 * wirecheck: runs byte-exact wire-format vectors through the C codec (src/wire.c).
 *
 *   gcc -O1 -Wall -Werror -Iguest/include guest/tools/wirecheck.c guest/src/wire.c -o wirecheck
 *   ./wirecheck tests/vectors/wire.txt
 *
 * One vector per line; blank lines and lines starting with '#' are skipped:
 *   <name> ok <hex> | <rendering>   must decode to <rendering> and re-encode to the same bytes
 *   <name> bad <hex>                must be rejected by the decoder
 * The rendering grammar is in docs/guest-abi.md (SDK section) and is shared with the C# tests.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypersharp/wire.h"

/* A growable string the renderer appends to. */
typedef struct {
    char *text;
    size_t length, capacity;
} text_buffer;

static void append(text_buffer *t, const char *format, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, format);
        int n = vsnprintf(t->text + t->length, t->capacity - t->length, format, ap);
        va_end(ap);
        if (n < 0) {
            fprintf(stderr, "wirecheck: vsnprintf failed\n");
            exit(2);
        }
        if ((size_t)n < t->capacity - t->length) {
            t->length += (size_t)n;
            return;
        }
        t->capacity = 2 * t->capacity + (size_t)n + 1;
        t->text = realloc(t->text, t->capacity);
        if (!t->text) {
            fprintf(stderr, "wirecheck: out of memory\n");
            exit(2);
        }
    }
}

static void append_hex(text_buffer *t, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++)
        append(t, "%02x", p[i]);
}

static const char *type_name(unsigned type)
{
    static const char *const names[] = {"VOID",   "INT",  "UINT",   "LONG", "ULONG",
                                        "FLOAT", "DOUBLE", "BOOL", "STRING", "BYTES"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}

static void render_value(text_buffer *t, const hs_value *v)
{
    append(t, "%s:", type_name(v->type));
    switch (v->type) {
    case HS_TYPE_INT:
        append(t, "%d", v->as.i32);
        break;
    case HS_TYPE_UINT:
        append(t, "%u", v->as.u32);
        break;
    case HS_TYPE_LONG:
        append(t, "%lld", (long long)v->as.i64);
        break;
    case HS_TYPE_ULONG:
        append(t, "%llu", (unsigned long long)v->as.u64);
        break;
    case HS_TYPE_FLOAT:
        append(t, "0x%08x", v->as.u32);
        break;
    case HS_TYPE_DOUBLE:
        append(t, "0x%016llx", (unsigned long long)v->as.u64);
        break;
    case HS_TYPE_BOOL:
        append(t, "%s", v->as.b ? "true" : "false");
        break;
    default: /* STRING, BYTES */
        append_hex(t, v->as.p, v->size);
        break;
    }
}

static void render_values(text_buffer *t, const hs_value *values, unsigned count)
{
    append(t, "[");
    for (unsigned i = 0; i < count; i++) {
        if (i > 0)
            append(t, " ");
        render_value(t, &values[i]);
    }
    append(t, "]");
}

static void render(text_buffer *t, const hs_message *m)
{
    switch (m->kind) {
    case HS_MSG_CALL:
        append(t, "CALL ");
        append_hex(t, m->name, m->name_size);
        append(t, " %s ", type_name(m->return_type));
        render_values(t, m->values, m->count);
        break;
    case HS_MSG_RETURN:
        append(t, "RETURN %s ", type_name(m->return_type));
        render_values(t, m->values, m->count);
        break;
    case HS_MSG_ERROR:
        append(t, "ERROR %u ", m->code);
        render_values(t, m->values, m->count);
        break;
    default: { /* FUNCTIONS */
        const uint8_t *cursor = m->signatures;
        append(t, "FUNCTIONS [");
        for (unsigned i = 0; i < m->count; i++) {
            hs_signature s;
            hs_wire_next_signature(&cursor, &s);
            append(t, "%s%s:", i > 0 ? "," : "", type_name(s.return_type));
            append_hex(t, s.name, s.name_size);
            append(t, "(");
            for (unsigned k = 0; k < s.param_count; k++)
                append(t, "%s%s", k > 0 ? "," : "", type_name(s.param_types[k]));
            append(t, ")");
        }
        append(t, "]");
        break;
    }
    }
}

/* Re-encodes a decoded message; returns the status and fills out/size. */
static int reencode(const hs_message *m, unsigned char *out, size_t capacity, uint64_t *size)
{
    if (m->kind != HS_MSG_FUNCTIONS)
        return hs_wire_encode(out, capacity, m, size);
    static hs_signature signatures[HS_MAX_FUNCTIONS];
    const uint8_t *cursor = m->signatures;
    for (unsigned i = 0; i < m->count; i++)
        hs_wire_next_signature(&cursor, &signatures[i]);
    return hs_wire_encode_functions(out, capacity, signatures, m->count, size);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parses lowercase hex into a new buffer; returns NULL if malformed. */
static unsigned char *parse_hex(const char *hex, size_t *size)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return NULL;
    unsigned char *bytes = malloc(n / 2 + 1);
    if (!bytes)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(bytes);
            return NULL;
        }
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    *size = n / 2;
    return bytes;
}

/* Checks one vector line (already stripped of its newline); returns 1 if it passes. */
static int check_line(const char *path, unsigned line_number, char *line)
{
    char *rendering = NULL;
    char *bar = strstr(line, " | ");
    if (bar) {
        *bar = '\0';
        rendering = bar + 3;
    }
    char *name = strtok(line, " ");
    char *verdict = strtok(NULL, " ");
    char *hex = strtok(NULL, " ");
    if (!name || !verdict || !hex || strtok(NULL, " ") ||
        (strcmp(verdict, "ok") == 0) != (rendering != NULL) ||
        (strcmp(verdict, "ok") != 0 && strcmp(verdict, "bad") != 0)) {
        printf("%s:%u: malformed vector line\n", path, line_number);
        return 0;
    }
    size_t size = 0;
    unsigned char *bytes = parse_hex(hex, &size);
    if (!bytes) {
        printf("%s:%u: %s: malformed hex\n", path, line_number, name);
        return 0;
    }

    int passed = 1;
    hs_message message;
    const char *why = hs_wire_decode(bytes, size, &message);
    if (!rendering) {
        if (!why) {
            printf("%s:%u: %s: decoded, but must be rejected\n", path, line_number, name);
            passed = 0;
        }
    } else if (why) {
        printf("%s:%u: %s: rejected: %s\n", path, line_number, name, why);
        passed = 0;
    } else {
        text_buffer actual = {0};
        append(&actual, "%s", "");
        render(&actual, &message);
        if (strcmp(actual.text, rendering) != 0) {
            printf("%s:%u: %s: rendering differs\n  expected: %s\n  actual:   %s\n", path,
                   line_number, name, rendering, actual.text);
            passed = 0;
        }
        free(actual.text);

        unsigned char *encoded = malloc(size + 1);
        uint64_t encoded_size = 0;
        int status = encoded ? reencode(&message, encoded, size, &encoded_size) : -1;
        if (status != HS_WIRE_OK) {
            printf("%s:%u: %s: re-encoding failed (status %d)\n", path, line_number, name,
                   status);
            passed = 0;
        } else if (encoded_size != size || memcmp(encoded, bytes, size) != 0) {
            printf("%s:%u: %s: re-encoding differs from the vector bytes\n", path, line_number,
                   name);
            passed = 0;
        }
        free(encoded);
    }
    free(bytes);
    return passed;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: wirecheck <vector-file>\n");
        return 2;
    }
    FILE *file = fopen(argv[1], "r");
    if (!file) {
        perror(argv[1]);
        return 2;
    }
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    unsigned line_number = 0, vectors = 0, failures = 0;
    while ((length = getline(&line, &capacity, file)) >= 0) {
        line_number++;
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (length == 0 || line[0] == '#')
            continue;
        vectors++;
        if (!check_line(argv[1], line_number, line))
            failures++;
    }
    free(line);
    fclose(file);
    if (failures > 0) {
        printf("wirecheck: %u of %u vectors failed\n", failures, vectors);
        return 1;
    }
    printf("wirecheck: %u vectors ok\n", vectors);
    return 0;
}
