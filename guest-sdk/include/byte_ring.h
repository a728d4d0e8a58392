/* byte_ring.h - one direction of a byte ring in a page shared with a peer: the store's request and
 * reply rings, a domU's console ring (guest ring 1; also built on the host for its unit test).
 *
 * The rule, for every reader and every writer: the indexes live in shared memory, where the peer
 * can write any value into either of them. Each access reads both once, before the bytes they
 * cover, and uses them only if they describe at most one ring's worth (prod - cons <= size, in
 * unsigned 32-bit arithmetic, since the indexes run free and wrap); otherwise it moves nothing and
 * answers -XEN_EIO, and its caller decides what a corrupt ring means. Xen's xenstored does the
 * same on every access (check_indexes, EIO, the connection ignored), and so does Linux's Xen
 * console driver on its side (hvc_xen). A ring of fixed-size slots (Xen's io/ring.h, the block
 * rings to come) follows the same rule with RING_SIZE in place of the byte count
 * (RING_REQUEST_PROD_OVERFLOW, RING_RESPONSE_PROD_OVERFLOW).
 */
#ifndef SDK_BYTE_RING_H
#define SDK_BYTE_RING_H
#include <stdint.h>

struct byte_ring {
    volatile char *buf;
    uint32_t size;                     /* bytes in buf: a power of two */
    volatile uint32_t *cons, *prod;    /* in the shared page */
    uint32_t seen_cons, seen_prod;     /* as the last access read them, for the caller's message */
};

/* The bytes waiting in the ring, or -XEN_EIO if its indexes are corrupt. */
long byte_ring_used(struct byte_ring *r);
/* Append up to len bytes (as many as there is room for): how many, or -XEN_EIO. */
long byte_ring_put(struct byte_ring *r, const void *data, uint32_t len);
/* Take up to len bytes (as many as are there): how many, or -XEN_EIO. */
long byte_ring_get(struct byte_ring *r, void *data, uint32_t len);

#endif
