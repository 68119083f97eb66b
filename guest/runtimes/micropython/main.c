/*
 * micropython.elf: MicroPython 1.25 behind the script-runtime protocol (runtimes/common/script.h,
 * docs/scripting-python.md).
 *
 *     Configure(options)  once, before the host snapshots the fresh interpreter. options is a JSON
 *                         object of byte counts, each optional:
 *                         {"memoryLimit":N,"outputLimit":N,"stackLimit":N}
 *     Run(source)         runs the source as the module __main__ and returns the JSON document
 *                         of script.h; its value is that of the last statement if that is an
 *                         expression, else null.
 *
 * The GC heap (memoryLimit bytes) comes from the SDK's malloc at Configure, so running out of it
 * is Python's MemoryError while the SDK heap keeps room for captured output and the result.
 * Recursion is bounded by MicroPython's stack check (stackLimit), which raises RuntimeError well
 * before the stack's guard page.
 */
#include <string.h>

#include "py/builtin.h"
#include "py/compile.h"
#include "py/cstack.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/objmodule.h"
#include "py/parse.h"
#include "py/runtime.h"

#include "pyjson.h"
#include "script.h"

#include <hypersharp/guest.h>

/* "<script>", the file name tracebacks show, and "<value>", the global the script's last
 * expression is stored in: qstrs made at Configure (qstrs written in C are named after their
 * text, which cannot hold '<'), and names no script can write. */
static qstr script_name, value_name;

extern const mp_obj_module_t tools_module;

static bool configured;

/* ---- Configure ------------------------------------------------------------------------------ */

typedef struct options {
    uint64_t memory_limit;
    uint64_t output_limit;
    uint64_t stack_limit;
} options;

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
        p++;
    }
    return p;
}

/* Parses {"name":integer,...} with the names of `options`; NULL on success, else what is wrong. */
static const char *parse_options(const char *p, options *out)
{
    static const struct {
        const char *name;
        size_t offset;
    } fields[] = {
        {"memoryLimit", offsetof(options, memory_limit)},
        {"outputLimit", offsetof(options, output_limit)},
        {"stackLimit", offsetof(options, stack_limit)},
    };
    p = skip_space(p);
    if (*p++ != '{') {
        return "options must be a JSON object";
    }
    p = skip_space(p);
    if (*p == '}') {
        return *skip_space(p + 1) ? "text after the options object" : NULL;
    }
    for (;;) {
        if (*p++ != '"') {
            return "expected an option name";
        }
        const char *name = p;
        while (*p && *p != '"') {
            p++;
        }
        size_t length = (size_t)(p - name);
        if (*p++ != '"') {
            return "unterminated option name";
        }
        size_t field = 0;
        while (field < MP_ARRAY_SIZE(fields) &&
               (strlen(fields[field].name) != length || memcmp(fields[field].name, name, length) != 0)) {
            field++;
        }
        if (field == MP_ARRAY_SIZE(fields)) {
            return "unknown option (memoryLimit, outputLimit and stackLimit are known)";
        }
        p = skip_space(p);
        if (*p++ != ':') {
            return "expected ':' after an option name";
        }
        p = skip_space(p);
        if (*p < '0' || *p > '9') {
            return "option values must be non-negative integers";
        }
        uint64_t value = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (value > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
                return "option value out of range";
            }
            value = value * 10 + (uint64_t)(*p - '0');
        }
        *(uint64_t *)((char *)out + fields[field].offset) = value;
        p = skip_space(p);
        if (*p == '}') {
            return *skip_space(p + 1) ? "text after the options object" : NULL;
        }
        if (*p++ != ',') {
            return "expected ',' or '}' after an option value";
        }
        p = skip_space(p);
    }
}

