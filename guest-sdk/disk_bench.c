/* disk_bench.c - the disk workload of `make bench`, for any driver: sequential and random 4 KiB
 * reads and writes through a function the caller gives (guest ring 1, SDK). Domain 0 runs it on
 * its ATA driver directly, a domU on blkfront: the same blocks in the same order, so the two
 * figures compare the paths and nothing else. Each kind prints one line:
 *     bench: disk SIDE KIND REQUESTS TSC-TICKS NANOSECONDS
 * (under QEMU's -icount shift=0 the ticks are instructions and the nanoseconds emulated time).
 */
#include "sdk.h"

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return (uint64_t)hi << 32 | lo;
}

/* The i-th block of a kind: in order, or scattered over the disk by a fixed multiplicative hash
 * (the same sequence on every side and run). */
static uint32_t block_of(int random, uint32_t i, uint32_t blocks)
{
    if (!random)
        return i % blocks;
    uint32_t x = (i + 1) * 2654435761u;
    return (x ^ (x >> 15)) % blocks;
}

int disk_bench(const char *side, disk_bench_io io, void *ctx, uint32_t sectors, uint32_t requests)
{
    static uint8_t buf[DISK_BENCH_BLOCK] __attribute__((aligned(16)));
    static const struct { const char *name; int random, write; } kinds[] = {
        { "seq_read", 0, 0 }, { "seq_write", 0, 1 }, { "rand_read", 1, 0 }, { "rand_write", 1, 1 },
    };
    uint32_t blocks = sectors / (DISK_BENCH_BLOCK / 512);
    if (!blocks)
        return -1;
    for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        memset(buf, 0xA0 + (int)k, sizeof(buf));
        uint64_t ns0 = clock_ns(), t0 = tsc();
        for (uint32_t i = 0; i < requests; i++)
            if (io(ctx, kinds[k].write, block_of(kinds[k].random, i, blocks) * (DISK_BENCH_BLOCK / 512), buf) < 0) {
                printf("bench: disk %s %s: request %u failed\n", side, kinds[k].name, i);
                return -1;
            }
        uint64_t t1 = tsc(), ns1 = clock_ns();
        printf("bench: disk %s %s %u %llu %llu\n", side, kinds[k].name, requests, (unsigned long long)(t1 - t0),
               (unsigned long long)(ns1 - ns0));
    }
    return 0;
}
