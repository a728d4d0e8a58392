/* cmdline.c - command-line words: "image-name key=value flag ...".
 * Pure code: used by the monitor at boot and by the domain builder; host-tested.
 */
#include "cmdline.h"
#include "kstring.h"

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

static size_t word_length(const char *p)
{
    size_t n = 0;
    while (p[n] && !is_blank(p[n]))
        n++;
    return n;
}

const char *cmdline_args(const char *line)
{
    const char *p = skip_blanks(line);
    return skip_blanks(p + word_length(p));
}

size_t cmdline_name(const char *line, char *name, size_t size)
{
    const char *p = skip_blanks(line);
    size_t n = word_length(p);
    if (size) {
        size_t copy = n < size - 1 ? n : size - 1;
        memcpy(name, p, copy);
        name[copy] = '\0';
    }
    return n;
}

int cmdline_get(const char *args, const char *key, char *value, size_t size)
{
    size_t key_len = strlen(key);
    int found = 0;
    for (const char *p = skip_blanks(args); *p; p = skip_blanks(p)) {
        size_t n = word_length(p);
        if (n >= key_len && strncmp(p, key, key_len) == 0 && (n == key_len || p[key_len] == '=')) {
            const char *v = n == key_len ? p + n : p + key_len + 1;
            size_t vlen = (size_t)(p + n - v);
            if (size) {
                size_t copy = vlen < size - 1 ? vlen : size - 1;
                memcpy(value, v, copy);
                value[copy] = '\0';
            }
            found = 1;
        }
        p += n;
    }
    return found;
}

const char *cmdline_split(const char *args, char *options, size_t size)
{
    for (const char *p = skip_blanks(args); *p; p = skip_blanks(p)) {
        size_t n = word_length(p);
        if (n == 2 && p[0] == '-' && p[1] == '-') {
            size_t copy = (size_t)(p - args) < size - 1 ? (size_t)(p - args) : size - 1;
            memcpy(options, args, copy);
            options[copy] = '\0';
            return p[2] ? p + 3 : p + 2;     /* after the one blank that ends "--" */
        }
        p += n;
    }
    return NULL;
}

void cmdline_without(const char *line, const char *word, char *out, size_t size)
{
    size_t o = 0, wlen = strlen(word);
    for (const char *p = skip_blanks(line); *p; p = skip_blanks(p)) {
        size_t n = word_length(p);
        if (!(n == wlen && strncmp(p, word, n) == 0)) {
            if (o && o + 1 < size)
                out[o++] = ' ';
            for (size_t k = 0; k < n && o + 1 < size; k++)
                out[o++] = p[k];
        }
        p += n;
    }
    if (size)
        out[o] = '\0';
}