static void configure(const hs_call *call, hs_result *result)
{
    if (configured) {
        hs_return_error(result, HS_ERROR_GUEST, "Configure was already called");
        return;
    }
    const hs_peb *peb = hs_get_peb();
    uint64_t stack_room = peb->stack_size > MICROPY_STACK_CHECK_MARGIN ? peb->stack_size - MICROPY_STACK_CHECK_MARGIN : 0;
    /* Defaults: half the sandbox heap for Python objects, 64 KiB per output stream, all the stack
     * that leaves the margin free. */
    options options = {.memory_limit = peb->heap_size / 2, .output_limit = 64 * 1024, .stack_limit = stack_room};
    const char *error = parse_options(hs_arg_string(call, 0, NULL), &options);
    if (error) {
        hs_return_error(result, HS_ERROR_GUEST, "Configure: %s", error);
        return;
    }
    if (options.stack_limit < 16 * 1024 || options.stack_limit > stack_room) {
        hs_return_error(result, HS_ERROR_GUEST,
                        "Configure: stackLimit %llu is not between 16 KiB and the %llu bytes a %llu-byte sandbox "
                        "stack allows (SandboxOptions.StackSize less %d for C code between checks)",
                        (unsigned long long)options.stack_limit, (unsigned long long)stack_room,
                        (unsigned long long)peb->stack_size, MICROPY_STACK_CHECK_MARGIN);
        return;
    }
    void *heap = options.memory_limit >= 16 * 1024 ? malloc(options.memory_limit) : NULL;
    if (!heap) {
        hs_return_error(result, HS_ERROR_GUEST,
                        "Configure: no room for a %llu-byte Python heap (memoryLimit: at least 16 KiB, and less "
                        "than SandboxOptions.HeapSize, which also holds the captured output and the result)",
                        (unsigned long long)options.memory_limit);
        return;
    }
    hs_script_set_output_limit(options.output_limit);
    /* The stack check measures from the top of the sandbox stack, which is also where the
     * collector stops scanning for roots. */
    mp_cstack_init_with_top((void *)(uintptr_t)(peb->stack_base + peb->stack_size),
                            options.stack_limit + MICROPY_STACK_CHECK_MARGIN);
    gc_init(heap, (char *)heap + options.memory_limit);
    mp_init();
    /* A builtin, so that scripts need no import. */
    mp_store_attr(MP_OBJ_FROM_PTR(&mp_module_builtins), MP_QSTR_tools, MP_OBJ_FROM_PTR(&tools_module));
    script_name = qstr_from_str("<script>");
    value_name = qstr_from_str("<value>");
    configured = true;
    hs_return_void(result);
}

/* ---- Run ------------------------------------------------------------------------------------ */

/* The parse tree's rule numbers, as py/compile.c numbers them (it keeps its enum to itself): the
 * rules with a compile function first, then a constant node, then the others. */
typedef enum {
#define DEF_RULE(rule, comp, kind, ...) PN_##rule,
#define DEF_RULE_NC(rule, kind, ...)
#include "py/grammar.h"
#undef DEF_RULE
#undef DEF_RULE_NC
    PN_const_object,
#define DEF_RULE(rule, comp, kind, ...)
#define DEF_RULE_NC(rule, kind, ...) PN_##rule,
#include "py/grammar.h"
#undef DEF_RULE
#undef DEF_RULE_NC
} pn_kind;

/* If the module's last statement is an expression, turns it into `<value> = expression` and
 * returns true. The last statement is found through the statement lists (the file, `a; b` on one
 * line), past newline tokens; an expression statement is an expr_stmt without assignment. */
static bool assign_last_expression(mp_parse_node_t node)
{
    while (MP_PARSE_NODE_IS_STRUCT_KIND(node, PN_file_input) || MP_PARSE_NODE_IS_STRUCT_KIND(node, PN_file_input_2) ||
           MP_PARSE_NODE_IS_STRUCT_KIND(node, PN_simple_stmt_2)) {
        mp_parse_node_struct_t *list = (mp_parse_node_struct_t *)node;
        size_t count = MP_PARSE_NODE_STRUCT_NUM_NODES(list);
        while (count > 0 && MP_PARSE_NODE_IS_TOKEN_KIND(list->nodes[count - 1], MP_TOKEN_NEWLINE)) {
            count--;
        }
        node = count ? list->nodes[count - 1] : MP_PARSE_NODE_NULL;
    }
    if (!MP_PARSE_NODE_IS_STRUCT_KIND(node, PN_expr_stmt)) {
        return false;
    }
    mp_parse_node_struct_t *statement = (mp_parse_node_struct_t *)node;
    if (!MP_PARSE_NODE_IS_NULL(statement->nodes[1])) {
        return false;
    }
    statement->nodes[1] = statement->nodes[0];
    statement->nodes[0] = mp_parse_node_new_leaf(MP_PARSE_NODE_ID, value_name);
    return true;
}

/* Runs the script in __main__ and returns its value (None when it does not end with an
 * expression). Raises whatever the script raises. */
