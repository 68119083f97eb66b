# quickjs.elf: QuickJS 2025-04-26 from Debian's source package (tools/debian-source.sh), compiled
# with hs-cc, behind the script protocol (runtimes/common). Only the engine is built: quickjs.c and
# the regexp, Unicode, number-conversion and utility files it needs; quickjs-libc.c (the std and
# os modules: files, processes, timers, workers) is left out on purpose. Third-party code: its
# warnings are not ours to fix, so none are shown.
#   include/pthread.h      single-threaded stand-ins for the Atomics code (see the header)
#   -Dtm_gmtoff=tm_isdst   Date's time-zone offset: picolibc's struct tm has no tm_gmtoff, and the
#                          guest's zone is UTC, whose offset and tm_isdst are both 0
# main.c, ours, is compiled with our warnings; it includes quickjs.h with -isystem, as third-party.
QUICKJS_DIR := $(OBJ)/src/quickjs
QUICKJS_STAMP := $(QUICKJS_DIR)/.debian-source
QUICKJS_SOURCES := quickjs libregexp libunicode cutils dtoa
QUICKJS_OBJECTS := $(QUICKJS_SOURCES:%=$(OBJ)/quickjs/%.c.o)
QUICKJS_CFLAGS = -D_GNU_SOURCE '-DCONFIG_VERSION="2025-04-26"' -Dtm_gmtoff=tm_isdst -Iruntimes/quickjs/include
QUICKJS_RUNTIME_OBJECTS := $(patsubst runtimes/%,$(OBJ)/runtimes/%.o,$(wildcard runtimes/quickjs/*.c))

$(QUICKJS_STAMP): $(LOCK) tools/debian-source.sh
	tools/debian-source.sh $(LOCK) quickjs $(QUICKJS_DIR)

$(QUICKJS_OBJECTS): $(OBJ)/quickjs/%.c.o: $(QUICKJS_STAMP) $(LIBC_HEADERS) runtimes/quickjs/runtime.mk runtimes/quickjs/include/pthread.h bin/hs-cc
	@mkdir -p $(@D)
	$(HSCC) -O2 -w $(QUICKJS_CFLAGS) -c $(QUICKJS_DIR)/$*.c -o $@

$(QUICKJS_RUNTIME_OBJECTS): $(QUICKJS_STAMP) runtimes/common/script.h
$(QUICKJS_RUNTIME_OBJECTS): GUEST_CFLAGS = -isystem $(QUICKJS_DIR) -Iruntimes/common

$(OUT)/quickjs.elf: $(QUICKJS_RUNTIME_OBJECTS) $(QUICKJS_OBJECTS) $(SCRIPT_LIBRARY) $(LIBRARY) $(LIBC) link/guest.ld bin/hs-cc tools/check-elf.sh
	$(HSCC) -o $@ $(QUICKJS_RUNTIME_OBJECTS) $(QUICKJS_OBJECTS) $(SCRIPT_LIBRARY)

RUNTIME_ELFS += $(OUT)/quickjs.elf
