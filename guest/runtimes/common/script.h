/*
 * The script-runtime protocol (docs/scripting.md): what every interpreter guest (JavaScript,
 * Python, Lua) shares, so that the host drives them all the same way.
 *
 * An interpreter guest exports
 *     Configure(STRING options) -> VOID    once, before the host snapshots the fresh interpreter
 * where options is a JSON object whose members are all optional byte counts:
 *     {"memoryLimit":N,"outputLimit":N,"stackLimit":N}
 * memoryLimit: what the interpreter may allocate (running out is the language's out-of-memory
 * error); outputLimit: what each captured stream keeps (hs_script_set_output_limit); stackLimit:
 * the native stack the interpreter may use before its stack-overflow error (below the sandbox's
 * stack, leaving room for the C code between its checks). Unknown members are ignored.
 *     Run(STRING source) -> STRING         one script; the result is the JSON document below
 * and calls the host function
 *     HostTool(STRING name, STRING arguments) -> STRING
 * for `tools.<name>(...)`: the arguments are a JSON array, the reply is the tool's result as JSON;
 * a tool that fails comes back as a host-function error whose text is the message.
 *
 * Run's result, always one JSON object:
 *     {"value":<JSON>,"stdout":"…","stderr":"…","stdoutTruncated":false,"stderrTruncated":false}
 * or, when the script raised an error,
 *     {"error":{"type":"TypeError","message":"…","line":3,"stack":"…"},"stdout":"…",…}
 * where "line" is null when unknown and "stack" may be "". Output is captured here, not sent to
 * the host as it is printed: a run costs one exit however much it prints.
 */
#ifndef HYPERSHARP_SCRIPT_H
#define HYPERSHARP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "hypersharp/guest.h"

typedef enum hs_script_stream {
    HS_SCRIPT_STDOUT = 0,
    HS_SCRIPT_STDERR = 1,
} hs_script_stream;

/* Sets how many bytes of each stream a run keeps; more is dropped (at a UTF-8 boundary) and the
 * result says so. Call from Configure. */
void hs_script_set_output_limit(size_t limit);

/* Starts a run: empties both captured streams. */
void hs_script_begin_run(void);

/* Appends script output to a stream, up to the limit. Invalid UTF-8 is kept as is here and
 * escaped as U+FFFD in the result. */
void hs_script_write(hs_script_stream stream, const char *text, size_t length);

/* Finishes Run with the script's value, `json` being a complete JSON text (e.g. "null", "42",
 * "{\"a\":[1]}"): the caller produced it with its language's JSON serialiser. Bytes that are not
 * valid UTF-8 (a language's ill-formed strings, such as Python's lone surrogates) become U+FFFD. */
void hs_script_return_value(hs_result *result, const char *json, size_t length);

/* Finishes Run with the script's error. `line` is 1-based, or 0 when unknown; `stack` may be NULL. */
void hs_script_return_error(hs_result *result, const char *type, const char *message, long line,
                            const char *stack);

/* Calls the host's tool `name` with `arguments`, a JSON array. True: *reply is the result as
 * JSON. False: *reply is the error's message (the tool threw, or there is no such tool), without
 * the host's "Host function 'HostTool' failed: " prefix. Either is NUL-terminated and valid until
 * the next host call or until Run returns. */
bool hs_script_call_tool(const char *name, size_t name_length, const char *arguments,
                         size_t arguments_length, const char **reply, size_t *reply_length);

/* Appends `text` as a JSON string literal (quotes included) to a growing buffer; invalid UTF-8
 * becomes U+FFFD. For runtimes that build JSON by hand. False when memory ran out. */
typedef struct hs_script_buffer {
    char *data;
    size_t length;
    size_t capacity;
} hs_script_buffer;

bool hs_script_buffer_append(hs_script_buffer *buffer, const char *text, size_t length);
bool hs_script_buffer_append_json_string(hs_script_buffer *buffer, const char *text, size_t length);
void hs_script_buffer_free(hs_script_buffer *buffer);

#endif
