/* hs_abort and friends: the guest gives up for good (HS_PORT_ABORT). */
#include "internal.h"

HS_COLD _Noreturn void hs_hang(void)
{
    for (;;)
        __asm__ volatile("");
}

/* Room the ERROR message needs besides its text: headers plus the NUL and padding. */
#define ERROR_OVERHEAD (HS_WIRE_PAYLOAD_OFFSET + 8u)

HS_COLD static _Noreturn void vabort(int code, const char *format, va_list args)
{
    const hs_peb *peb = hs_peb_pointer;
    if (peb && peb->output_size >= ERROR_OVERHEAD + 8) {
        uint8_t *output = (uint8_t *)(uintptr_t)peb->output_base;
        size_t limit = peb->output_size - ERROR_OVERHEAD;
        if (limit > HS_MAX_ABORT_MESSAGE)
            limit = HS_MAX_ABORT_MESSAGE;
        char *text = (char *)output + HS_WIRE_PAYLOAD_OFFSET;
        size_t length = hs_text_format(text, limit, format, args);
        uint64_t size;
        hs_wire_encode_error(output, peb->output_size, (uint32_t)code, text, length, &size);
    }
    hs_outl(HS_PORT_ABORT, (uint32_t)code);
    hs_hang();
}

HS_COLD _Noreturn void hs_abortf(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vabort(code, format, args);
}

HS_COLD _Noreturn void hs_abort(int code, const char *message)
{
    hs_abortf(code, "%s", message ? message : "");
}

HS_COLD _Noreturn void hs_assert_failed(const char *expression, const char *file, int line)
{
    hs_abortf(HS_ABORT_ASSERTION, "assertion failed: %s (%s:%d)", expression, file, line);
}
