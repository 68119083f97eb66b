# libcguest is built with the stack protector, so its tests see __stack_chk_fail work, and beside
# it the same conformance program natively against glibc, whose output the tests compare.
$(OBJ)/tests/libcguest/%.o: GUEST_CFLAGS = -fstack-protector-strong

LIBCTEST_NATIVE := $(OUT)/libctest-native
all: $(LIBCTEST_NATIVE)

$(LIBCTEST_NATIVE): tools/libctest-native.c tests/libcguest/libctest.c tests/libcguest/libctest.h
	$(HOSTCC) -O2 $(WARNINGS) -std=gnu11 tools/libctest-native.c tests/libcguest/libctest.c -lm -o $@
