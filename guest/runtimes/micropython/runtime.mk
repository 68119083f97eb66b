# micropython.elf: MicroPython 1.25 from Debian's source package (tools/debian-source.sh, never
# committed), configured by runtimes/micropython/mpconfigport.h and compiled with hs-cc behind the
# script protocol (docs/scripting-python.md). Included by guest/Makefile.
#
# MicroPython's sources include generated headers (qstrs, module and root-pointer tables); its
# embed port generates them (genhdr.mk), with python3, from every source that defines qstrs: py/
# and the extmod modules and runtime files listed here. Which py/ files exist is fixed by the
# pinned version, so they are listed rather than found (the source is fetched after make reads this).
MP_DIR := $(OBJ)/src/micropython
MP_STAMP := $(MP_DIR)/.debian-source  # debian-source.sh's stamp: without it, it unpacks afresh
MP_BUILD := $(OBJ)/micropython
MP_CORE := mpstate nlr nlrx64 malloc gc pystack qstr vstr mpprint unicode mpz reader lexer parse scope \
    compile emitcommon emitbc formatfloat parsenumbase parsenum emitglue persistentcode runtime runtime_utils \
    scheduler nativeglue pairheap ringbuf cstack stackctrl argcheck warning profile map obj objarray \
    objattrtuple objbool objboundmeth objcell objclosure objcode objcomplex objdeque objdict objenumerate \
    objexcept objfilter objfloat objfun objgenerator objgetitemiter objint objint_longlong objint_mpz objlist \
    objmap objmodule objobject objpolyiter objproperty objnone objnamedtuple objrange objreversed objringio \
    objset objsingleton objslice objstr objstrunicode objstringio objtuple objtype objzip opmethods sequence \
    stream binary builtinimport builtinevex builtinhelp modarray modbuiltins modcollections modgc modio \
    modmath modcmath modmicropython modstruct modsys moderrno vm bc showbc repl smallint frozenmod
# The OS-free extmod modules (re includes re1.5, deflate uzlib, hashlib crypto-algorithms' SHA-256).
MP_EXTMOD := modbinascii moddeflate modhashlib modheapq modjson modplatform modrandom modre modtime
MP_SOURCES := $(MP_CORE:%=py/%.c) $(MP_EXTMOD:%=extmod/%.c) shared/runtime/gchelper_generic.c \
    shared/timeutils/timeutils.c
MP_OBJECTS := $(MP_SOURCES:%=$(MP_BUILD)/%.o)
MP_RUNTIME_SOURCES := $(wildcard runtimes/micropython/*.c)
MP_RUNTIME_OBJECTS := $(MP_RUNTIME_SOURCES:runtimes/%=$(OBJ)/runtimes/%.o)
MP_HEADERS := $(addprefix $(MP_BUILD)/genhdr/,mpversion.h qstrdefs.generated.h moduledefs.h root_pointers.h)
MP_CFLAGS = -I$(abspath runtimes/micropython) -I$(abspath $(MP_DIR)) -I$(abspath $(MP_BUILD)) -I$(abspath runtimes/common)

# Debian's source with our patches (patches/*.patch) on top: unpacked afresh (from the cache)
# whenever the lock or a patch changes, so patches always apply to Debian's tree.
MP_PATCHES := $(wildcard runtimes/micropython/patches/*.patch)
MP_SOURCE := $(MP_DIR)/.patched
$(MP_SOURCE): $(LOCK) tools/debian-source.sh $(MP_PATCHES)
	rm -f $(MP_STAMP)
	tools/debian-source.sh $(LOCK) micropython $(MP_DIR)
	for patch in $(MP_PATCHES); do patch -s -d $(MP_DIR) -p1 < $$patch || exit 1; done
	touch $@

# Runs every build and regenerates only what changed (MicroPython's own dependency rules); the
# objects' dependency files then rebuild whatever includes a header that did change.
micropython-headers: $(MP_SOURCE) $(LIBC_HEADERS) bin/hs-cc
	$(MAKE) -C runtimes/micropython -f genhdr.mk MICROPYTHON_TOP=$(abspath $(MP_DIR)) \
	    BUILD=$(abspath $(MP_BUILD)) 'CPP=$(abspath $(HSCC)) -E' 'MP_CFLAGS=$(MP_CFLAGS)' ECHO=@: BUILD_VERBOSE=0 \
	    'QSTR_SOURCES=$(abspath $(addprefix $(MP_DIR)/,$(filter-out py/%,$(MP_SOURCES))) $(MP_RUNTIME_SOURCES))' \
	    $(abspath $(MP_HEADERS)) > /dev/null
.PHONY: micropython-headers

# Third-party code: its warnings are not ours to fix, so none are shown. vm.c and gc.c at -O3, as
# MicroPython builds them (its interpreter loop and collector are its hot paths).
$(MP_OBJECTS): $(MP_BUILD)/%.o: $(MP_SOURCE) $(LIBC_HEADERS) runtimes/micropython/runtime.mk bin/hs-cc | micropython-headers
	@mkdir -p $(@D)
	$(HSCC) -O2 $(MP_OPTIMISE) -std=gnu11 $(MP_CFLAGS) -w -MMD -MP -c $(MP_DIR)/$* -o $@
$(MP_BUILD)/py/vm.c.o $(MP_BUILD)/py/gc.c.o: MP_OPTIMISE = -O3

$(MP_RUNTIME_OBJECTS): $(MP_SOURCE) runtimes/micropython/runtime.mk | micropython-headers
# MicroPython's headers have inline functions that ignore parameters (-Wextra would fail our
# build on them). As -I, not -isystem, so that the dependency files list them.
$(MP_RUNTIME_OBJECTS): GUEST_CFLAGS = $(MP_CFLAGS) -Wno-unused-parameter

$(OUT)/micropython.elf: $(MP_RUNTIME_OBJECTS) $(MP_OBJECTS) $(SCRIPT_LIBRARY) $(LIBRARY) $(LIBC) link/guest.ld \
        bin/hs-cc tools/check-elf.sh
	$(HSCC) -o $@ $(filter %.o,$^) $(SCRIPT_LIBRARY)
RUNTIME_ELFS += $(OUT)/micropython.elf

-include $(MP_OBJECTS:.o=.d)
