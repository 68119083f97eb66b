/*
 * quickjs.elf: JavaScript (QuickJS 2025-04-26, from Debian's source package) behind the script
 * protocol of runtimes/common/script.h. hs_main builds one runtime and context with the ES2023
 * built-ins and no std/os modules (no files, no network, no processes, no timers), plus:
 *   console.log/info/debug and print -> the captured stdout; console.error/warn -> stderr;
 *   tools.<name>(...args) -> HostTool(name, JSON of args), the reply parsed as JSON, a failure
 *                           thrown as an Error with the tool's message;
 *   Math.random -> the SDK's random source, which the host reseeds on every restore.
 * Configure sets the memory limit (JS_SetMemoryLimit: running out is "InternalError: out of
 * memory", even when memory is too short for QuickJS to make that error object), the stack limit (JS_SetMaxStackSize: deep recursion is "InternalError: stack
 * overflow" long before the guard page) and the output limit.
 *
 * Run evaluates the source as an async global script (top-level await works), awaits its result
 * and, if the completion value is a promise, that too, then runs every pending job, and returns
 * JSON.stringify of the value (undefined, functions and symbols become null).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quickjs.h"
#include "script.h"

/* The file name of the script in stacks and messages: "at f (script:3:7)". */
#define SCRIPT_NAME "script"

static JSRuntime *runtime;
static JSContext *context;

/* Whether an allocation failed during this run. When memory is that short, QuickJS may be unable to
 * allocate even the InternalError it throws, and leaves no error object; this says what happened. */
static bool out_of_memory;

/* QuickJS's own allocator functions, with the failure noted: its memory limit is the same check. */
static void *js_allocate(JSMallocState *state, size_t size)
{
    void *block = state->malloc_size + size > state->malloc_limit ? NULL : malloc(size);
    if (!block) {
        out_of_memory = true;
        return NULL;
    }
    state->malloc_count++;
    state->malloc_size += malloc_usable_size(block);
    return block;
}

static void js_release(JSMallocState *state, void *block)
{
    if (!block)
        return;
    state->malloc_count--;
    state->malloc_size -= malloc_usable_size(block);
    free(block);
}

static void *js_reallocate(JSMallocState *state, void *block, size_t size)
{
    if (!block)
        return size ? js_allocate(state, size) : NULL;
    if (!size) {
        js_release(state, block);
        return NULL;
    }
    size_t old_size = malloc_usable_size(block);
    void *moved = state->malloc_size + size - old_size > state->malloc_limit ? NULL : realloc(block, size);
    if (!moved) {
        out_of_memory = true;
        return NULL;
    }
    state->malloc_size += malloc_usable_size(moved) - old_size;
    return moved;
}

static size_t js_usable_size(const void *block) { return malloc_usable_size((void *)block); }

static const JSMallocFunctions allocator = {js_allocate, js_release, js_reallocate, js_usable_size};

/* Drawn from the SDK's source, so a restored sandbox never repeats a run's numbers. */
static JSValue js_random(JSContext *ctx, JSValueConst this_value, int argc, JSValueConst *argv)
{
    (void)this_value, (void)argc, (void)argv;
    return JS_NewFloat64(ctx, (double)(hs_random_u64() >> 11) * 0x1.0p-53);
}

/* write(stream, text): the prelude's console and print end here. */
static JSValue js_write(JSContext *ctx, JSValueConst this_value, int argc, JSValueConst *argv)
{
    (void)this_value, (void)argc;
    int32_t stream;
    size_t length;
    if (JS_ToInt32(ctx, &stream, argv[0]) < 0)
        return JS_EXCEPTION;
    const char *text = JS_ToCStringLen(ctx, &length, argv[1]);
    if (!text)
        return JS_EXCEPTION;
    hs_script_write(stream == HS_SCRIPT_STDERR ? HS_SCRIPT_STDERR : HS_SCRIPT_STDOUT, text, length);
    JS_FreeCString(ctx, text);
    return JS_UNDEFINED;
}

