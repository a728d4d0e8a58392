/* disk.c - a domain that keeps a counter on its virtual disk: it reads a sector through blkfront
 * (the SDK's frontend, served by domain 0's blkback from a disk of the machine), adds one, writes
 * it back and flushes it (guest ring 1, SDK). Two boots in a row show it rising:
 *     tools/hvrun --disk my.img --input $'create d\nblock-attach 1 0 xvda\nunpause 1\nwait 1 30\nquit\n' \
 *         build/examples/dom0.elf build/examples/disk.elf=attach
 * Its command line may say
 *     sector=N    where the counter lives (0 unless said; 1 leaves a partition table alone)
 *     hotplug=N   N rounds of hot plug: wait for domain 0 to attach xvda, count, wait for it to
 *                 detach it, close our end; then end
 *     trace       mark the write of the counter with GUEST_BREAK(), for Bochs to trace the one
 *                 request from here to domain 0's ATA command and back (make trace-disk)
 */
#include "sdk.h"

#define XVDA (XVD_MAJOR << 8)

static unsigned option(const char *key, unsigned otherwise)
{
    char text[16];
    if (!cmdline_option(key, text, sizeof(text)))
        return otherwise;
    unsigned n = 0;
    for (const char *p = text; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned)(*p - '0');
    return n;
}

/* Open xvda, add one to the counter at `at`: 0, or 1 with the reason printed. */
static int tracing;

static int count(struct blkfront *disk, unsigned at)
{
    static char sector[BLKIF_SECTOR_SIZE];
    long rc = blkfront_open(disk, XVDA);
    if (rc < 0) {
        printf("no disk: %ld\n", rc);
        return 1;
    }
    printf("disk: xvda, %u sectors\n", disk->sectors);
    if ((rc = blkfront_read(disk, at, 1, sector)) < 0) {
        printf("cannot read sector %u: %ld\n", at, rc);
        return 1;
    }
    unsigned counter = 0;
    for (const char *p = sector; *p >= '0' && *p <= '9'; p++)
        counter = counter * 10 + (unsigned)(*p - '0');
    counter++;
    memset(sector, 0, sizeof(sector));
    format_snprintf(sector, sizeof(sector), "%u", counter);
    if (tracing)
        GUEST_BREAK();                          /* Bochs's trace starts here */
    rc = blkfront_write(disk, at, 1, sector);
    if (tracing)
        GUEST_BREAK();                          /* and stops here */
    if (rc < 0 || (rc = blkfront_flush(disk)) < 0) {
        printf("cannot write sector %u: %ld\n", at, rc);
        return 1;
    }
    printf("counter: %u\n", counter);
    return 0;
}

int main(void)
{
    static struct blkfront disk;
    traps_init();
    events_init();
    events_unmask();
    long rc = store_init();
    if (rc < 0) {
        printf("no store: %ld\n", rc);
        return 1;
    }
    unsigned at = option("sector", 0), rounds = option("hotplug", 0);
    char word[4];
    tracing = cmdline_option("trace", word, sizeof(word));
    if (!rounds)
        return count(&disk, at);
    for (unsigned round = 1; round <= rounds; round++) {
        printf("waiting for domain 0 to attach xvda\n");
        if ((rc = blkfront_wait_attach(XVDA)) < 0 || count(&disk, at) != 0)
            return 1;
        if ((rc = blkfront_wait_detach(&disk)) < 0 || (rc = blkfront_close(&disk)) < 0) {
            printf("cannot close: %ld\n", rc);
            return 1;
        }
        printf("xvda detached: our end closed (round %u of %u)\n", round, rounds);
    }
    return 0;
}
