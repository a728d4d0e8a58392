/* kstring.c - the string and memory functions freestanding code needs (monitor and guests).
 * memset and memcpy use the string instructions, whole dwords then the bytes left: booting a
 * domain clears and copies megabytes. They rely on the direction flag being clear, as the C
 * calling convention promises and every entry path (hv/entry.asm, guest-sdk/entry.S) ensures.
 */
#include "kstring.h"
#include <stdint.h>

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t dwords = n / 4, bytes = n % 4;
    uint32_t fill = (unsigned char)c * 0x01010101u;
    __asm__ volatile("rep stosl" : "+D"(d), "+c"(dwords) : "a"(fill) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(bytes) : "a"(fill) : "memory");
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    const void *s = src;
    size_t dwords = n / 4, bytes = n % 4;
    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(dwords) :: "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(bytes) :: "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s || d >= s + n)                   /* no overlap that a forward copy would spoil */
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return n ? NULL : (char *)haystack;
}
