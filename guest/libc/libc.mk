# The guest C library: picolibc 1.8.10 from Debian's source package (fetched and patched by
# tools/debian-source.sh, never committed), compiled from our own rules with the configuration
# header libc/picolibc.h, plus the OS glue in libc/*.c. Installs $(SYSROOT)/include (picolibc's
# headers) and $(SYSROOT)/lib/libc.a (with libm.a empty, so -lm works as elsewhere).
# Included by guest/Makefile. The archive keeps path names (ar P): libm/ld and libm/math both
# have a k_rem_pio2.c, and plain ar would keep only one of them.

LOCK := third-party/debian-sources.lock
SYSROOT := $(OUT)/sysroot
PICOLIBC_DIR := $(OBJ)/src/picolibc
PICOLIBC_STAMP := $(PICOLIBC_DIR)/.debian-source
LIBC := $(SYSROOT)/lib/libc.a
LIBC_HEADERS := $(SYSROOT)/include/.installed

include libc/picolibc-sources.mk
PICOLIBC_OBJECTS := $(PICOLIBC_SOURCES:%=$(OBJ)/picolibc/%.o)
GLUE_OBJECTS := $(patsubst libc/%.c,$(OBJ)/libc/%.c.o,$(wildcard libc/*.c))

# The fetch step: a no-op (one comparison of the stamp) once the pinned files are unpacked.
$(PICOLIBC_STAMP): $(LOCK) tools/debian-source.sh
	tools/debian-source.sh $(LOCK) picolibc $(PICOLIBC_DIR)

# The headers a guest sees: picolibc's include/, tiny stdio's stdio.h, the x86 machine headers
# and our configuration header.
$(LIBC_HEADERS): $(PICOLIBC_STAMP) libc/picolibc.h libc/libc.mk
	rm -rf $(SYSROOT)/include
	mkdir -p $(SYSROOT)/include
	cd $(PICOLIBC_DIR)/newlib/libc/include && find . -name '*.h' | xargs cp --parents -t $(abspath $(SYSROOT)/include)
	cp $(PICOLIBC_DIR)/newlib/libc/tinystdio/stdio.h $(PICOLIBC_DIR)/newlib/libc/tinystdio/stdio-bufio.h $(SYSROOT)/include/
	cp $(PICOLIBC_DIR)/newlib/libc/machine/x86/machine/*.h $(SYSROOT)/include/machine/
	cp libc/picolibc.h $(SYSROOT)/include/
	touch $@

# picolibc's own flags (from its meson build): -frounding-math and -fsignaling-nans keep libm
# honest about rounding modes and signalling NaNs, -D_LIBC selects the library-internal parts of
# its headers. Third-party code: its warnings are not ours to fix, so none are shown.
PICOLIBC_CFLAGS = -O2 $(GUEST_CODEGEN) -fno-stack-protector -std=c18 -fno-common -frounding-math \
    -fsignaling-nans -fno-builtin-copysignl -D_LIBC -U_FORTIFY_SOURCE -D_FILE_OFFSET_BITS=64 -w \
    -nostdinc -I$(PICOLIBC_DIR)/newlib -I$(PICOLIBC_DIR)/newlib/libm/common \
    -I$(PICOLIBC_DIR)/newlib/libc/machine/x86 -I$(PICOLIBC_DIR)/newlib/libc/tinystdio \
    -I$(PICOLIBC_DIR)/newlib/libc/locale -isystem $(SYSROOT)/include \
    -isystem $(shell $(CC) -print-file-name=include)

$(PICOLIBC_OBJECTS): $(OBJ)/picolibc/%.o: $(PICOLIBC_STAMP) $(LIBC_HEADERS) libc/libc.mk
	@mkdir -p $(@D)
	$(CC) $(PICOLIBC_CFLAGS) -I$(dir $(PICOLIBC_DIR)/$*) -c $(PICOLIBC_DIR)/$* -o $@

$(GLUE_OBJECTS): $(OBJ)/libc/%.c.o: libc/%.c $(LIBC_HEADERS) libc/libc.mk
	@mkdir -p $(@D)
	$(CC) -O2 $(GUEST_CODEGEN) -fno-stack-protector $(WARNINGS) -std=gnu11 \
	    $(shell $(HSCC) --print-include-flags) -MMD -MP -c $< -o $@

$(LIBC): $(PICOLIBC_OBJECTS) $(GLUE_OBJECTS)
	mkdir -p $(@D)
	rm -f $@ $(SYSROOT)/lib/libm.a
	$(AR) rcsP $@ $^
	$(AR) rcs $(SYSROOT)/lib/libm.a
