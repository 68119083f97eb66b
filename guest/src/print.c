/* hs_printf: formatted text to the host function HostPrint(string) -> int. */
#include "internal.h"

HS_COLD int hs_vprintf(const char *format, va_list args)
{
    char small[256];
    va_list again;
    va_copy(again, args);
    int length = hs_vsnprintf(small, sizeof small, format, args);
    char *text = small;
    if ((size_t)length >= sizeof small) {
        text = malloc((size_t)length + 1);
        if (text) {
            hs_vsnprintf(text, (size_t)length + 1, format, again);
        } else {
            /* The heap is full: print what fits the stack buffer rather than nothing. */
            text = small;
            length = (int)sizeof small - 1;
        }
    }
    va_end(again);
    hs_text_repair(text, (size_t)length);

    hs_host_reply reply;
    bool ok = hs_call_host("HostPrint", HS_TYPE_INT, &reply, 1, hs_string_n(text, (size_t)length));
    if (text != small)
        free(text);
    return ok ? reply.value.as.i32 : -1;
}

HS_COLD int hs_printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int result = hs_vprintf(format, args);
    va_end(args);
    return result;
}
