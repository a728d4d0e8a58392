/* ata.h - domain 0's driver for the machine's ATA disks on the legacy IDE controller, by PIO
 * (guest ring 1, domain 0). Xen leaves device drivers to domain 0; this is the one it has.
 */
#ifndef DOM0_ATA_H
#define DOM0_ATA_H
#include <stdint.h>

#define ATA_SECTOR_SIZE 512
#define ATA_MAX_DISKS   4       /* primary and secondary channel, master and slave */

struct ata_disk {
    uint8_t channel;            /* 0 primary (IRQ 14), 1 secondary (IRQ 15) */
    uint16_t base, control;     /* the channel's command block and control block ports */
    uint8_t slave;
    uint32_t sectors;           /* LBA28 capacity */
    char model[41];
};

/* Find the disks (ATAPI devices, a CD-ROM say, are not disks): how many, into disks[]. */
unsigned ata_probe(struct ata_disk disks[ATA_MAX_DISKS]);
/* Read or write `count` sectors (1 to 256) from `lba`: 0, or -1 when the disk reports an error
 * or the request runs past its end. */
int ata_read(const struct ata_disk *d, uint32_t lba, uint32_t count, void *buf);
int ata_write(const struct ata_disk *d, uint32_t lba, uint32_t count, const void *buf);
/* FLUSH CACHE: what was written is on the medium (the host's file). */
int ata_flush(const struct ata_disk *d);
/* From now on a channel's commands wait for its interrupt, line 14 or 15, which domain 0 takes
 * from the monitor as a physical IRQ on an event channel: 0, or -1 when the monitor refuses. */
int ata_use_interrupt(unsigned channel);
/* Interrupts taken so far on a channel. */
unsigned ata_interrupts(unsigned channel);

#endif
