/* cmdline.h - parsing "name key=value flag ..." command lines (the monitor's and each module's).
 * Pure code, host-tested (tests/host/test_cmdline.c).
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H
#include <stddef.h>

/* Every command line starts with the image's file name: QEMU puts it there, and tools/hvrun
 * writes it for GRUB. Returns the rest of the line, past the name and the blanks after it. */
const char *cmdline_args(const char *line);

/* Copy the first word (the image name) into name; returns its length. */
size_t cmdline_name(const char *line, char *name, size_t size);

/* Find the word "key=value" (or the bare word "key") in args. Returns 1 and copies the value
 * ("" for a bare key) when found, 0 otherwise. The last occurrence wins, as users expect when
 * they append an option. */
int cmdline_get(const char *args, const char *key, char *value, size_t size);

/* "OPTIONS -- LINE": copy OPTIONS (what comes before the word "--") into options and return
 * LINE, exactly as it follows the blank after "--"; NULL (options untouched) when there is no
 * such word. */
const char *cmdline_split(const char *args, char *options, size_t size);

/* line without every occurrence of the word `word`, its other words one blank apart, into out. */
void cmdline_without(const char *line, const char *word, char *out, size_t size);

#endif
