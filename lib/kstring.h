/* kstring.h - the C string and memory functions freestanding code needs (monitor and guests). */
#ifndef LIB_KSTRING_H
#define LIB_KSTRING_H
#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* The first occurrence of needle in haystack, or NULL. */
char *strstr(const char *haystack, const char *needle);
/* Copy at most size-1 characters and always terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
