/* addrspace.c - a guest kernel that gives each of two ring-3 processes its own address space and
 * switches between them (guest ring 1 and 3).
 *
 * Both processes run the same code and read the same virtual address, PROCESS_DATA; each sees
 * its own page there, because each has its own page tables. The kernel builds them the Xen way
 * (direct paging): fresh pages become tables by losing their writable mapping, updates go to the
 * monitor in a queue, the L3 is pinned (the monitor validates everything below it at once), and
 * MMUEXT_NEW_BASEPTR switches to it.
 */
#include "sdk.h"

#define PROCESS_DATA 0x08000000u
#define SYS_EXIT  0
#define SYS_WRITE 1

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));

USER_TEXT static void process(void)
{
    const char *message = (const char *)PROCESS_DATA;
    uint32_t len = 0;
    while (message[len])
        len++;
    __asm__ volatile("int $0x80" :: "a"(SYS_WRITE), "b"(message), "c"(len) : "memory");
    __asm__ volatile("int $0x80" :: "a"(SYS_EXIT) : "memory");
    for (;;)
        ;
}

static struct context kernel;

static void syscall(struct regs *r)
{
    if (r->eax == SYS_EXIT)
        context_restore(&kernel, 1);
    if (r->eax == SYS_WRITE && r->ebx >= PROCESS_DATA && r->ecx <= 4096 && r->ebx + r->ecx <= PROCESS_DATA + 4096)
        console_write((const char *)r->ebx, r->ecx);    /* this process's page, in its own space */
}

static uint32_t make_process(const char *message)
{
    char *page = page_alloc();
    strlcpy(page, message, 4096);
    uint32_t space = address_space_new();
    if (!space || address_space_map_user(space, PROCESS_DATA, virt_to_mfn(page)) < 0)
        panic("building an address space failed");
    printf("address space L3 at mfn %#x: %#x maps mfn %#x\n", space, PROCESS_DATA, virt_to_mfn(page));
    return space;
}

static void run_in(uint32_t space)
{
    address_space_switch(space);
    if (context_save(&kernel) == 0)
        enter_user((uint32_t)(uintptr_t)process, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

int main(void)
{
    traps_init();
    map_user(__user_start, __user_end);
    trap_set_handler(SYSCALL_VECTOR, syscall);
    syscall_gate(3, 0);
    uint32_t kernel_space = address_space_current();
    uint32_t a = make_process("process A: my own page at 0x08000000\n");
    uint32_t b = make_process("process B: a different page at the same address\n");
    for (int round = 0; round < 2; round++) {
        run_in(a);
        run_in(b);
    }
    address_space_switch(kernel_space);
    printf("back in the kernel's own address space (mfn %#x)\n", address_space_current());
    return 0;
}
