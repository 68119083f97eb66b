/*
 * luaguest: Lua 5.4 from Debian's source package, built with hs-cc (guest.mk), behind one guest
 * function, RunLua(string) -> string: it runs the text as a Lua chunk in one persistent Lua
 * state and returns the chunk's results joined by tabs, or fails with Lua's error message.
 *
 * What a sandbox needs from an interpreter: memory has a budget (a custom lua_Alloc), so running
 * out is Lua's "not enough memory" error and the state stays usable; math.random is reseeded from
 * the host's seed at every call, so restored sandboxes do not repeat each other's numbers;
 * nothing reads stdin or ends the guest (dofile, loadfile, os.exit, os.execute, ... are removed);
 * and load() takes text only, since Lua does not verify bytecode.
 */
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include <hypersharp/guest.h>

static lua_State *state;
static size_t used, budget;
static int randomseed; /* registry reference to math.randomseed, which scripts cannot replace */

/* realloc within the budget; NULL tells Lua it is out of memory. */
static void *allocate(void *user, void *block, size_t old_size, size_t new_size)
{
    (void)user;
    size_t old = block ? old_size : 0;
    if (new_size == 0) {
        free(block);
        used -= old;
        return NULL;
    }
    if (new_size > old && new_size - old > budget - used)
        return NULL;
    void *moved = realloc(block, new_size);
    if (moved)
        used = used - old + new_size;
    return moved;
}

static int panic(lua_State *L)
{
    hs_abortf(HS_ABORT_ASSERTION, "Lua panic: %s", lua_tostring(L, -1));
}

typedef struct chunk {
    const char *text;
    size_t length;
} chunk;

/* Runs protected: reseeds math.random, loads and calls the chunk, and leaves one string: the
 * results joined by tabs. */
static int run(lua_State *L)
{
    const chunk *code = lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, randomseed);
    lua_pushinteger(L, (lua_Integer)hs_random_u64());
    lua_call(L, 1, 0);

    int base = lua_gettop(L);
    if (luaL_loadbufferx(L, code->text, code->length, "=script", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, LUA_MULTRET);

    luaL_Buffer joined;
    int results = lua_gettop(L) - base;
    luaL_buffinit(L, &joined);
    for (int i = 1; i <= results; i++) {
        if (i > 1)
            luaL_addchar(&joined, '\t');
        luaL_tolstring(L, base + i, NULL);
        luaL_addvalue(&joined);
    }
    luaL_pushresult(&joined);
    return 1;
}

static void run_lua(const hs_call *call, hs_result *result)
{
    chunk code;
    code.text = hs_arg_string(call, 0, &code.length);
    int top = lua_gettop(state);
    lua_pushcfunction(state, run);
    lua_pushlightuserdata(state, &code);
    if (lua_pcall(state, 1, 1, 0) == LUA_OK) {
        size_t length;
        const char *text = lua_tolstring(state, -1, &length);
        hs_return_string_n(result, text, length);
    } else if (lua_type(state, -1) == LUA_TSTRING) {
        hs_return_error(result, HS_ERROR_GUEST, "%s", lua_tostring(state, -1));
    } else {
        hs_return_error(result, HS_ERROR_GUEST, "(error object is a %s value)",
                        luaL_typename(state, -1));
    }
    lua_settop(state, top);
}

static void open(const char *name, lua_CFunction function)
{
    luaL_requiref(state, name, function, 1);
    lua_pop(state, 1);
}

/* Sets table[name] = nil for each name: entry points that read stdin, touch files or end the
 * process have no place in a sandbox. */
static void remove_fields(const char *table, const char *const *names)
{
    if (table)
        lua_getglobal(state, table);
    else
        lua_pushglobaltable(state);
    for (; *names; names++) {
        lua_pushnil(state);
        lua_setfield(state, -2, *names);
    }
    lua_pop(state, 1);
}

void hs_main(void)
{
    /* Leave an eighth of the heap to the SDK (results kept across host calls, registration). */
    budget = hs_get_peb()->heap_size / 8 * 7;
    state = lua_newstate(allocate, NULL);
    if (!state)
        hs_abort(HS_ABORT_OUT_OF_MEMORY, "the heap has no room for a Lua state");
    lua_atpanic(state, panic);
    open(LUA_GNAME, luaopen_base);
    open(LUA_COLIBNAME, luaopen_coroutine);
    open(LUA_TABLIBNAME, luaopen_table);
    open(LUA_STRLIBNAME, luaopen_string);
    open(LUA_MATHLIBNAME, luaopen_math);
    open(LUA_UTF8LIBNAME, luaopen_utf8);
    open(LUA_OSLIBNAME, luaopen_os);
    static const char *const base[] = {"dofile", "loadfile", NULL};
    static const char *const os[] = {"execute", "exit", "getenv", "remove", "rename", "tmpname",
                                     "setlocale", NULL};
    remove_fields(NULL, base);
    remove_fields(LUA_OSLIBNAME, os);
    if (luaL_dostring(state, "local load = load\n"
                             "_ENV.load = function(chunk, name, _, ...) return load(chunk, name, 't', ...) end") !=
        LUA_OK)
        hs_abortf(HS_ABORT_ASSERTION, "luaguest: %s", lua_tostring(state, -1));
    lua_getglobal(state, LUA_MATHLIBNAME);
    lua_getfield(state, -1, "randomseed");
    randomseed = luaL_ref(state, LUA_REGISTRYINDEX);
    lua_pop(state, 1);
    hs_register("RunLua", HS_TYPE_STRING, run_lua, 1, HS_TYPE_STRING);
}
