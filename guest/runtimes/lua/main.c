/*
 * lua.elf: Lua 5.4 behind the script protocol of runtimes/common/script.h. hs_main opens the
 * sandboxed state of sandbox.h and adds:
 *   print(...)          -> the captured stdout, as Lua's print writes it;
 *   warn(...)           -> the captured stderr, as "Lua warning: <message>";
 *   tools.<name>(...)   -> HostTool(name, JSON array of the arguments), the reply decoded from
 *                          JSON; a failure raises a Lua error whose message is the tool's.
 * Configure sets the memory budget ("not enough memory" beyond it) and the output limit; Lua's
 * recursion limits are its own (LUAI_MAXCCALLS for C calls, a million stack slots for Lua calls,
 * whichever memory runs out first).
 *
 * Run loads the source as a text chunk named "script", calls it with math.random reseeded, and
 * returns its results as JSON (json.h): none -> null, one -> its value, several -> an array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lauxlib.h"
#include "sandbox.h"
#include "script.h"

/* The key under which the message handler leaves the traceback of the last error. */
#define TRACEBACK_KEY "hypersharp.traceback"

static lua_State *state;

/* Writes the arguments to `stream` the way Lua's print does: tostring'd, tab-separated. */
static void write_values(lua_State *L, hs_script_stream stream, const char *separator, const char *prefix)
{
    int count = lua_gettop(L);
    luaL_Buffer line;
    luaL_buffinit(L, &line);
    luaL_addstring(&line, prefix);
    for (int i = 1; i <= count; i++) {
        if (i > 1)
            luaL_addstring(&line, separator);
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&line);
    }
    luaL_addchar(&line, '\n');
    luaL_pushresult(&line);
    size_t length;
    const char *text = lua_tolstring(L, -1, &length);
    hs_script_write(stream, text, length);
}

static int print(lua_State *L)
{
    write_values(L, HS_SCRIPT_STDOUT, "\t", "");
    return 0;
}

static int warn(lua_State *L)
{
    for (int i = 1; i <= lua_gettop(L); i++)
        luaL_checkstring(L, i);
    write_values(L, HS_SCRIPT_STDERR, "", "Lua warning: ");
    return 0;
}

/* Runs protected, so that an argument with no JSON form cannot leak the buffer at 1. */
static int encode_arguments(lua_State *L)
{
    hs_lua_to_json(L, 2, lua_gettop(L) - 1, 1, lua_touserdata(L, 1));
    return 0;
}

/* A tool function; its upvalue is the tool's name. */
static int call_tool(lua_State *L)
{
    hs_script_buffer arguments = {0};
    int count = lua_gettop(L);
    lua_pushcfunction(L, encode_arguments);
    lua_pushlightuserdata(L, &arguments);
    lua_rotate(L, 1, 2);
    if (lua_pcall(L, count + 1, 0, 0) != LUA_OK) {
        hs_script_buffer_free(&arguments);
        return lua_error(L);
    }
    size_t name_length;
    const char *name = lua_tolstring(L, lua_upvalueindex(1), &name_length);
    const char *reply;
    size_t reply_length;
    bool ok = hs_script_call_tool(name, name_length, arguments.data, arguments.length, &reply, &reply_length);
    hs_script_buffer_free(&arguments);
    if (!ok) {
        lua_pushlstring(L, reply, reply_length);
        return lua_error(L);
    }
    hs_lua_from_json(L, reply, reply_length);
    return 1;
}

/* The __index of tools: a function for whatever name the script asks for. */
static int tool(lua_State *L)
{
    luaL_checkstring(L, 2);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, call_tool, 1);
    return 1;
}

static void install_globals(void)
{
    lua_register(state, "print", print);
    lua_register(state, "warn", warn);
    lua_newtable(state);
    lua_newtable(state);
    lua_pushcfunction(state, tool);
    lua_setfield(state, -2, "__index");
    lua_setmetatable(state, -2);
    lua_setglobal(state, "tools");
}