/* Throws `new Error(message)` from native code, so the stack and line are the script's caller's. */
static JSValue throw_error(JSContext *ctx, const char *message, size_t length)
{
    JSValue global = JS_GetGlobalObject(ctx);
    JSValue constructor = JS_GetPropertyStr(ctx, global, "Error");
    JS_FreeValue(ctx, global);
    JSValue text = JS_NewStringLen(ctx, message, length);
    JSValue error = JS_IsException(text) ? JS_EXCEPTION : JS_CallConstructor(ctx, constructor, 1, &text);
    JS_FreeValue(ctx, text);
    JS_FreeValue(ctx, constructor);
    return JS_IsException(error) ? JS_EXCEPTION : JS_Throw(ctx, error);
}

/* A tool function; data[0] is the tool's name. Arguments go out as a JSON array, the reply comes
 * back parsed. */
static JSValue js_call_tool(JSContext *ctx, JSValueConst this_value, int argc, JSValueConst *argv, int magic,
                            JSValue *data)
{
    (void)this_value, (void)magic;
    JSValue array = JS_NewArray(ctx);
    if (JS_IsException(array))
        return JS_EXCEPTION;
    for (int i = 0; i < argc; i++) {
        if (JS_SetPropertyUint32(ctx, array, (uint32_t)i, JS_DupValue(ctx, argv[i])) < 0) {
            JS_FreeValue(ctx, array);
            return JS_EXCEPTION;
        }
    }
    JSValue json = JS_JSONStringify(ctx, array, JS_UNDEFINED, JS_UNDEFINED);
    JS_FreeValue(ctx, array);
    if (JS_IsException(json))
        return JS_EXCEPTION;
    size_t name_length, json_length;
    const char *name = JS_ToCStringLen(ctx, &name_length, data[0]);
    const char *arguments = name ? JS_ToCStringLen(ctx, &json_length, json) : NULL;
    JS_FreeValue(ctx, json);
    if (!arguments) {
        JS_FreeCString(ctx, name);
        return JS_EXCEPTION;
    }
    const char *reply;
    size_t reply_length;
    bool ok = hs_script_call_tool(name, name_length, arguments, json_length, &reply, &reply_length);
    JS_FreeCString(ctx, arguments);
    JS_FreeCString(ctx, name);
    return ok ? JS_ParseJSON(ctx, reply, reply_length, "tool result") : throw_error(ctx, reply, reply_length);
}

/* tool(name): the prelude's Proxy asks for a function per name the script uses. */
static JSValue js_tool(JSContext *ctx, JSValueConst this_value, int argc, JSValueConst *argv)
{
    (void)this_value, (void)argc;
    return JS_NewCFunctionData(ctx, js_call_tool, 0, 0, 1, (JSValue *)&argv[0]);
}

/* Installs console, print and tools from natives it keeps in closures, out of the scripts' reach.
 * JSON's functions are captured too, so a script that replaces them breaks only its own output. */
static const char prelude[] =
    "(function (write, tool) {\n"
    "  'use strict';\n"
    "  const stringify = JSON.stringify;\n"
    "  const show = (value) => {\n"
    "    if (typeof value === 'string') return value;\n"
    "    if (typeof value === 'bigint') return value + 'n';\n"
    "    if (value === null || typeof value !== 'object' || value instanceof Error) return String(value);\n"
    "    try { return stringify(value) ?? String(value); } catch { return String(value); }\n"
    "  };\n"
    "  const writer = (stream) => (...values) => write(stream, values.map(show).join(' ') + '\\n');\n"
    "  const out = writer(0), err = writer(1);\n"
    "  const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });\n"
    "  define('console', { log: out, info: out, debug: out, error: err, warn: err });\n"
    "  define('print', out);\n"
    "  define('tools', new Proxy({}, { get: (_, name) => typeof name === 'string' ? tool(name) : undefined }));\n"
    "})";

static void fail_init(const char *what)
{
    JSValue exception = JS_GetException(context);
    const char *text = JS_ToCString(context, exception);
    hs_abortf(HS_ABORT_ASSERTION, "quickjs: %s: %s", what, text ? text : "(no message)");
}

