/*
 * lua-native SCRIPT ITERATIONS: the agent script of `compare` on the same Lua 5.4, from the same fetched Debian
 * source, compiled natively with the host's gcc -O2 (bench/HyperSharp.Benchmarks builds it). Each iteration gets a
 * new state with the standard libraries and a print that captures into memory, as the guest's does; only the run is
 * timed: loading and calling the chunk. Prints one line per iteration: nanoseconds, then the number of open orders
 * the script returned, as {"open":N}.
 */
#include <stdio.h>
#include <string.h>

#include "runner.h"

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

static char captured[1 << 16];
static size_t captured_length;

static int print(lua_State *L)
{
    for (int i = 1; i <= lua_gettop(L); i++) {
        size_t length;
        const char *text = luaL_tolstring(L, i, &length);
        if (captured_length + length + 1 < sizeof captured) {
            memcpy(captured + captured_length, text, length);
            captured_length += length;
            captured[captured_length++] = i < lua_gettop(L) ? '\t' : '\n';
        }
        lua_pop(L, 1);
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t length;
    int iterations;
    const char *source = read_script(argc, argv, "lua-native", &length, &iterations);

    for (int iteration = 0; iteration < iterations; iteration++) {
        lua_State *L = luaL_newstate();
        luaL_openlibs(L);
        lua_register(L, "print", print);
        captured_length = 0;

        long long start = now_ns();
        int status = luaL_loadbuffer(L, source, length, "=script");
        if (status == LUA_OK)
            status = lua_pcall(L, 0, 1, 0);
        long long elapsed = now_ns() - start;

        if (status != LUA_OK) {
            fprintf(stderr, "lua-native: %s\n", lua_tostring(L, -1));
            return 1;
        }
        lua_getfield(L, -1, "open");
        printf("%lld {\"open\":%lld}\n", elapsed, (long long)lua_tointeger(L, -1));
        lua_close(L);
    }
    return 0;
}
