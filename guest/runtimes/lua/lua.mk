# Lua 5.4 from Debian's source package (tools/debian-source.sh), compiled once with hs-cc for the
# two guests that embed it: the script runtime lua.elf (runtime.mk) and the test guest
# tests/luaguest. The core and the base, coroutine, table, string, math, utf8 and os libraries (no
# io, package or debug library: a guest has no files, no modules to load and nothing to debug),
# plus sandbox.c, which both guests open their state with.
# LUAI_MAXCCALLS bounds Lua's C recursion (parser nesting, metamethods, pcall) below what the
# default 128 KiB guest stack holds, so deep recursion ends in a Lua error rather than a fault.
# print() does not fflush after each line: the SDK sends stdout once when the call returns.
LUA_DIR := $(OBJ)/src/lua5.4
LUA_STAMP := $(LUA_DIR)/.debian-source
LUA_SOURCES := lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser \
    lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib lcorolib lmathlib loslib lstrlib \
    ltablib lutf8lib
LUA_OBJECTS := $(LUA_SOURCES:%=$(OBJ)/lua/%.c.o) $(OBJ)/runtimes/lua/sandbox.c.o
LUA_CFLAGS = -Iruntimes/lua -DLUAI_MAXCCALLS=150 '-Dlua_writeline()=lua_writestring("\n", 1)'
# For code that includes Lua's headers: they are third-party, so their warnings are not shown.
LUA_INCLUDE_FLAGS = -isystem $(LUA_DIR)/src $(LUA_CFLAGS)

$(LUA_STAMP): $(LOCK) tools/debian-source.sh
	tools/debian-source.sh $(LOCK) lua5.4 $(LUA_DIR)

$(filter $(OBJ)/lua/%,$(LUA_OBJECTS)): $(OBJ)/lua/%.c.o: $(LUA_STAMP) $(LIBC_HEADERS) runtimes/lua/lua.mk bin/hs-cc
	@mkdir -p $(@D)
	$(HSCC) -O2 -std=gnu99 $(LUA_CFLAGS) -c $(LUA_DIR)/src/$*.c -o $@

$(OBJ)/runtimes/lua/%.c.o: $(LUA_STAMP)
$(OBJ)/runtimes/lua/%.c.o: GUEST_CFLAGS = $(LUA_INCLUDE_FLAGS) -Iruntimes/common