/* Reads options[name] as a byte count; false if present but not a non-negative number. */
static bool read_size(JSValueConst options, const char *name, size_t *size)
{
    JSValue value = JS_GetPropertyStr(context, options, name);
    bool ok = true;
    if (!JS_IsUndefined(value)) {
        int64_t number;
        ok = JS_IsNumber(value) && JS_ToInt64(context, &number, value) == 0 && number >= 0;
        if (ok)
            *size = (size_t)number;
    }
    JS_FreeValue(context, value);
    return ok;
}

static void configure(const hs_call *call, hs_result *result)
{
    size_t length;
    const char *text = hs_arg_string(call, 0, &length);
    JSValue options = JS_ParseJSON(context, text, length, "options");
    size_t memory = 0, output = 0, stack = 0;
    bool memory_set, output_set, stack_set;
    if (JS_IsException(options) || !JS_IsObject(options)) {
        JS_FreeValue(context, JS_GetException(context));
        JS_FreeValue(context, options);
        hs_return_error(result, HS_ERROR_GUEST, "Configure: the options are not a JSON object");
        return;
    }
    memory_set = read_size(options, "memoryLimit", &memory);
    output_set = read_size(options, "outputLimit", &output);
    stack_set = read_size(options, "stackLimit", &stack);
    JS_FreeValue(context, options);
    if (!memory_set || !output_set || !stack_set) {
        hs_return_error(result, HS_ERROR_GUEST, "Configure: memoryLimit, outputLimit and stackLimit are byte counts");
        return;
    }
    if (memory)
        JS_SetMemoryLimit(runtime, memory);
    if (stack)
        JS_SetMaxStackSize(runtime, stack);
    if (output)
        hs_script_set_output_limit(output);
    JS_RunGC(runtime);
    hs_return_void(result);
}

/* Awaits `value` if it is a promise by running jobs until it settles; takes ownership. */
static JSValue settle(JSValue value)
{
    for (;;) {
        switch (JS_PromiseState(context, value)) {
        case JS_PROMISE_FULFILLED: {
            JSValue fulfilled = JS_PromiseResult(context, value);
            JS_FreeValue(context, value);
            return fulfilled;
        }
        case JS_PROMISE_REJECTED: {
            JSValue reason = JS_PromiseResult(context, value);
            JS_FreeValue(context, value);
            return JS_Throw(context, reason);
        }
        case JS_PROMISE_PENDING: {
            JSContext *job_context;
            int ran = JS_ExecutePendingJob(runtime, &job_context);
            if (ran < 0) {
                JS_FreeValue(context, value);
                return JS_EXCEPTION;
            }
            if (ran == 0) {
                /* Nothing left that could settle it: no timers or I/O exist to wait for. */
                JS_FreeValue(context, value);
                return JS_ThrowTypeError(context, "the script awaited a promise that can never settle");
            }
            break;
        }
        default:
            return value;
        }
    }
}

/* A string property of an error as a C string owned by the caller of JS_FreeCString, or NULL. */
static const char *string_property(JSValueConst object, const char *name)
{
    JSValue value = JS_GetPropertyStr(context, object, name);
    const char *text = JS_IsString(value) ? JS_ToCString(context, value) : NULL;
    JS_FreeValue(context, value);
    if (!text)
        JS_FreeValue(context, JS_GetException(context));
    return text;
}

/* The line of the first frame in the script itself: "script:12:5" in a stack. */
static long line_in_stack(const char *stack)
{
    static const char marker[] = SCRIPT_NAME ":";
    for (const char *at = stack; at && (at = strstr(at, marker)) != NULL; at += sizeof marker - 1) {
        if (at > stack && (at[-1] == '(' || at[-1] == ' ') && at[sizeof marker - 1] >= '0' && at[sizeof marker - 1] <= '9')
            return strtol(at + sizeof marker - 1, NULL, 10);
    }
    return 0;
}

/* Finishes Run with the pending exception: an Error's name, message, line and stack, or any
 * other thrown value as an "Error" whose message is its string form. */
