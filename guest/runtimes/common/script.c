/* The script-runtime protocol's guest side: captured output, the result document, tool calls. */
#include "script.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct capture {
    hs_script_buffer text;
    bool truncated;
} capture;

static capture captures[2];
static size_t output_limit = 64 * 1024;

void hs_script_set_output_limit(size_t limit) { output_limit = limit; }

void hs_script_begin_run(void)
{
    for (int i = 0; i < 2; i++) {
        captures[i].text.length = 0;
        captures[i].truncated = false;
    }
}

/* The length of the longest prefix of text[0..length) that does not end inside a UTF-8 sequence. */
static size_t utf8_prefix(const char *text, size_t length)
{
    size_t end = length;
    size_t back = 0;
    while (end > 0 && back < 4 && ((unsigned char)text[end - 1] & 0xC0) == 0x80) {
        end--;
        back++;
    }
    if (end == 0)
        return length;
    unsigned char lead = (unsigned char)text[end - 1];
    size_t needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return needed == back + 1 ? length : end - 1;
}

void hs_script_write(hs_script_stream stream, const char *text, size_t length)
{
    capture *c = &captures[stream == HS_SCRIPT_STDERR];
    if (c->truncated)
        return;
    size_t room = output_limit - c->text.length;
    if (length > room) {
        length = utf8_prefix(text, room);
        c->truncated = true;
    }
    if (!hs_script_buffer_append(&c->text, text, length))
        c->truncated = true;
}

bool hs_script_buffer_append(hs_script_buffer *buffer, const char *text, size_t length)
{
    if (buffer->capacity - buffer->length < length) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        while (capacity - buffer->length < length)
            capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (!grown)
            return false;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
    return true;
}

void hs_script_buffer_free(hs_script_buffer *buffer)
{
    free(buffer->data);
    *buffer = (hs_script_buffer){0};
}

/* The length of the valid UTF-8 sequence at text[0..length), or 0 if there is none. */
static size_t utf8_sequence(const unsigned char *text, size_t length)
{
    unsigned char c = text[0];
    size_t size = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (size == 0 || size > length)
        return 0;
    for (size_t i = 1; i < size; i++)
        if ((text[i] & 0xC0) != 0x80)
            return 0;
    if (size == 3) {
        unsigned code = ((c & 0x0Fu) << 12) | ((text[1] & 0x3Fu) << 6) | (text[2] & 0x3Fu);
        if (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))
            return 0;
    } else if (size == 4) {
        unsigned code = ((c & 0x07u) << 18) | ((text[1] & 0x3Fu) << 12) | ((text[2] & 0x3Fu) << 6) | (text[3] & 0x3Fu);
        if (code < 0x10000 || code > 0x10FFFF)
            return 0;
    }
    return size;
}

bool hs_script_buffer_append_json_string(hs_script_buffer *buffer, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)text;
    if (!hs_script_buffer_append(buffer, "\"", 1))
        return false;
    size_t i = 0;
    while (i < length) {
        size_t run = i;
        while (run < length && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i && !hs_script_buffer_append(buffer, text + i, run - i))
            return false;
        i = run;
        if (i == length)
            break;
        char escape[6];
        size_t size;
        if (p[i] == '"' || p[i] == '\\') {
            escape[0] = '\\';
            escape[1] = (char)p[i];
            size = 2;
        } else if (p[i] < 0x20) {
            escape[0] = '\\', escape[1] = 'u', escape[2] = '0', escape[3] = '0';
            escape[4] = hex[p[i] >> 4], escape[5] = hex[p[i] & 0xF];
            size = 6;
        } else {
            size_t sequence = utf8_sequence(p + i, length - i);
            if (sequence) {
                if (!hs_script_buffer_append(buffer, text + i, sequence))
                    return false;
                i += sequence;
                continue;
            }
            memcpy(escape, "\\ufffd", 6);
            size = 6;
        }
        if (!hs_script_buffer_append(buffer, escape, size))
            return false;
        i++;
    }
    return hs_script_buffer_append(buffer, "\"", 1);
}