static mp_obj_t execute(const char *source, size_t length)
{
    /* random.seed() without an argument draws from the SDK's random source. The module is found
     * directly rather than through __import__, which scripts can replace. */
    mp_call_function_0(mp_load_attr(mp_module_get_builtin(MP_QSTR_random, true), MP_QSTR_seed));

    mp_lexer_t *lexer = mp_lexer_new_from_str_len(script_name, source, length, 0);
    mp_parse_tree_t tree = mp_parse(lexer, MP_PARSE_FILE_INPUT);
    bool has_value = assign_last_expression(tree.root);
    mp_call_function_0(mp_compile(&tree, script_name, false));
    if (!has_value) {
        return mp_const_none;
    }
    mp_map_elem_t *value = mp_map_lookup(&mp_globals_get()->map, MP_OBJ_NEW_QSTR(value_name), MP_MAP_LOOKUP_REMOVE_IF_FOUND);
    return value ? value->value : mp_const_none;
}

/* The value as JSON, written by the json module's printer where that gives JSON, else its repr()
 * as a JSON string. Printing may raise (RuntimeError for deep nesting, a __repr__ that raises). */
static void return_value(hs_result *result, mp_obj_t value)
{
    bool representable = pyjson_is_representable(value);
    hs_script_buffer text = {0}, repr = {0};
    bool ok = pyjson_print(&text, value, representable ? PRINT_JSON : PRINT_REPR) &&
              (representable || hs_script_buffer_append_json_string(&repr, text.data, text.length));
    const hs_script_buffer *json = representable ? &text : &repr;
    if (ok) {
        hs_script_return_value(result, json->data, json->length);
    } else {
        hs_return_error(result, HS_ERROR_GUEST, "the interpreter ran out of memory while writing its result");
    }
    hs_script_buffer_free(&text);
    hs_script_buffer_free(&repr);
}

/* The innermost line of the script in the exception's traceback, or 0. */
static long script_line(mp_obj_t exception)
{
    size_t count, *entries;
    mp_obj_exception_get_traceback(exception, &count, &entries);
    for (size_t i = 0; i + 2 < count; i += 3) {
        if (entries[i] == script_name) {
            return (long)entries[i + 1];
        }
    }
    return 0;
}

static void buffer_print(void *data, const char *text, size_t length)
{
    hs_script_buffer_append(data, text, length);
}

/* Formats the exception (type, str(), line, traceback) into memory outside the GC heap, which
 * may be full; if str() itself raises, the message says so. */
static void return_exception(hs_result *result, mp_obj_t exception)
{
    static const char failed[] = "<str() of the exception raised an exception>";
    hs_script_buffer message = {0}, stack = {0};
    mp_print_t to_message = {&message, buffer_print}, to_stack = {&stack, buffer_print};
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_print_helper(&to_message, exception, PRINT_STR);
        nlr_pop();
    } else {
        message.length = 0;
        buffer_print(&message, failed, sizeof failed - 1);
    }
    if (nlr_push(&nlr) == 0) {
        mp_obj_print_exception(&to_stack, exception);
        nlr_pop();
    }
    while (stack.length > 0 && stack.data[stack.length - 1] == '\n') {
        stack.length--;
    }
    /* The protocol takes C strings. */
    if (hs_script_buffer_append(&message, "", 1) && hs_script_buffer_append(&stack, "", 1)) {
        hs_script_return_error(result, qstr_str(mp_obj_get_type(exception)->name), message.data,
                               script_line(exception), stack.data);
    } else {
        hs_return_error(result, HS_ERROR_GUEST, "the interpreter ran out of memory while writing its result");
    }
    hs_script_buffer_free(&message);
    hs_script_buffer_free(&stack);
}

/* SystemExit with no code, None or 0 ends the script normally, as it ends a Python program. */
static bool is_clean_exit(mp_obj_t exception)
{
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exception)), MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
        return false;
    }
    mp_obj_t code = mp_obj_exception_get_value(exception);
    return code == mp_const_none || (mp_obj_is_small_int(code) && MP_OBJ_SMALL_INT_VALUE(code) == 0);
}

static void run(const hs_call *call, hs_result *result)
{
    if (!configured) {
        hs_return_error(result, HS_ERROR_GUEST, "Run before Configure");
        return;
    }
    size_t length;
    const char *source = hs_arg_string(call, 0, &length);
    hs_script_begin_run();
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t value = execute(source, length);
        return_value(result, value);
        nlr_pop();
    } else if (is_clean_exit(MP_OBJ_FROM_PTR(nlr.ret_val))) {
        hs_script_return_value(result, "null", 4);
    } else {
        return_exception(result, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
}

void hs_main(void)
{
    hs_register("Configure", HS_TYPE_VOID, configure, 1, HS_TYPE_STRING);
    hs_register("Run", HS_TYPE_STRING, run, 1, HS_TYPE_STRING);
}
