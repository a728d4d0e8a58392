/* heap.c - the break (ring 3): it starts after the program, grows by pages that read as zero and
 * keep what is written, shrinks, and refuses to go below the heap or into the stack. */
#include "raw.h"

static char last_bss[16];

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t start = (uint32_t)sys_brk(0);
    check(start >= (uint32_t)(uintptr_t)(last_bss + sizeof(last_bss)) && (start & 0xfff) == 0,
          "brk(0) is the page after the program's bss");
    uint32_t want = start + 3 * 4096 + 100;
    check((uint32_t)sys_brk(want) == want, "brk grows the heap by 3 pages and a bit");
    char *heap = (char *)(uintptr_t)start;
    int zero = 1;
    for (uint32_t i = 0; i < want - start; i++)
        zero &= heap[i] == 0;
    check(zero, "new heap pages read as zero");
    memset(heap, 0x5a, want - start);
    check(heap[want - start - 1] == 0x5a, "the heap keeps what is written");
    check((uint32_t)sys_brk(start + 4096) == start + 4096, "brk shrinks the heap");
    check((uint32_t)sys_brk(start - 4096) == start + 4096, "brk below the heap's start is refused");
    check((uint32_t)sys_brk(HVOS_USER_STACK_TOP - 4096) == start + 4096, "brk into the stack is refused");
    check((uint32_t)sys_brk(0xC0000000u) == start + 4096, "brk into the kernel is refused");
    check((uint32_t)sys_brk(start + 64 * 4096) == start + 64 * 4096, "brk grows by 64 pages");
    check((uint32_t)sys_brk(start + 0x30000000) == start + 64 * 4096, "brk beyond the memory there is (768 MiB) is refused");
    heap[63 * 4096] = 1;
    check(heap[4096] == 0, "pages freed by shrinking come back zeroed");
    return failures;
}
