/* blkback.h - domain 0's block backend (blkback.c): its disks served to frontends. */
#ifndef DOM0_BLKBACK_H
#define DOM0_BLKBACK_H
#include "ata.h"
#include "sdk.h"

/* block-attach: the machine's disk (domain 0's disk `number`) as virtual device vdev of domain
 * front. 0, or -1. */
int blkback_attach(domid_t front, const struct ata_disk *disk, unsigned number, unsigned vdev);
/* block-detach, as xl's: a vbd whose frontend holds nothing of ours goes at once (1); a
 * connected one is asked to close (its backend state Closing, 0) and goes when its frontend says
 * Closed (blkback_poll). -1: there is no such vbd. */
int blkback_detach(domid_t front, unsigned vdev);
int blkback_present(domid_t front, unsigned vdev);
/* The vbd goes now, whatever its frontend says: what a frontend that never closes gets. */
void blkback_force_detach(domid_t front, unsigned vdev);
/* A domain's vbds for `list`: "xvda=disk0,xvdb=disk1" (its device = domain 0's disk), or "". */
void blkback_list_domain(domid_t front, char *text, size_t size);
/* A frontend's next step or its requests: called from domain 0's loop. */
void blkback_poll(void);
/* Domain 0 heard that a domain ended (VIRQ_DOM_EXC): the next poll looks at every frontend. */
void blkback_domain_ended(void);
/* A frontend kicked its channel since the last poll. */
int blkback_kicked(void);
void blkback_list(void);

#endif
