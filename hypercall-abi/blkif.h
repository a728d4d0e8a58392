/* blkif.h - Xen's block device protocol between a frontend and its backend (xen/include/public/
 * io/blkif.h, io/ring.h, io/xenbus.h): the shared ring, its requests and responses, and the
 * xenbus states both ends write in the store. The x86_32 layout ("x86_32-abi").
 */
#ifndef HV_ABI_BLKIF_H
#define HV_ABI_BLKIF_H
#include "types.h"
#include "grant_table.h"

/* xenbus states (io/xenbus.h): each end's `state` key. */
#define XenbusStateUnknown      0
#define XenbusStateInitialising 1
#define XenbusStateInitWait     2   /* the backend: ready for the frontend's ring */
#define XenbusStateInitialised  3   /* the frontend: its ring-ref and event-channel are written */
#define XenbusStateConnected    4
#define XenbusStateClosing      5
#define XenbusStateClosed       6

#define XEN_IO_PROTO_ABI_X86_32 "x86_32-abi"

#define BLKIF_OP_READ            0
#define BLKIF_OP_WRITE           1
#define BLKIF_OP_WRITE_BARRIER   2
#define BLKIF_OP_FLUSH_DISKCACHE 3

#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR      (-1)
#define BLKIF_RSP_OKAY         0

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_SECTOR_SIZE 512           /* the protocol's unit, whatever the disk's */

/* The virtual device numbers of xvdX (Linux's major 202: (202 << 8) | (X << 4)). */
#define XVD_MAJOR 202

#ifndef __ASSEMBLER__
typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;
typedef uint32_t RING_IDX;

/* A segment: sectors first_sect..last_sect (0-7) of the page granted as gref. */
struct blkif_request_segment {
    grant_ref_t gref;
    uint8_t first_sect, last_sect;
};
ABI_SIZE(struct blkif_request_segment, 8);

struct blkif_request {
    uint8_t operation;             /* BLKIF_OP_* */
    uint8_t nr_segments;
    blkif_vdev_t handle;
    uint64_t id;                   /* the frontend's, echoed in the response */
    blkif_sector_t sector_number;  /* where the first segment starts */
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
ABI_SIZE(struct blkif_request, 108);
ABI_OFFSET(struct blkif_request, id, 4);
ABI_OFFSET(struct blkif_request, seg, 20);

struct blkif_response {
    uint64_t id;
    uint8_t operation;
    int16_t status;                /* BLKIF_RSP_* */
};
ABI_SIZE(struct blkif_response, 12);

/* The shared ring page (io/ring.h's DEFINE_RING_TYPES): producer and event indexes, then as many
 * entries as a power of two fits in the rest of the page (32). The frontend produces requests and
 * consumes responses; the backend the other way round. An index only grows; entry i lives at
 * i % BLKIF_RING_SIZE. A side wants a notification when the other's producer passes its event. */
union blkif_sring_entry {
    struct blkif_request req;
    struct blkif_response rsp;
};

#define BLKIF_RING_SIZE 32
struct blkif_sring {
    RING_IDX req_prod, req_event;
    RING_IDX rsp_prod, rsp_event;
    uint8_t pad[48];
    union blkif_sring_entry ring[BLKIF_RING_SIZE];
};
ABI_OFFSET(struct blkif_sring, ring, 64);
_Static_assert(sizeof(struct blkif_sring) <= 4096 && 64 + 2 * BLKIF_RING_SIZE * sizeof(union blkif_sring_entry) > 4096,
               "BLKIF_RING_SIZE: the largest power of two that fits in a page");
#endif

#endif
