/* Fitting formatted text into wire strings, which must be valid UTF-8. */
#include "internal.h"

void hs_text_repair(char *text, size_t length)
{
    size_t i = 0;
    for (;;) {
        i += hs_utf8_valid_prefix(text + i, length - i);
        if (i == length)
            return;
        text[i++] = '?';
    }
}

size_t hs_text_format(char *buffer, size_t limit, const char *format, va_list args)
{
    /* One byte beyond the limit tells whether the cut splits a character. */
    int total = hs_vsnprintf(buffer, limit + 2, format, args);
    size_t length = total < 0 ? 0 : (size_t)total;
    if (length > limit) {
        length = limit;
        while (length > 0 && ((uint8_t)buffer[length] & 0xC0) == 0x80)
            length--;
    }
    buffer[length] = '\0';
    hs_text_repair(buffer, length);
    return length;
}

const char *hs_type_name(unsigned type)
{
    static const char *const names[] = {"VOID",  "INT",    "UINT", "LONG",   "ULONG",
                                        "FLOAT", "DOUBLE", "BOOL", "STRING", "BYTES"};
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}
