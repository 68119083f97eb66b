/*
 * A Lua state fit for untrusted code, shared by the script runtime (main.c) and tests/luaguest.
 * Memory has a budget (a custom lua_Alloc), so running out is Lua's "not enough memory" error and
 * the state stays usable. Only the base, coroutine, table, string, math, utf8 and os libraries
 * are opened, and nothing that reads stdin, touches files or ends the guest is left in them
 * (dofile, loadfile, os.exit, os.execute, os.getenv, os.remove, os.rename, os.tmpname,
 * os.setlocale); load() takes text only, since Lua does not verify bytecode.
 */
#ifndef HYPERSHARP_LUA_SANDBOX_H
#define HYPERSHARP_LUA_SANDBOX_H

#include <stddef.h>

#include "lua.h"

/* Opens the state with `budget` bytes for Lua's allocations; aborts the guest if even that fails. */
lua_State *hs_lua_open(size_t budget);

/* Changes the budget of later allocations. */
void hs_lua_set_budget(size_t budget);

/* math.randomseed from the SDK's random source, which the host reseeds on every restore, so
 * restored sandboxes do not repeat each other's numbers. Scripts cannot replace the function
 * this calls. */
void hs_lua_reseed(lua_State *L);

#endif
