/* mstress.c - a malloc/realloc/free stress test with checks (ring 3 under examples/minikernel).
 * newlib's malloc grows its heap with sbrk, i.e. the kernel's brk call; every block is filled with
 * a pattern of its own and checked before it is resized or freed, so a heap that hands out
 * overlapping memory or loses contents in realloc is caught. Ends with one summary line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOTS      256
#define OPERATIONS 20000

static struct { unsigned char *p; size_t size; unsigned seed; } slot[SLOTS];
static unsigned long rng = 12345;
static unsigned errors, mallocs, reallocs, frees;
static size_t in_use, peak;
static char *heap_top;           /* the highest break seen */

/* A fixed sequence (a linear congruential generator), so every run does the same work. */
static unsigned next(unsigned limit)
{
    rng = rng * 1103515245 + 12345;
    return (unsigned)(rng >> 16) % limit;
}

/* Mostly small blocks, now and then a large one that malloc takes from the top of the heap. */
static size_t some_size(void)
{
    return next(16) == 0 ? 4096 + next(28000) : 1 + next(512);
}

static void fill(int i, size_t from)
{
    for (size_t k = from; k < slot[i].size; k++)
        slot[i].p[k] = (unsigned char)(slot[i].seed + k * 31);
}

static void check(int i, size_t upto)
{
    for (size_t k = 0; k < upto; k++)
        if (slot[i].p[k] != (unsigned char)(slot[i].seed + k * 31)) {
            if (errors++ < 5)
                printf("mstress: block %d corrupt at byte %zu of %zu\n", i, k, slot[i].size);
            return;
        }
}

/* sbrk(0) only reads the library's copy of the break: no system call. */
static void account(long delta)
{
    in_use += delta;
    if (in_use > peak)
        peak = in_use;
    if ((char *)sbrk(0) > heap_top)
        heap_top = sbrk(0);
}

static void allocate(int i)
{
    size_t size = some_size();
    slot[i].p = malloc(size);
    if (!slot[i].p) {
        errors++;
        return;
    }
    slot[i].size = size;
    slot[i].seed = next(256);
    fill(i, 0);
    account((long)size);
    mallocs++;
}

/* Resize, keeping the old contents up to the smaller size (what realloc promises). */
static void resize(int i)
{
    size_t size = some_size(), keep = size < slot[i].size ? size : slot[i].size;
    check(i, slot[i].size);
    unsigned char *p = realloc(slot[i].p, size);
    if (!p) {
        errors++;
        return;
    }
    account((long)size - (long)slot[i].size);
    slot[i].p = p;
    check(i, keep);
    slot[i].size = size;
    fill(i, keep);
    reallocs++;
}

static void release(int i)
{
    check(i, slot[i].size);
    free(slot[i].p);
    account(-(long)slot[i].size);
    slot[i].p = NULL;
    frees++;
}

int main(void)
{
    char *heap_start = heap_top = sbrk(0);
    for (int n = 0; n < OPERATIONS; n++) {
        int i = (int)next(SLOTS);
        if (!slot[i].p)
            allocate(i);
        else if (next(3) == 0)
            release(i);
        else
            resize(i);
    }
    for (int i = 0; i < SLOTS; i++)
        if (slot[i].p)
            release(i);
    unsigned *zeroed = calloc(1000, sizeof(unsigned));
    for (int k = 0; zeroed && k < 1000; k++)
        errors += zeroed[k] != 0;           /* calloc's promise, even on reused memory */
    free(zeroed);
    printf("mstress: %d operations (%u malloc, %u realloc, %u free), peak %zu KiB in use, "
           "heap %ld KiB at most and %ld KiB at the end, %u errors\n", OPERATIONS, mallocs, reallocs,
           frees, peak / 1024, (long)(heap_top - heap_start) / 1024,
           (long)((char *)sbrk(0) - heap_start) / 1024, errors);
    return errors != 0;
}
