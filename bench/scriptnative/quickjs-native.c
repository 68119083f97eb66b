/*
 * quickjs-native SCRIPT ITERATIONS: the agent script of `compare` on the same QuickJS, from the same fetched
 * Debian source, compiled natively with the host's gcc -O2 (bench/HyperSharp.Benchmarks builds it). Each iteration
 * gets a new runtime and context with a console.log that captures into memory, as the guest's does; only the run is
 * timed: evaluating the script and JSON.stringify of its value. Prints one line per iteration: nanoseconds, then the
 * value's JSON.
 */
#include <stdio.h>
#include <string.h>

#include "runner.h"

#include "quickjs.h"

static char captured[1 << 16];
static size_t captured_length;

static JSValue console_log(JSContext *ctx, JSValueConst this_value, int argc, JSValueConst *argv)
{
    (void)this_value;
    for (int i = 0; i < argc; i++) {
        size_t length;
        const char *text = JS_ToCStringLen(ctx, &length, argv[i]);
        if (!text)
            return JS_EXCEPTION;
        if (captured_length + length + 1 < sizeof captured) {
            memcpy(captured + captured_length, text, length);
            captured_length += length;
            captured[captured_length++] = i + 1 < argc ? ' ' : '\n';
        }
        JS_FreeCString(ctx, text);
    }
    return JS_UNDEFINED;
}

int main(int argc, char **argv)
{
    size_t length;
    int iterations;
    const char *source = read_script(argc, argv, "quickjs-native", &length, &iterations);

    for (int iteration = 0; iteration < iterations; iteration++) {
        JSRuntime *runtime = JS_NewRuntime();
        JSContext *context = JS_NewContext(runtime);
        JSValue global = JS_GetGlobalObject(context);
        JSValue console = JS_NewObject(context);
        JS_SetPropertyStr(context, console, "log", JS_NewCFunction(context, console_log, "log", 1));
        JS_SetPropertyStr(context, global, "console", console);
        JS_FreeValue(context, global);
        captured_length = 0;

        long long start = now_ns();
        JSValue value = JS_Eval(context, source, length, "script", JS_EVAL_TYPE_GLOBAL);
        JSValue json = JS_IsException(value) ? JS_EXCEPTION : JS_JSONStringify(context, value, JS_UNDEFINED, JS_UNDEFINED);
        long long elapsed = now_ns() - start;

        if (JS_IsException(json)) {
            JSValue error = JS_GetException(context);
            const char *text = JS_ToCString(context, error);
            fprintf(stderr, "quickjs-native: %s\n", text ? text : "(exception)");
            return 1;
        }
        const char *text = JS_ToCString(context, json);
        printf("%lld %s\n", elapsed, text);
        JS_FreeCString(context, text);
        JS_FreeValue(context, json);
        JS_FreeValue(context, value);
        JS_FreeContext(context);
        JS_FreeRuntime(runtime);
    }
    return 0;
}
