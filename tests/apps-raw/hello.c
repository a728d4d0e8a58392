/* hello.c - prints its arguments and exits with their count (ring 3): spawn, argv, exit status. */
#include "raw.h"

int main(int argc, char **argv)
{
    char line[200];
    unsigned n = 0;
    for (int i = 0; i < argc; i++)
        n += (unsigned)format_snprintf(line + n, sizeof(line) - n, "[%s]", argv[i]);
    say("hello from pid %ld: argc %d %s\n", sys_getpid(), argc, line);
    char **envp = argv + argc + 1;
    check(argv[argc] == 0 && envp[0] == 0, "argv ends with NULL, then an empty environment");
    return failures ? 100 : argc;
}
