/* format.c - printf-style formatting into a bounded buffer.
 * Pure code shared by the monitor (ring 0) and guests (ring 1); host-tested.
 */
#include "format.h"
#include <stdint.h>

struct out {
    char *buf;
    size_t size;
    size_t len;    /* characters the full output has so far */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

struct spec {
    int left, zero, alt, space, plus;
    int width, precision;   /* -1 when absent */
    int length;             /* 0 int, 1 long, 2 long long, -1 short, -2 char */
    char conv;
};

/* Emit one converted field: prefix (sign or 0x), zero padding to the precision, then the digits. */
static void put_field(struct out *o, const struct spec *s, const char *prefix, const char *body, int body_len)
{
    int prefix_len = 0, zeros = 0;
    while (prefix[prefix_len])
        prefix_len++;
    if (s->precision > body_len)
        zeros = s->precision - body_len;
    int total = prefix_len + zeros + body_len;
    int pad = s->width > total ? s->width - total : 0;
    if (s->zero && !s->left && s->precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!s->left)
        put_repeat(o, ' ', pad);
    for (int i = 0; i < prefix_len; i++)
        put(o, prefix[i]);
    put_repeat(o, '0', zeros);
    for (int i = 0; i < body_len; i++)
        put(o, body[i]);
    if (s->left)
        put_repeat(o, ' ', pad);
}

static void put_number(struct out *o, const struct spec *s, uint64_t v, int negative)
{
    const char *digits = s->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = (s->conv == 'x' || s->conv == 'X' || s->conv == 'p') ? 16 : s->conv == 'o' ? 8 : 10;
    char tmp[24];
    int n = 0;
    /* C99: a zero value with precision 0 prints no digits. */
    if (!(v == 0 && s->precision == 0)) {
        do {
            tmp[n++] = digits[v % base];
            v /= base;
        } while (v);
    }
    char body[24];
    for (int i = 0; i < n; i++)
        body[i] = tmp[n - 1 - i];
    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (s->plus && (s->conv == 'd' || s->conv == 'i'))
        prefix = "+";
    else if (s->space && (s->conv == 'd' || s->conv == 'i'))
        prefix = " ";
    else if ((s->alt && base == 16 && n > 0) || s->conv == 'p')
        prefix = s->conv == 'X' ? "0X" : "0x";
    else if (s->alt && base == 8 && (n == 0 || body[0] != '0'))
        prefix = "0";
    put_field(o, s, prefix, body, n);
}

static uint64_t get_unsigned(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 2:  return va_arg(*ap, unsigned long long);
    case 1:  return va_arg(*ap, unsigned long);
    case -1: return (unsigned short)va_arg(*ap, unsigned int);
    case -2: return (unsigned char)va_arg(*ap, unsigned int);
    default: return va_arg(*ap, unsigned int);
    }
}

static int64_t get_signed(const struct spec *s, va_list *ap)
{
    switch (s->length) {
    case 2:  return va_arg(*ap, long long);
    case 1:  return va_arg(*ap, long);
    case -1: return (short)va_arg(*ap, int);
    case -2: return (signed char)va_arg(*ap, int);
    default: return va_arg(*ap, int);
    }
}

/* Parse flags, width, precision and length after a '%'; returns the conversion's position. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .width = -1, .precision = -1 };
    for (;; f++) {
        if (*f == '-') s->left = 1;
        else if (*f == '0') s->zero = 1;
        else if (*f == '#') s->alt = 1;
        else if (*f == ' ') s->space = 1;
        else if (*f == '+') s->plus = 1;
        else break;
    }
    if (*f == '*') {
        s->width = va_arg(*ap, int);
        if (s->width < 0) {
            s->left = 1;
            s->width = -s->width;
        }
        f++;
    } else {
        for (s->width = 0; *f >= '0' && *f <= '9'; f++)
            s->width = s->width * 10 + (*f - '0');
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            s->precision = va_arg(*ap, int);
            f++;
        } else {
            for (s->precision = 0; *f >= '0' && *f <= '9'; f++)
                s->precision = s->precision * 10 + (*f - '0');
        }
    }
    for (;; f++) {
        if (*f == 'l') s->length++;
        else if (*f == 'h') s->length--;
        else if (*f == 'z') s->length = sizeof(size_t) == 8 ? 2 : 1;
        else break;
    }
    s->conv = *f;
    return f;
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = { buf, size, 0 };
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        struct spec s;
        f = parse_spec(f + 1, &s, &ap);
        switch (s.conv) {
        case 'd': case 'i': {
            int64_t v = get_signed(&s, &ap);
            put_number(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
            break;
        }
        case 'u': case 'x': case 'X': case 'o':
            put_number(&o, &s, get_unsigned(&s, &ap), 0);
            break;
        case 'p':
            s.length = sizeof(void *) == 8 ? 2 : 1;
            put_number(&o, &s, (uintptr_t)va_arg(ap, void *), 0);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            s.precision = -1;
            put_field(&o, &s, "", &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            int n = 0;
            while (str[n] && (s.precision < 0 || n < s.precision))
                n++;
            s.precision = -1;
            put_field(&o, &s, "", str, n);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            f--;    /* a lone '%' at the end: stop */
            break;
        default:    /* unknown conversion: print it as written */
            put(&o, '%');
            put(&o, s.conv);
            break;
        }
    }
    va_end(ap);
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
