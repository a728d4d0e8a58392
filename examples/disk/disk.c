/* disk.c - a domain that keeps a counter on its virtual disk: it reads sector 0 through blkfront
 * (the SDK's frontend, served by domain 0's blkback from a disk of the machine), adds one, writes
 * it back and flushes it (guest ring 1, SDK). Two boots in a row show it rising:
 *     tools/hvrun --disk my.img --input $'create d\nblock-attach 1 0 xvda\nunpause 1\nwait 1 30\nquit\n' \
 *         build/examples/dom0.elf build/examples/disk.elf=attach
 */
#include "sdk.h"

#define XVDA (XVD_MAJOR << 8)

int main(void)
{
    static struct blkfront disk;
    static char sector[BLKIF_SECTOR_SIZE];
    traps_init();
    events_init();
    events_unmask();
    long rc = store_init();
    if (rc == 0)
        rc = blkfront_open(&disk, XVDA);
    if (rc < 0) {
        printf("no disk: %ld\n", rc);
        return 1;
    }
    printf("disk: xvda, %u sectors\n", disk.sectors);
    if ((rc = blkfront_read(&disk, 0, 1, sector)) < 0) {
        printf("cannot read sector 0: %ld\n", rc);
        return 1;
    }
    unsigned counter = 0;
    for (const char *p = sector; *p >= '0' && *p <= '9'; p++)
        counter = counter * 10 + (unsigned)(*p - '0');
    counter++;
    memset(sector, 0, sizeof(sector));
    format_snprintf(sector, sizeof(sector), "%u", counter);
    if ((rc = blkfront_write(&disk, 0, 1, sector)) < 0 || (rc = blkfront_flush(&disk)) < 0) {
        printf("cannot write sector 0: %ld\n", rc);
        return 1;
    }
    printf("counter: %u\n", counter);
    return 0;
}
