/* ata.c - domain 0's ATA PIO driver for the legacy IDE controller (guest ring 1, domain 0).
 *
 * Each `in` and `out` here traps to the monitor, which checks domain 0's virtual IOPL and that the
 * port is not one of the monitor's own, then does it on the machine (hv/ioemul.c): a PV driver
 * runs unchanged, at the price of a crossing per port access. The driver polls the status
 * register; commands are LBA28 (ATA-6: READ SECTORS 0x20, WRITE SECTORS 0x30, FLUSH CACHE 0xE7,
 * IDENTIFY DEVICE 0xEC), one sector of 256 words at a time. Once ata_use_interrupt has bound a
 * channel's line to an event channel, each command waits for the device's interrupt in
 * SCHEDOP_poll instead of reading the status register over and over: the vCPU sleeps, and the
 * monitor wakes it when the line fires.
 */
#include "ata.h"
#include "sdk.h"

/* Command block registers, offsets from the channel's base (ATA-6, 7.1). */
#define REG_DATA     0
#define REG_ERROR    1
#define REG_COUNT    2
#define REG_LBA_LOW  3
#define REG_LBA_MID  4
#define REG_LBA_HIGH 5
#define REG_DEVICE   6
#define REG_STATUS   7          /* reading it also acknowledges the interrupt */
#define REG_COMMAND  7

#define STATUS_ERR  0x01
#define STATUS_DRQ  0x08
#define STATUS_DF   0x20
#define STATUS_BSY  0x80
#define DEVICE_LBA  0xE0        /* LBA addressing; bits 5 and 7 are set by convention */
#define CONTROL_NIEN 0x02       /* no interrupts: the driver polls */

#define CMD_READ_SECTORS  0x20
#define CMD_WRITE_SECTORS 0x30
#define CMD_FLUSH_CACHE   0xE7
#define CMD_IDENTIFY      0xEC

#define POLL_LIMIT 100000       /* each poll is a crossing: a present device answers long before */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* A sector's 256 words by `rep insw` / `rep outsw`: one trap into the monitor for the whole
 * sector instead of one per word (the monitor emulates the string forms, hv/emulate.c). */
static inline void insw_sector(uint16_t port, uint16_t *words)
{
    uint32_t count = ATA_SECTOR_SIZE / 2;
    __asm__ volatile("cld; rep insw" : "+D"(words), "+c"(count) : "d"(port) : "memory");
}
static inline void outsw_sector(uint16_t port, const uint16_t *words)
{
    uint32_t count = ATA_SECTOR_SIZE / 2;
    __asm__ volatile("cld; rep outsw" : "+S"(words), "+c"(count) : "d"(port) : "memory");
}

static const struct { uint16_t base, control; uint32_t irq; } channels[2] = {
    { 0x1F0, 0x3F6, 14 }, { 0x170, 0x376, 15 },
};
static evtchn_port_t irq_port[2];   /* the event channel of each channel's line, or 0 */
static unsigned irq_count[2];

#define IRQ_TIMEOUT_NS 100000000ull   /* then the status register is read anyway */

/* Wait for the channel's interrupt, if it has one: the event is polled for with the port masked
 * (so the upcall leaves it to us), cleared, and the line's EOI told to the monitor once the
 * caller has read the status (which acknowledges the device). */
static void await_interrupt(const struct ata_disk *d)
{
    evtchn_port_t port = irq_port[d->channel];
    if (!port)
        return;
    evtchn_port_t ports[1] = { port };
    struct sched_poll p = { .ports = ports, .nr_ports = 1, .timeout = clock_ns() + IRQ_TIMEOUT_NS };
    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    uint32_t *pending = (uint32_t *)&shared_info->evtchn_pending[port / 32];
    if (__atomic_fetch_and(pending, ~(1u << (port % 32)), __ATOMIC_SEQ_CST) & (1u << (port % 32)))
        irq_count[d->channel]++;
    struct physdev_eoi eoi = { channels[d->channel].irq };
    HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi);
}

int ata_use_interrupt(unsigned channel)
{
    struct physdev_map_pirq map = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI,
                                    .index = (int32_t)channels[channel].irq, .pirq = -1 };
    if (HYPERVISOR_physdev_op(PHYSDEVOP_map_pirq, &map) < 0)
        return -1;
    struct evtchn_bind_pirq bind = { .pirq = (uint32_t)map.pirq };
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bind) < 0)
        return -1;
    __atomic_fetch_or((uint32_t *)&shared_info->evtchn_mask[bind.port / 32], 1u << (bind.port % 32), __ATOMIC_SEQ_CST);
    irq_port[channel] = bind.port;
    outb(channels[channel].control, 0);           /* nIEN clear: the devices interrupt */
    return 0;
}

unsigned ata_interrupts(unsigned channel)
{
    return irq_count[channel];
}

/* The device's status once it is no longer busy, or 0xFF when it never gets there. */
static uint8_t wait_not_busy(const struct ata_disk *d)
{
    for (int i = 0; i < POLL_LIMIT; i++) {
        uint8_t status = inb(d->base + REG_STATUS);
        if (!(status & STATUS_BSY))
            return status;
    }
    return 0xFF;
}

