/* syscount.c - many system calls through newlib and nothing that needs the monitor (ring 3
 * under examples/minikernel). The kernel's exit line counts the monitor entries while it ran:
 * with its parent waiting, it is alone on the CPU and must show 0. It prints nothing, because
 * console output is a hypercall; its exit status says whether every call gave the right answer. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROUNDS 1000

int main(void)
{
    pid_t pid = getpid();
    char c;
    struct stat st;
    int fd = open("data.txt", O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0)
        return 1;
    for (int i = 0; i < ROUNDS; i++) {
        off_t at = i % st.st_size;
        if (getpid() != pid || lseek(fd, at, SEEK_SET) != at || read(fd, &c, 1) != 1)
            return 2;
    }
    return close(fd) == 0 ? 0 : 3;
}
