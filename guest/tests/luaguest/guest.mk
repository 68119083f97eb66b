# Lua 5.4 from Debian's source package (tools/debian-source.sh), compiled with hs-cc into
# luaguest: the core and the base, coroutine, table, string, math, utf8 and os libraries (no io,
# package or debug library: a guest has no files, no modules to load and nothing to debug).
# LUAI_MAXCCALLS bounds Lua's C recursion (parser nesting, metamethods, pcall) below what the
# default 128 KiB guest stack holds, so deep recursion ends in a Lua error rather than a fault.
# print() does not fflush after each line: the SDK sends stdout once when the call returns.
LUA_DIR := $(OBJ)/src/lua5.4
LUA_STAMP := $(LUA_DIR)/.debian-source
LUA_SOURCES := lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser \
    lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib lcorolib lmathlib loslib lstrlib \
    ltablib lutf8lib
LUA_OBJECTS := $(LUA_SOURCES:%=$(OBJ)/lua/%.c.o)
LUA_CFLAGS = -Itests/luaguest -DLUAI_MAXCCALLS=150 '-Dlua_writeline()=lua_writestring("\n", 1)'

$(LUA_STAMP): $(LOCK) tools/debian-source.sh
	tools/debian-source.sh $(LOCK) lua5.4 $(LUA_DIR)

$(LUA_OBJECTS): $(OBJ)/lua/%.c.o: $(LUA_STAMP) $(LIBC_HEADERS) tests/luaguest/guest.mk bin/hs-cc
	@mkdir -p $(@D)
	$(HSCC) -O2 -std=gnu99 $(LUA_CFLAGS) -c $(LUA_DIR)/src/$*.c -o $@

$(OUT)/luaguest.elf: $(LUA_OBJECTS)
$(OBJ)/tests/luaguest/main.c.o: $(LUA_STAMP)
$(OBJ)/tests/luaguest/main.c.o: GUEST_CFLAGS = -I$(LUA_DIR)/src $(LUA_CFLAGS)