static void return_exception(hs_result *result)
{
    JSValue exception = JS_GetException(context);
    bool is_error = JS_IsError(context, exception);
    if (!is_error && out_of_memory && (JS_IsNull(exception) || JS_IsUninitialized(exception))) {
        JS_FreeValue(context, exception);
        hs_script_return_error(result, "InternalError", "out of memory", 0, NULL);
        return;
    }
    const char *name = is_error ? string_property(exception, "name") : NULL;
    const char *message = is_error ? string_property(exception, "message") : JS_ToCString(context, exception);
    const char *stack = is_error ? string_property(exception, "stack") : NULL;
    long line = 0;
    if (is_error) {
        JSValue number = JS_GetPropertyStr(context, exception, "lineNumber");
        int32_t value;
        if (JS_IsNumber(number) && JS_ToInt32(context, &value, number) == 0)
            line = value;
        JS_FreeValue(context, number);
        if (line == 0 && stack)
            line = line_in_stack(stack);
    }
    if (!message)
        JS_FreeValue(context, JS_GetException(context));
    hs_script_return_error(result, name ? name : "Error", message ? message : "(the thrown value has no string form)", line,
                           stack);
    JS_FreeCString(context, name);
    JS_FreeCString(context, message);
    JS_FreeCString(context, stack);
    JS_FreeValue(context, exception);
}

static void run(const hs_call *call, hs_result *result)
{
    size_t length;
    const char *source = hs_arg_string(call, 0, &length);
    hs_script_begin_run();
    out_of_memory = false;
    JS_UpdateStackTop(runtime);

    /* An async script evaluates to a promise of {value: <completion value>}. */
    JSValue completion = settle(JS_Eval(context, source, length, SCRIPT_NAME, JS_EVAL_TYPE_GLOBAL | JS_EVAL_FLAG_ASYNC));
    JSValue value = JS_EXCEPTION;
    if (!JS_IsException(completion)) {
        value = settle(JS_GetPropertyStr(context, completion, "value"));
        JS_FreeValue(context, completion);
    }
    JSContext *job_context;
    int ran = 1;
    while (!JS_IsException(value) && (ran = JS_ExecutePendingJob(runtime, &job_context)) > 0)
        continue;
    if (ran < 0) {
        JS_FreeValue(context, value);
        value = JS_EXCEPTION;
    }
    JSValue json = JS_IsException(value) ? JS_EXCEPTION : JS_JSONStringify(context, value, JS_UNDEFINED, JS_UNDEFINED);
    JS_FreeValue(context, value);
    if (JS_IsException(json)) {
        return_exception(result);
        return;
    }
    if (JS_IsUndefined(json)) {
        hs_script_return_value(result, "null", 4);
        return;
    }
    size_t json_length;
    const char *text = JS_ToCStringLen(context, &json_length, json);
    JS_FreeValue(context, json);
    if (!text) {
        return_exception(result);
        return;
    }
    hs_script_return_value(result, text, json_length);
    JS_FreeCString(context, text);
}

void hs_main(void)
{
    runtime = JS_NewRuntime2(&allocator, NULL);
    context = runtime ? JS_NewContext(runtime) : NULL;
    if (!context)
        hs_abort(HS_ABORT_OUT_OF_MEMORY, "the heap has no room for a QuickJS runtime");

    JSValue global = JS_GetGlobalObject(context);
    JSValue math = JS_GetPropertyStr(context, global, "Math");
    if (JS_SetPropertyStr(context, math, "random", JS_NewCFunction(context, js_random, "random", 0)) < 0)
        fail_init("Math.random");
    JS_FreeValue(context, math);
    JS_FreeValue(context, global);

    JSValue install = JS_Eval(context, prelude, sizeof prelude - 1, "prelude", JS_EVAL_TYPE_GLOBAL | JS_EVAL_FLAG_STRICT);
    if (JS_IsException(install))
        fail_init("prelude");
    JSValue natives[2] = {JS_NewCFunction(context, js_write, "write", 2), JS_NewCFunction(context, js_tool, "tool", 1)};
    JSValue installed = JS_Call(context, install, JS_UNDEFINED, 2, natives);
    if (JS_IsException(installed))
        fail_init("prelude");
    JS_FreeValue(context, installed);
    JS_FreeValue(context, natives[0]);
    JS_FreeValue(context, natives[1]);
    JS_FreeValue(context, install);

    hs_register("Configure", HS_TYPE_VOID, configure, 1, HS_TYPE_STRING);
    hs_register("Run", HS_TYPE_STRING, run, 1, HS_TYPE_STRING);
}
