# luaguest embeds the Lua build of runtimes/lua/lua.mk (included before this file, by way of
# runtimes/lua/runtime.mk) and opens its state with runtimes/lua/sandbox.c.
$(OUT)/luaguest.elf: $(LUA_OBJECTS)
$(OBJ)/tests/luaguest/main.c.o: $(LUA_STAMP)
$(OBJ)/tests/luaguest/main.c.o: GUEST_CFLAGS = $(LUA_INCLUDE_FLAGS)
