/* cat.c - copy files of the kernel's archive, or standard input, to standard output (ring 3
 * under examples/minikernel). Shows stdio on archive files: fopen, fread, ferror, and errno
 * when a name is not in the archive. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* 0 when the whole stream was copied. */
static int copy(FILE *in)
{
    char buf[512];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, stdout);
    return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv)
{
    int status = 0;
    if (argc < 2)
        return copy(stdin) ? 1 : 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        if (copy(f))
            status = 1;
        fclose(f);
    }
    return status;
}
