/* hs_vsnprintf and hs_snprintf: C99 snprintf semantics for the conversions guest.h lists. */
#include "internal.h"

/* Collects output; counts everything but stores only what fits (leaving room for the NUL). */
typedef struct sink {
    char *buffer;
    size_t size;
    size_t length;
} sink;

HS_COLD static void put(sink *s, char c)
{
    if (s->length + 1 < s->size)
        s->buffer[s->length] = c;
    s->length++;
}

HS_COLD static void put_text(sink *s, const char *text, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(s, text[i]);
}

HS_COLD static void put_repeated(sink *s, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(s, c);
}

typedef struct spec {
    bool left;      /* '-' */
    bool zero;      /* '0' */
    char sign;      /* '+', ' ' or 0: shown before non-negative numbers */
    size_t width;
    int precision;  /* -1 when absent */
} spec;

/* Emits prefix, leading zeros and body, padded to the field width. */
HS_COLD static void put_field(sink *s, const spec *f, const char *prefix, size_t zeros, const char *body,
                      size_t body_length)
{
    size_t prefix_length = strlen(prefix);
    size_t length = prefix_length + zeros + body_length;
    size_t padding = f->width > length ? f->width - length : 0;
    if (f->zero && !f->left && f->precision < 0) {
        zeros += padding;
        padding = 0;
    }
    if (!f->left)
        put_repeated(s, ' ', padding);
    put_text(s, prefix, prefix_length);
    put_repeated(s, '0', zeros);
    put_text(s, body, body_length);
    if (f->left)
        put_repeated(s, ' ', padding);
}

HS_COLD static void put_integer(sink *s, const spec *f, uint64_t magnitude, bool negative, unsigned base,
                        bool upper, const char *radix_prefix)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24]; /* 22 octal digits for 2^64 - 1 */
    size_t n = sizeof digits;
    /* C: precision 0 prints nothing for the value 0. */
    if (magnitude != 0 || f->precision != 0) {
        do {
            digits[--n] = digit_chars[magnitude % base];
            magnitude /= base;
        } while (magnitude != 0);
    }
    size_t count = sizeof digits - n;
    size_t zeros = f->precision > 0 && (size_t)f->precision > count ? (size_t)f->precision - count : 0;
    char prefix[4] = {0};
    if (negative)
        prefix[0] = '-';
    else if (f->sign)
        prefix[0] = f->sign;
    else if (radix_prefix)
        strcpy(prefix, radix_prefix);
    put_field(s, f, prefix, zeros, digits + n, count);
}

enum length_modifier { LENGTH_INT, LENGTH_CHAR, LENGTH_SHORT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE };

HS_COLD static int64_t signed_argument(va_list *args, enum length_modifier length)
{
    switch (length) {
    case LENGTH_CHAR:
        return (signed char)va_arg(*args, int);
    case LENGTH_SHORT:
        return (short)va_arg(*args, int);
    case LENGTH_LONG:
        return va_arg(*args, long);
    case LENGTH_LONG_LONG:
        return va_arg(*args, long long);
    case LENGTH_SIZE:
        return va_arg(*args, long); /* ssize_t, intmax_t and ptrdiff_t are long here */
    default:
        return va_arg(*args, int);
    }
}

HS_COLD static uint64_t unsigned_argument(va_list *args, enum length_modifier length)
{
    switch (length) {
    case LENGTH_CHAR:
        return (unsigned char)va_arg(*args, unsigned);
    case LENGTH_SHORT:
        return (unsigned short)va_arg(*args, unsigned);
    case LENGTH_LONG:
        return va_arg(*args, unsigned long);
    case LENGTH_LONG_LONG:
        return va_arg(*args, unsigned long long);
    case LENGTH_SIZE:
        return va_arg(*args, size_t);
    default:
        return va_arg(*args, unsigned);
    }
}

HS_COLD static size_t parse_number(const char **p)
{
    size_t n = 0;
    while (**p >= '0' && **p <= '9')
        n = n * 10 + (size_t)(*(*p)++ - '0');
    return n;
}

HS_COLD int hs_vsnprintf(char *buffer, size_t size, const char *format, va_list arguments)
{
    sink s = {buffer, size, 0};
    va_list args;
    va_copy(args, arguments); /* helpers take a va_list *, which a va_list parameter is not */
    for (const char *p = format; *p; p++) {
        if (*p != '%') {
            put(&s, *p);
            continue;
        }
        const char *start = p++;
        spec f = {.precision = -1};
        for (;; p++) {
            if (*p == '-')
                f.left = true;
            else if (*p == '0')
                f.zero = true;
            else if (*p == '+')
                f.sign = '+';
            else if (*p == ' ' && f.sign != '+')
                f.sign = ' ';
            else
                break;
        }
        if (*p == '*') {
            int width = va_arg(args, int);
            f.left |= width < 0;
            f.width = width < 0 ? -(size_t)width : (size_t)width;
            p++;
        } else {
            f.width = parse_number(&p);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                int precision = va_arg(args, int);
                f.precision = precision < 0 ? -1 : precision;
                p++;
            } else {
                f.precision = (int)parse_number(&p);
            }
        }
        enum length_modifier length = LENGTH_INT;
        if (*p == 'h') {
            length = p[1] == 'h' ? LENGTH_CHAR : LENGTH_SHORT;
            p += p[1] == 'h' ? 2 : 1;
        } else if (*p == 'l') {
            length = p[1] == 'l' ? LENGTH_LONG_LONG : LENGTH_LONG;
            p += p[1] == 'l' ? 2 : 1;
        } else if (*p == 'z' || *p == 'j' || *p == 't') {
            length = LENGTH_SIZE;
            p++;
        }

        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = signed_argument(&args, length);
            put_integer(&s, &f, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, NULL);
            break;
        }
        case 'u':
            put_integer(&s, &f, unsigned_argument(&args, length), false, 10, false, NULL);
            break;
        case 'x':
        case 'X':
            put_integer(&s, &f, unsigned_argument(&args, length), false, 16, *p == 'X', NULL);
            break;
        case 'o':
            put_integer(&s, &f, unsigned_argument(&args, length), false, 8, false, NULL);
            break;
        case 'p':
            f.sign = 0;
            put_integer(&s, &f, (uintptr_t)va_arg(args, void *), false, 16, false, "0x");
            break;
        case 'c': {
            char c = (char)va_arg(args, int);
            put_field(&s, &f, "", 0, &c, 1);
            break;
        }
        case 's': {
            const char *text = va_arg(args, const char *);
            if (!text)
                text = "(null)";
            size_t n = 0;
            while ((f.precision < 0 || n < (size_t)f.precision) && text[n])
                n++;
            f.precision = -1; /* it limited the text; it must not disable zero padding */
            f.zero = false;
            put_field(&s, &f, "", 0, text, n);
            break;
        }
        case '%':
            put(&s, '%');
            break;
        default:
            /* Unknown conversion: show it as written, so the mistake is visible. */
            put_text(&s, start, (size_t)(p - start) + (*p ? 1 : 0));
            if (!*p)
                p--;
            break;
        }
    }
    va_end(args);
    if (size > 0)
        buffer[s.length < size ? s.length : size - 1] = '\0';
    return s.length > INT32_MAX ? INT32_MAX : (int)s.length;
}

HS_COLD int hs_snprintf(char *buffer, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = hs_vsnprintf(buffer, size, format, args);
    va_end(args);
    return n;
}
