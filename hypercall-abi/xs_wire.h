/* xs_wire.h - the xenstore wire protocol: messages between a guest and the store, over a shared
 * ring page (start_info.store_mfn) and an event channel (start_info.store_evtchn).
 * The facts of xen/include/public/io/xs_wire.h; the store itself runs in domain 0 (examples/dom0).
 */
#ifndef HV_ABI_XS_WIRE_H
#define HV_ABI_XS_WIRE_H
#include "types.h"

/* Message types (enum xsd_sockmsg_type). */
#define XS_CONTROL               0
#define XS_DEBUG                 XS_CONTROL   /* its name before Xen 4.9 */
#define XS_DIRECTORY             1
#define XS_READ                  2
#define XS_GET_PERMS             3
#define XS_WATCH                 4
#define XS_UNWATCH               5
#define XS_TRANSACTION_START     6
#define XS_TRANSACTION_END       7
#define XS_INTRODUCE             8
#define XS_RELEASE               9
#define XS_GET_DOMAIN_PATH      10
#define XS_WRITE                11
#define XS_MKDIR                12
#define XS_RM                   13
#define XS_SET_PERMS            14
#define XS_WATCH_EVENT          15
#define XS_ERROR                16
#define XS_IS_DOMAIN_INTRODUCED 17
#define XS_RESUME               18
#define XS_SET_TARGET           19
#define XS_RESET_WATCHES        21
#define XS_DIRECTORY_PART       22

/* Errors travel as the errno's name, a string ("ENOENT"), in an XS_ERROR reply. */

#ifndef __ASSEMBLER__
/* Every message: this header, then `len` bytes of payload, generally NUL-terminated strings.
 * READ path -> value (no NUL);  WRITE path NUL value -> "OK";  DIRECTORY path -> names, each NUL-
 * ended;  RM path -> "OK";  WATCH path NUL token NUL -> "OK", then WATCH_EVENT path NUL token NUL
 * whenever the path or a node below it changes (and once at once). */
struct xsd_sockmsg {
    uint32_t type;      /* XS_* */
    uint32_t req_id;    /* echoed in the reply */
    uint32_t tx_id;     /* transaction, 0 for none */
    uint32_t len;       /* payload bytes after this header */
};
ABI_SIZE(struct xsd_sockmsg, 16);

#define XS_WATCH_PATH  0
#define XS_WATCH_TOKEN 1

#define XENSTORE_PAYLOAD_MAX   4096
#define XENSTORE_ABS_PATH_MAX  3072
#define XENSTORE_REL_PATH_MAX  2048

/* The ring page: requests from the guest, replies and watch events to it. Indices run free;
 * a byte's place is MASK_XENSTORE_IDX(index). */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];
    char rsp[XENSTORE_RING_SIZE];
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features;   /* XENSTORE_SERVER_FEATURE_*, set by the store */
    uint32_t connection;
    uint32_t error;             /* XENSTORE_ERROR_*: why the store stopped talking to us */
};
ABI_OFFSET(struct xenstore_domain_interface, rsp, 1024);
ABI_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
ABI_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);
ABI_OFFSET(struct xenstore_domain_interface, server_features, 2064);

#endif

/* What the store offers (docs/misc/xenstore-ring.txt): ours sets only the error field. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_SERVER_FEATURE_ERROR        2

#define XENSTORE_CONNECTED 0

/* The error field: the store stopped serving this ring, and why (read it only if the store
 * advertises XENSTORE_SERVER_FEATURE_ERROR). */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1   /* the event channel does not work */
#define XENSTORE_ERROR_RINGIDX 2   /* a producer or consumer index out of range */
#define XENSTORE_ERROR_PROTO   3   /* a message longer than XENSTORE_PAYLOAD_MAX */

#endif