/* Not busy, and data to move (DRQ): 0; an error: -1. */
static int wait_data(const struct ata_disk *d)
{
    uint8_t status = wait_not_busy(d);
    for (int i = 0; i < POLL_LIMIT && !(status & (STATUS_DRQ | STATUS_ERR | STATUS_DF)); i++)
        status = inb(d->base + REG_STATUS);
    return (status & (STATUS_ERR | STATUS_DF)) || !(status & STATUS_DRQ) ? -1 : 0;
}

/* Select the device (and LBA bits 24-27), then the 400 ns the device needs: four reads of the
 * alternate status. */
static void select(const struct ata_disk *d, uint32_t lba)
{
    outb(d->base + REG_DEVICE, (uint8_t)(DEVICE_LBA | d->slave << 4 | ((lba >> 24) & 0xF)));
    for (int i = 0; i < 4; i++)
        inb(d->control);
}

static void command(const struct ata_disk *d, uint32_t lba, uint32_t count, uint8_t cmd)
{
    wait_not_busy(d);
    select(d, lba);
    outb(d->base + REG_COUNT, (uint8_t)count);        /* 256 is written as 0 */
    outb(d->base + REG_LBA_LOW, (uint8_t)lba);
    outb(d->base + REG_LBA_MID, (uint8_t)(lba >> 8));
    outb(d->base + REG_LBA_HIGH, (uint8_t)(lba >> 16));
    outb(d->base + REG_COMMAND, cmd);
}

/* IDENTIFY DEVICE: 0 and its capacity and model for an ATA disk; -1 for nothing there, or for a
 * packet device, whose signature in LBA mid and high answers instead (a CD-ROM). */
static int identify(struct ata_disk *d)
{
    uint16_t id[256];
    select(d, 0);
    if (inb(d->base + REG_STATUS) == 0xFF)
        return -1;                                     /* a floating bus: no controller */
    outb(d->control, CONTROL_NIEN);
    command(d, 0, 0, CMD_IDENTIFY);
    if (inb(d->base + REG_STATUS) == 0 || wait_not_busy(d) == 0xFF)
        return -1;                                     /* no device */
    if (inb(d->base + REG_LBA_MID) || inb(d->base + REG_LBA_HIGH) || wait_data(d) < 0)
        return -1;                                     /* not an ATA disk */
    for (int i = 0; i < 256; i++)
        id[i] = inw(d->base + REG_DATA);
    d->sectors = id[60] | (uint32_t)id[61] << 16;
    for (int i = 0; i < 20; i++) {                     /* words 27-46, two characters each, swapped */
        d->model[2 * i] = (char)(id[27 + i] >> 8);
        d->model[2 * i + 1] = (char)id[27 + i];
    }
    d->model[40] = 0;
    for (int i = 39; i >= 0 && d->model[i] == ' '; i--)
        d->model[i] = 0;
    return d->sectors ? 0 : -1;
}

unsigned ata_probe(struct ata_disk disks[ATA_MAX_DISKS])
{
    unsigned n = 0;
    for (unsigned c = 0; c < 2; c++)
        for (uint8_t slave = 0; slave < 2; slave++) {
            struct ata_disk d = { .channel = (uint8_t)c, .base = channels[c].base, .control = channels[c].control,
                                  .slave = slave };
            if (identify(&d) == 0)
                disks[n++] = d;
        }
    return n;
}

static int in_range(const struct ata_disk *d, uint32_t lba, uint32_t count)
{
    return count >= 1 && count <= 256 && lba < d->sectors && count <= d->sectors - lba;
}

int ata_read(const struct ata_disk *d, uint32_t lba, uint32_t count, void *buf)
{
    uint16_t *words = buf;
    if (!in_range(d, lba, count))
        return -1;
    command(d, lba, count, CMD_READ_SECTORS);
    for (uint32_t s = 0; s < count; s++) {
        await_interrupt(d);                            /* a sector is ready */
        if (wait_data(d) < 0)
            return -1;
        insw_sector(d->base + REG_DATA, words);
        words += ATA_SECTOR_SIZE / 2;
    }
    return 0;
}

int ata_write(const struct ata_disk *d, uint32_t lba, uint32_t count, const void *buf)
{
    const uint16_t *words = buf;
    if (!in_range(d, lba, count))
        return -1;
    command(d, lba, count, CMD_WRITE_SECTORS);
    for (uint32_t s = 0; s < count; s++) {
        if (wait_data(d) < 0)
            return -1;
        outsw_sector(d->base + REG_DATA, words);
        words += ATA_SECTOR_SIZE / 2;
        await_interrupt(d);                            /* the sector is written */
    }
    return (wait_not_busy(d) & (STATUS_ERR | STATUS_DF)) ? -1 : 0;
}

int ata_flush(const struct ata_disk *d)
{
    command(d, 0, 0, CMD_FLUSH_CACHE);
    await_interrupt(d);
    return (wait_not_busy(d) & (STATUS_ERR | STATUS_DF)) ? -1 : 0;
}
