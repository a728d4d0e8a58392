/* blkback.h - domain 0's block backend (blkback.c): its disks served to frontends. */
#ifndef DOM0_BLKBACK_H
#define DOM0_BLKBACK_H
#include "ata.h"
#include "sdk.h"

/* block-attach: the machine's disk as virtual device vdev of domain front. 0, or -1. */
int blkback_attach(domid_t front, const struct ata_disk *disk, unsigned vdev);
/* A frontend's next step or its requests: called from domain 0's loop. */
void blkback_poll(void);
/* A frontend kicked its channel since the last poll. */
int blkback_kicked(void);
void blkback_list(void);

#endif
