# lua.elf: Lua 5.4 (lua.mk) behind the script protocol (runtimes/common).
include runtimes/lua/lua.mk

LUA_RUNTIME_OBJECTS := $(filter-out $(OBJ)/runtimes/lua/sandbox.c.o,$(patsubst runtimes/%,$(OBJ)/runtimes/%.o,$(wildcard runtimes/lua/*.c)))

$(OUT)/lua.elf: $(LUA_RUNTIME_OBJECTS) $(LUA_OBJECTS) $(SCRIPT_LIBRARY) $(LIBRARY) $(LIBC) link/guest.ld bin/hs-cc tools/check-elf.sh
	$(HSCC) -o $@ $(LUA_RUNTIME_OBJECTS) $(LUA_OBJECTS) $(SCRIPT_LIBRARY)

RUNTIME_ELFS += $(OUT)/lua.elf
