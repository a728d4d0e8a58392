/* byte_ring.c - the checked reader and writer of a shared byte ring (guest ring 1: the store, its
 * clients and the console; also built on the host for tests/host/test_byte_ring.c). The rule they
 * keep is in byte_ring.h: both indexes read once, checked on every access, never trusted beyond
 * one ring's worth.
 */
#include "byte_ring.h"
#include "errno.h"

/* Read both indexes once, before the bytes they cover, and say whether they are sane. x86 keeps
 * loads in order; the barrier keeps the compiler from reading the bytes first, or an index twice. */
static int snapshot(struct byte_ring *r)
{
    r->seen_cons = *r->cons;
    r->seen_prod = *r->prod;
    __sync_synchronize();
    return r->seen_prod - r->seen_cons <= r->size;
}

long byte_ring_used(struct byte_ring *r)
{
    return snapshot(r) ? (long)(r->seen_prod - r->seen_cons) : -XEN_EIO;
}

long byte_ring_put(struct byte_ring *r, const void *data, uint32_t len)
{
    if (!snapshot(r))
        return -XEN_EIO;
    uint32_t room = r->size - (r->seen_prod - r->seen_cons), n = len < room ? len : room;
    for (uint32_t i = 0; i < n; i++)
        r->buf[(r->seen_prod + i) & (r->size - 1)] = ((const char *)data)[i];
    __sync_synchronize();                     /* the bytes are there before the index says so */
    *r->prod = r->seen_prod + n;              /* from what we checked, not from a second read */
    return n;
}

long byte_ring_get(struct byte_ring *r, void *data, uint32_t len)
{
    if (!snapshot(r))
        return -XEN_EIO;
    uint32_t avail = r->seen_prod - r->seen_cons, n = len < avail ? len : avail;
    for (uint32_t i = 0; i < n; i++)
        ((char *)data)[i] = r->buf[(r->seen_cons + i) & (r->size - 1)];
    __sync_synchronize();                     /* the bytes are taken before their room is given back */
    *r->cons = r->seen_cons + n;
    return n;
}
