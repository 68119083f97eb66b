/*
 * luaguest: Lua 5.4 from Debian's source package, built with hs-cc (guest.mk), behind one guest
 * function, RunLua(string) -> string: it runs the text as a Lua chunk in one persistent Lua
 * state and returns the chunk's results joined by tabs, or fails with Lua's error message.
 *
 * The state is the one the script runtime uses too (runtimes/lua/sandbox.h: a memory budget,
 * nothing that reads stdin, touches files or ends the guest, text-only load()), and math.random
 * is reseeded from the host's seed at every call.
 */
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "sandbox.h"

#include <hypersharp/guest.h>

static lua_State *state;

typedef struct chunk {
    const char *text;
    size_t length;
} chunk;

/* Runs protected: reseeds math.random, loads and calls the chunk, and leaves one string: the
 * results joined by tabs. */
static int run(lua_State *L)
{
    const chunk *code = lua_touserdata(L, 1);
    hs_lua_reseed(L);

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

void hs_main(void)
{
    /* Leave an eighth of the heap to the SDK (results kept across host calls, registration). */
    state = hs_lua_open(hs_get_peb()->heap_size / 8 * 7);
    hs_register("RunLua", HS_TYPE_STRING, run_lua, 1, HS_TYPE_STRING);
}