/* Appends ,"stdout":…,"stderr":…,"stdoutTruncated":…,"stderrTruncated":…} to a result document. */
static bool append_output(hs_script_buffer *json)
{
    static const char *const names[2] = {",\"stdout\":", ",\"stderr\":"};
    for (int i = 0; i < 2; i++) {
        if (!hs_script_buffer_append(json, names[i], strlen(names[i])) ||
            !hs_script_buffer_append_json_string(json, captures[i].text.data, captures[i].text.length))
            return false;
    }
    char flags[64];
    int size = hs_snprintf(flags, sizeof flags, ",\"stdoutTruncated\":%s,\"stderrTruncated\":%s}",
                           captures[0].truncated ? "true" : "false", captures[1].truncated ? "true" : "false");
    return hs_script_buffer_append(json, flags, (size_t)size);
}

static void finish(hs_result *result, hs_script_buffer *json, bool ok)
{
    if (ok && append_output(json))
        hs_return_string_n(result, json->data, json->length);
    else
        hs_return_error(result, HS_ERROR_GUEST, "the interpreter ran out of memory while writing its result");
    hs_script_buffer_free(json);
}

/* Appends text with each byte that is not part of valid UTF-8 replaced by U+FFFD. */
static bool append_utf8(hs_script_buffer *buffer, const char *text, size_t length)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t start = 0, i = 0;
    while (i < length) {
        size_t sequence = utf8_sequence(p + i, length - i);
        if (sequence) {
            i += sequence;
            continue;
        }
        if (!hs_script_buffer_append(buffer, text + start, i - start) || !hs_script_buffer_append(buffer, "\xEF\xBF\xBD", 3))
            return false;
        start = ++i;
    }
    return hs_script_buffer_append(buffer, text + start, i - start);
}

void hs_script_return_value(hs_result *result, const char *value, size_t length)
{
    hs_script_buffer json = {0};
    bool ok = hs_script_buffer_append(&json, "{\"value\":", 9) && append_utf8(&json, value, length);
    finish(result, &json, ok);
}

void hs_script_return_error(hs_result *result, const char *type, const char *message, long line,
                            const char *stack)
{
    hs_script_buffer json = {0};
    char number[32];
    int size = line > 0 ? hs_snprintf(number, sizeof number, "%ld", line) : hs_snprintf(number, sizeof number, "null");
    bool ok = hs_script_buffer_append(&json, "{\"error\":{\"type\":", 17) &&
              hs_script_buffer_append_json_string(&json, type, strlen(type)) &&
              hs_script_buffer_append(&json, ",\"message\":", 11) &&
              hs_script_buffer_append_json_string(&json, message, strlen(message)) &&
              hs_script_buffer_append(&json, ",\"line\":", 8) &&
              hs_script_buffer_append(&json, number, (size_t)size) &&
              hs_script_buffer_append(&json, ",\"stack\":", 9) &&
              hs_script_buffer_append_json_string(&json, stack ? stack : "", stack ? strlen(stack) : 0) &&
              hs_script_buffer_append(&json, "}", 1);
    finish(result, &json, ok);
}

bool hs_script_call_tool(const char *name, size_t name_length, const char *arguments,
                         size_t arguments_length, const char **reply, size_t *reply_length)
{
    hs_host_reply host;
    if (hs_call_host("HostTool", HS_TYPE_STRING, &host, 2, hs_string_n(name, name_length),
                     hs_string_n(arguments, arguments_length))) {
        *reply = host.value.as.p;
        *reply_length = host.value.size;
        return true;
    }
    /* The host names the function that failed; the script should see only the tool's own words. */
    static const char prefix[] = "Host function 'HostTool' failed: ";
    size_t skip = host.error_length >= sizeof prefix - 1 && memcmp(host.error_message, prefix, sizeof prefix - 1) == 0
                      ? sizeof prefix - 1
                      : 0;
    *reply = host.error_message + skip;
    *reply_length = host.error_length - skip;
    return false;
}