/* Reads options.name as a byte count into *size, if present. */
static int read_size(lua_State *L, int options, const char *name, size_t *size)
{
    int type = lua_getfield(L, options, name);
    int ok = type == LUA_TNIL || (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0);
    if (type != LUA_TNIL && ok)
        *size = (size_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return ok;
}

typedef struct text {
    const char *data;
    size_t length;
} text;

static int parse_options(lua_State *L)
{
    const text *options = lua_touserdata(L, 1);
    hs_lua_from_json(L, options->data, options->length);
    return 1;
}

static void configure(const hs_call *call, hs_result *result)
{
    text options;
    options.data = hs_arg_string(call, 0, &options.length);
    lua_pushcfunction(state, parse_options);
    lua_pushlightuserdata(state, &options);
    if (lua_pcall(state, 1, 1, 0) != LUA_OK || !lua_istable(state, -1)) {
        lua_pop(state, 1);
        hs_return_error(result, HS_ERROR_GUEST, "Configure: the options are not a JSON object");
        return;
    }
    size_t memory = 0, output = 0;
    int ok = read_size(state, -1, "memoryLimit", &memory) && read_size(state, -1, "outputLimit", &output);
    lua_pop(state, 1);
    if (!ok) {
        hs_return_error(result, HS_ERROR_GUEST, "Configure: memoryLimit and outputLimit are byte counts");
        return;
    }
    if (memory)
        hs_lua_set_budget(memory);
    if (output)
        hs_script_set_output_limit(output);
    lua_gc(state, LUA_GCCOLLECT);
    hs_return_void(result);
}

/* The message handler: keeps a traceback for the error report, leaves the error as it is. */
static int keep_traceback(lua_State *L)
{
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    return 1;
}

/* Runs protected: the chunk's results (from 2) become JSON in the buffer at 1. */
static int encode_results(lua_State *L)
{
    hs_script_buffer *json = lua_touserdata(L, 1);
    int count = lua_gettop(L) - 1;
    if (count == 0) {
        lua_pushnil(L);
        count = 1;
    }
    hs_lua_to_json(L, 2, count, count > 1, json);
    return 0;
}

/* Finishes Run with the error at the top of the stack; "script:12: message" gives the line. */
static void return_error(hs_result *result, int status)
{
    const char *type = status == LUA_ERRSYNTAX ? "SyntaxError" : status == LUA_ERRMEM ? "MemoryError" : "RuntimeError";
    /* No __tostring: it would run script code outside any protected call. */
    const char *message = lua_type(state, -1) == LUA_TSTRING || lua_type(state, -1) == LUA_TNUMBER ? lua_tostring(state, -1) : NULL;
    char fallback[64];
    if (!message) {
        snprintf(fallback, sizeof fallback, "(error object is a %s value)", luaL_typename(state, -1));
        message = fallback;
    }
    long line = 0;
    static const char prefix[] = "script:";
    if (strncmp(message, prefix, sizeof prefix - 1) == 0) {
        char *end;
        line = strtol(message + sizeof prefix - 1, &end, 10);
        if (end[0] == ':' && end[1] == ' ')
            message = end + 2;
        else
            line = 0;
    }
    lua_getfield(state, LUA_REGISTRYINDEX, TRACEBACK_KEY);
    hs_script_return_error(result, type, message, line, status == LUA_ERRSYNTAX ? NULL : lua_tostring(state, -1));
}

static void run(const hs_call *call, hs_result *result)
{
    size_t length;
    const char *source = hs_arg_string(call, 0, &length);
    int top = lua_gettop(state);
    hs_script_begin_run();
    hs_lua_reseed(state);
    lua_pushnil(state);
    lua_setfield(state, LUA_REGISTRYINDEX, TRACEBACK_KEY);

    lua_pushcfunction(state, keep_traceback);
    int handler = lua_gettop(state);
    int status = luaL_loadbufferx(state, source, length, "=script", "t");
    if (status == LUA_OK)
        status = lua_pcall(state, 0, LUA_MULTRET, handler);
    if (status != LUA_OK) {
        return_error(result, status);
        lua_settop(state, top);
        return;
    }

    hs_script_buffer json = {0};
    int results = lua_gettop(state) - handler;
    lua_pushcfunction(state, encode_results);
    lua_insert(state, handler + 1);
    lua_pushlightuserdata(state, &json);
    lua_insert(state, handler + 2);
    status = lua_pcall(state, results + 1, 0, handler);
    if (status == LUA_OK)
        hs_script_return_value(result, json.data, json.length);
    else
        return_error(result, status);
    hs_script_buffer_free(&json);
    lua_settop(state, top);
}

void hs_main(void)
{
    /* No budget until Configure: the host snapshots only after it. */
    state = hs_lua_open(SIZE_MAX);
    install_globals();
    hs_register("Configure", HS_TYPE_VOID, configure, 1, HS_TYPE_STRING);
    hs_register("Run", HS_TYPE_STRING, run, 1, HS_TYPE_STRING);
}
