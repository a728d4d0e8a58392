/* archive.c - the read-only file system: a POSIX ustar archive the monitor hands the kernel as its
 * Multiboot module (start_info->mod_start, mod_len) (guest ring 1, at boot).
 *
 * A ustar archive is a list of 512-byte headers, each followed by its file's data padded to 512
 * bytes, ended by a zeroed block. The archive came from outside the kernel: every header's
 * checksum, magic, size and name is checked against the module's length before it is believed,
 * and one bad header refuses the whole archive.
 */
#include "minikernel.h"

#define BLOCK      512u
#define MAX_FILES  64

/* The header fields this kernel reads (POSIX.1-1988 ustar, offsets in bytes). */
#define H_NAME      0
#define H_NAME_LEN  100
#define H_SIZE      124
#define H_SIZE_LEN  12
#define H_CHKSUM    148
#define H_CHKSUM_LEN 8
#define H_TYPE      156
#define H_MAGIC     257           /* "ustar\0" (POSIX) or "ustar " (GNU's older form) */
#define H_PREFIX    345
#define H_PREFIX_LEN 155

static struct archive_file files[MAX_FILES];
static int nr_files;

/* An octal field: digits, then NUL or spaces. -1 for anything else (base-256 sizes included). */
static int64_t octal(const uint8_t *field, unsigned len)
{
    int64_t v = 0;
    unsigned i = 0;
    while (i < len && field[i] == ' ')
        i++;
    for (; i < len && field[i] >= '0' && field[i] <= '7'; i++)
        v = v * 8 + (field[i] - '0');
    for (; i < len; i++)
        if (field[i] != ' ' && field[i] != '\0')
            return -1;
    return v;
}

/* The checksum is the sum of the header's bytes with its own field counted as spaces. */
static int checksum_ok(const uint8_t *h)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < BLOCK; i++)
        sum += i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN ? ' ' : h[i];
    return octal(h + H_CHKSUM, H_CHKSUM_LEN) == (int64_t)sum;
}

static int all_zero(const uint8_t *h)
{
    for (unsigned i = 0; i < BLOCK; i++)
        if (h[i])
            return 0;
    return 1;
}

/* "./bin/x", "/bin/x" and "bin/x" name the same file. */
static const char *strip_leading(const char *path)
{
    for (;;) {
        if (path[0] == '/')
            path++;
        else if (path[0] == '.' && path[1] == '/')
            path += 2;
        else
            return path;
    }
}

/* prefix "/" name, each field NUL-terminated or full; 0, or -1 when it does not fit. */
static int full_name(const uint8_t *h, char *out, size_t size)
{
    size_t plen = strnlen((const char *)h + H_PREFIX, H_PREFIX_LEN);
    size_t nlen = strnlen((const char *)h + H_NAME, H_NAME_LEN);
    char joined[H_PREFIX_LEN + 1 + H_NAME_LEN + 1];
    size_t n = 0;
    memcpy(joined, h + H_PREFIX, plen);
    n = plen;
    if (plen)
        joined[n++] = '/';
    memcpy(joined + n, h + H_NAME, nlen);
    joined[n + nlen] = '\0';
    const char *name = strip_leading(joined);
    return strlcpy(out, name, size) < size ? 0 : -1;
}

static int refuse(uint32_t offset, const char *why)
{
    klog("archive refused: %s at offset %#x\n", why, offset);
    nr_files = 0;
    return -1;
}

/* One header at offset; returns the offset of the next one, 0 at the end, or -1. */
static int64_t read_entry(const uint8_t *start, uint32_t len, uint32_t offset)
{
    const uint8_t *h = start + offset;
    if (all_zero(h))
        return 0;
    if (memcmp(h + H_MAGIC, "ustar", 5) != 0)
        return refuse(offset, "not a ustar header (no magic)");
    if (!checksum_ok(h))
        return refuse(offset, "bad header checksum");
    int64_t size = octal(h + H_SIZE, H_SIZE_LEN);
    if (size < 0 || (uint64_t)size > len - offset - BLOCK)
        return refuse(offset, "file size beyond the end of the module");
    uint64_t next = offset + BLOCK + ((uint64_t)size + BLOCK - 1) / BLOCK * BLOCK;
    char type = (char)h[H_TYPE];
    if (type != '0' && type != '\0')
        return next;                        /* directories, links: not files we serve */
    if (nr_files == MAX_FILES)
        return refuse(offset, "too many files");
    struct archive_file *f = &files[nr_files];
    if (full_name(h, f->name, sizeof(f->name)) < 0 || !f->name[0])
        return refuse(offset, "empty or too long a file name");
    f->data = h + BLOCK;
    f->size = (uint32_t)size;
    nr_files++;
    return next;
}

int archive_init(const uint8_t *start, uint32_t len)
{
    nr_files = 0;
    if (!start || !len) {
        klog("no archive: boot with ARCHIVE=attach after the kernel's image\n");
        return -1;
    }
    uint64_t offset = 0;
    while (offset + BLOCK <= len) {
        int64_t next = read_entry(start, len, (uint32_t)offset);
        if (next < 0)
            return -1;
        if (next == 0)
            return nr_files;
        offset = (uint64_t)next;
    }
    return offset == len ? nr_files : refuse((uint32_t)offset, "truncated (no end-of-archive block)");
}

const struct archive_file *archive_find(const char *path)
{
    path = strip_leading(path);
    for (int i = 0; i < nr_files; i++)
        if (strcmp(files[i].name, path) == 0)
            return &files[i];
    return NULL;
}
