/* readline.c - reads typed lines from the console (fd 0) and prints them back (ring 3): a read
 * with nothing typed yet sleeps in the kernel until Enter. Ends at "quit" or end of input. */
#include "raw.h"

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    char line[128];
    for (;;) {
        long n = sys_read(0, line, sizeof(line) - 1);
        if (n <= 0)
            return n == 0 ? 0 : 1;
        line[n] = 0;
        if (n && line[n - 1] == '\n')
            line[--n] = 0;
        say("readline: got \"%s\" (%ld bytes)\n", line, n);
        if (!strcmp(line, "quit"))
            return 0;
    }
}
