/* See sandbox.h. */
#include "sandbox.h"

#include <stdlib.h>

#include "lauxlib.h"
#include "lualib.h"

#include <hypersharp/guest.h>

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
    if (new_size > old && (used > budget || new_size - old > budget - used))
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

static void open(lua_State *L, const char *name, lua_CFunction function)
{
    luaL_requiref(L, name, function, 1);
    lua_pop(L, 1);
}

/* Sets table[name] = nil for each name (the globals when table is NULL). */
static void remove_fields(lua_State *L, const char *table, const char *const *names)
{
    if (table)
        lua_getglobal(L, table);
    else
        lua_pushglobaltable(L);
    for (; *names; names++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *names);
    }
    lua_pop(L, 1);
}

lua_State *hs_lua_open(size_t initial_budget)
{
    budget = initial_budget;
    lua_State *L = lua_newstate(allocate, NULL);
    if (!L)
        hs_abort(HS_ABORT_OUT_OF_MEMORY, "the heap has no room for a Lua state");
    lua_atpanic(L, panic);
    open(L, LUA_GNAME, luaopen_base);
    open(L, LUA_COLIBNAME, luaopen_coroutine);
    open(L, LUA_TABLIBNAME, luaopen_table);
    open(L, LUA_STRLIBNAME, luaopen_string);
    open(L, LUA_MATHLIBNAME, luaopen_math);
    open(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open(L, LUA_OSLIBNAME, luaopen_os);
    static const char *const base[] = {"dofile", "loadfile", NULL};
    static const char *const os[] = {"execute", "exit", "getenv", "remove", "rename", "tmpname", "setlocale", NULL};
    remove_fields(L, NULL, base);
    remove_fields(L, LUA_OSLIBNAME, os);
    if (luaL_dostring(L, "local load = load\n"
                         "_ENV.load = function(chunk, name, _, ...) return load(chunk, name, 't', ...) end") != LUA_OK)
        hs_abortf(HS_ABORT_ASSERTION, "lua sandbox: %s", lua_tostring(L, -1));
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "randomseed");
    randomseed = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return L;
}

void hs_lua_set_budget(size_t new_budget) { budget = new_budget; }

void hs_lua_reseed(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, randomseed);
    lua_pushinteger(L, (lua_Integer)hs_random_u64());
    lua_call(L, 1, 0);
}
