/* descriptor.h - checking segment descriptors a guest puts in its GDT or LDT (Xen's rules for a
 * 32-bit PV guest). Pure code, host-tested (tests/host/test_descriptor.c).
 */
#ifndef HV_DESCRIPTOR_H
#define HV_DESCRIPTOR_H
#include <stdint.h>

/* The highest address a guest segment may reach, plus one: the end of the read-only M2P. */
#define GUEST_SEGMENT_MAX_ADDR 0xF6800000u

/* Check one descriptor, fixing it up in place as Xen does: DPL 0 becomes 1, a page-granular limit
 * that would reach the monitor is truncated, a call gate's target selector gets RPL 1.
 * Returns 0 if the (fixed) descriptor is safe, -1 if it must be refused. */
int check_descriptor(uint64_t *d);

/* Check a whole GDT or LDT page (512 descriptors); -1 at the first bad one. */
int check_descriptor_page(uint64_t *page);

#endif
