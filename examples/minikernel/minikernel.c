/* minikernel.c - a small guest kernel that runs ring-3 programs from a read-only archive: the
 * start of day, and what happens on each trap that is not a system call (guest ring 1).
 *
 *     tools/hvrun build/examples/minikernel.elf="init=NAME args=A,B" apps.tar=attach
 *
 * runs the program NAME of the ustar archive (default "sh") with arguments NAME A B, and powers
 * off when no process is left, cleanly if init exited with 0. README.md tells the design.
 */
#include "cmdline.h"
#include "minikernel.h"

#define SIGTRAP 5                 /* newlib's number; the ABI header has no use for it */

/* What a fault from ring 3 is called and which signal it ends the process with. */
static const struct { const char *what; int signal; } faults[PLATFORM_NR_FAULTS] = {
    [0] = { "divide error", HVOS_SIGFPE },           [1] = { "debug trap", SIGTRAP },
    [2] = { "NMI", HVOS_SIGSEGV },                   [3] = { "breakpoint", SIGTRAP },
    [4] = { "overflow", HVOS_SIGSEGV },              [5] = { "bound range", HVOS_SIGSEGV },
    [6] = { "invalid opcode", HVOS_SIGILL },         [7] = { "no FPU", HVOS_SIGFPE },
    [8] = { "double fault", HVOS_SIGSEGV },          [9] = { "coprocessor overrun", HVOS_SIGFPE },
    [10] = { "invalid TSS", HVOS_SIGSEGV },          [11] = { "segment not present", HVOS_SIGSEGV },
    [12] = { "stack fault", HVOS_SIGSEGV },          [13] = { "general protection fault", HVOS_SIGSEGV },
    [14] = { "page fault", HVOS_SIGSEGV },           [15] = { "reserved vector 15", HVOS_SIGSEGV },
    [16] = { "FPU error", HVOS_SIGFPE },             [17] = { "alignment check", HVOS_SIGSEGV },
    [18] = { "machine check", HVOS_SIGSEGV },        [19] = { "SIMD error", HVOS_SIGFPE },
};

static void say_fault(const struct regs *r)
{
    if (r->vector == VEC_PF)
        klog("process %d (%s) killed: page fault at %#x (%s, %s), eip %#x\n", current->pid, current->name,
             fault_address(), r->error_code & PF_ERROR_WRITE ? "write" : "read",
             r->error_code & PF_ERROR_PRESENT ? "protection" : "not mapped", r->eip);
    else
        klog("process %d (%s) killed: %s (error code %#x), eip %#x\n", current->pid, current->name,
             faults[r->vector].what, r->error_code, r->eip);
}

/* A fault in ring 3 ends that process alone; one in ring 1 is the kernel's bug and ends it all. */
static void fault(struct regs *r)
{
    if ((r->cs & 3) != 3)
        kernel_panic("kernel %s (vector %u, error code %#x) at eip %#x, cr2 %#x", faults[r->vector].what,
                     r->vector, r->error_code, r->eip, fault_address());
    kernel_enter();
    if (r->vector == VEC_NM) {
        fpu_trap(r);                    /* the lazy FPU switch, not an error */
    } else if (r->vector == VEC_PF && !(r->error_code & PF_ERROR_PRESENT) && heap_fault(fault_address())) {
        /* the first touch of a heap page: mapped now, and the instruction runs again */
    } else {
        say_fault(r);
        process_end(current, HVOS_STATUS_KILLED(faults[r->vector].signal), r);
    }
    kernel_leave();
}

/* After an interrupt (the timer's asks for a switch): switch if it interrupted ring 3. Nested on
 * the kernel's own work, it only notes what is to be done. */
static void interrupted(struct regs *r)
{
    schedule_if_needed(r);
}

/* init's argv: its name, then the words of args=, separated by commas (a command line's words
 * are separated by blanks already). */
static int init_argv(char *name, size_t name_size, char *args, size_t args_size, char *argv[])
{
    const char *options = platform_cmdline();          /* its words: key=value, and flags */
    if (!cmdline_get(options, "init", name, name_size) || !name[0])
        strlcpy(name, "sh", name_size);
    int argc = 0;
    argv[argc++] = name;
    if (!cmdline_get(options, "args", args, args_size))
        return argc;
    for (char *word = args; *word && argc < ARG_MAX_COUNT; ) {
        argv[argc++] = word;
        while (*word && *word != ',')
            word++;
        if (*word)
            *word++ = '\0';
    }
    return argc;
}

static const struct platform_handlers handlers = {
    .fault = fault, .syscall = syscall_entry, .tick = preempt_tick, .input = console_typed,
    .interrupted = interrupted,
};

int main(void)
{
    static char name[64], args[256];
    char *argv[ARG_MAX_COUNT];
    console_init();
    platform_init(&handlers);
    vm_init();
    uint32_t len;
    const uint8_t *module = platform_module(&len);
    int files = archive_init(module, len);
    if (files < 0)
        return 1;
    int argc = init_argv(name, sizeof(name), args, sizeof(args), argv);
    klog("archive of %d files (%u bytes); init is %s\n", files, (unsigned)len, name);
    int pid = process_spawn(name, argv, argc, 0);
    if (pid < 0) {
        klog("cannot start init (%s): error %d\n", name, -pid);
        return 1;
    }
    process_start_first();
}
