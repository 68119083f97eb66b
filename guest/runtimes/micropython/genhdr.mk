# MicroPython's embed port (ports/embed/embed.mk), used for what it is for: generating the headers
# MicroPython's sources include (qstrs, the built-in module table, root pointers, the version) for
# this configuration. runtime.mk runs it in this folder, so that mpconfigport.h is the one found,
# with MICROPYTHON_TOP (the fetched source), BUILD (where genhdr/ goes), QSTR_SOURCES (the sources
# outside py/ to scan: extmod modules and ours) and MP_CFLAGS (the include paths).
SRC_QSTR += $(QSTR_SOURCES)
CFLAGS += $(MP_CFLAGS)
include $(MICROPYTHON_TOP)/ports/embed/embed.mk
