/* sh.c - a tiny shell (ring 3 under examples/minikernel, usually its init): reads lines from
 * standard input, runs programs of the archive by name with hvos_spawn and waits for them.
 * There is no fork or exec here: hvos_spawn is the one way to start a process. Words are split at
 * spaces; "double quotes" keep spaces. Builtins: help, exit [N]. At the end of input: exit 0. */
#include <errno.h>
#include <hvos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define MAX_WORDS 32

/* Splits line in place into words; returns how many. A quoted word ends at the next quote. */
static int split(char *line, char *words[])
{
    int n = 0;
    char *p = line;
    while (n < MAX_WORDS - 1) {
        p += strspn(p, " \t\n");
        if (!*p)
            break;
        int quoted = *p == '"';
        p += quoted;
        words[n++] = p;
        p += quoted ? strcspn(p, "\"") : strcspn(p, " \t\n");
        if (*p)
            *p++ = '\0';
    }
    words[n] = NULL;
    return n;
}

/* Runs one program and says how it ended, unless it ended well. */
static void run(char *words[])
{
    int status;
    int pid = hvos_spawn(words[0], words);
    if (pid < 0) {
        printf("sh: %s: %s\n", words[0], errno == ENOENT ? "not found" : strerror(errno));
        return;
    }
    if (waitpid(pid, &status, 0) != pid)
        printf("sh: waitpid: %s\n", strerror(errno));
    else if (WIFSIGNALED(status))
        printf("sh: %s: killed by signal %d\n", words[0], WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        printf("sh: %s: exit status %d\n", words[0], WEXITSTATUS(status));
}

static void help(void)
{
    printf("Type the name of a program of the archive and its arguments, e.g.\n"
           "  hello    cat motd.txt    calc \"sqrt(2)*sin(1)\"    mstress\n"
           "Builtins: help, exit [STATUS]. The end of input (ctrl-D) exits too.\n");
}

int main(void)
{
    char line[256], *words[MAX_WORDS];
    for (;;) {
        printf("sh> ");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin)) {
            printf("\n");
            return 0;
        }
        if (split(line, words) == 0)
            continue;
        if (!strcmp(words[0], "exit"))
            return words[1] ? atoi(words[1]) : 0;
        if (!strcmp(words[0], "help"))
            help();
        else
            run(words);
    }
}
