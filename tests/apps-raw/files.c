/* files.c - the read-only archive through open, read, lseek, fstat, stat and close (ring 3). */
#include "raw.h"

#define NOTES "notes.txt"
#define NOTES_TEXT "The archive is read-only.\n"

static char buf[256];

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct hvos_stat st;
    long fd = sys(SYS_open, ADDR(NOTES), HVOS_O_RDONLY, 0);
    check(fd >= 3, "open of an archive file gives a descriptor after the console's");
    long n = sys_read((int)fd, buf, 0x7fffffff);
    check(n == (long)strlen(NOTES_TEXT) && !memcmp(buf, NOTES_TEXT, (size_t)n),
          "read with a 2 GiB length is cut to the file's size");
    check(sys_read((int)fd, buf, sizeof(buf)) == 0, "read at the end gives 0");
    check(sys(SYS_lseek, fd, 4, HVOS_SEEK_SET) == 4 && sys_read((int)fd, buf, 7) == 7 && !memcmp(buf, "archive", 7),
          "lseek then read");
    check(sys(SYS_lseek, fd, -3, HVOS_SEEK_END) == (long)strlen(NOTES_TEXT) - 3, "lseek from the end");
    check(sys(SYS_lseek, fd, -100, HVOS_SEEK_CUR) == -HVOS_EINVAL, "lseek before the start gives -EINVAL");
    check(sys(SYS_fstat, fd, ADDR(&st), 0) == 0 && st.mode == (HVOS_S_IFREG | 0444) && st.size == strlen(NOTES_TEXT),
          "fstat of a file: regular, read-only, its size");
    check(sys(SYS_fstat, 1, ADDR(&st), 0) == 0 && (st.mode & HVOS_S_IFCHR), "fstat of the console: a character device");
    check(sys(SYS_stat, ADDR("/hello"), ADDR(&st), 0) == 0 && st.size > 0, "stat by absolute path");
    check(sys(SYS_stat, ADDR("nothing"), ADDR(&st), 0) == -HVOS_ENOENT, "stat of a missing file gives -ENOENT");
    check(sys(SYS_open, ADDR(NOTES), 1, 0) == -HVOS_EROFS, "open for writing gives -EROFS");
    check(sys(SYS_open, ADDR(NOTES), 2, 0) == -HVOS_EROFS, "open for reading and writing gives -EROFS");
    check(sys_write((int)fd, "x", 1) == -HVOS_EBADF, "write to an archive file gives -EBADF");
    check(sys(SYS_close, fd, 0, 0) == 0 && sys(SYS_close, fd, 0, 0) == -HVOS_EBADF, "close, then close again gives -EBADF");
    int opened = 0;
    while (sys(SYS_open, ADDR(NOTES), 0, 0) >= 0)
        opened++;
    check(opened == 13 && sys(SYS_open, ADDR(NOTES), 0, 0) == -HVOS_EMFILE, "13 more files open, then -EMFILE");
    return failures;
}
