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

/* ---- selectors a guest names for its gates, callbacks and kernel stack -------------------------
 * The guest kernel's ring is 1, so a selector with RPL 0 is given RPL 1 (Xen's
 * fixup_guest_code_selector and fixup_guest_stack_selector); nothing else is changed. */
#define GUEST_KERNEL_RPL 1
#define SELECTOR_RPL(sel) ((sel) & 3u)
#define SELECTOR_TI       4u                       /* the selector indexes the LDT */
#define SELECTOR_INDEX(sel) ((sel) >> 3)
uint32_t fixup_guest_selector(uint32_t sel);

/* Xen's guest_gate_selector_okay: a selector that may go into a gate the CPU uses without the
 * monitor (the direct `int $0x80` gate, a call gate), where the RPL is not checked: one of the
 * guest's own GDT or LDT entries, or exactly FLAT_RING1_CS; never another of the monitor's. */
int guest_gate_selector_ok(uint32_t sel);

/* The stack the monitor writes a bounce frame on, and the CPU then runs the guest kernel on: a
 * selector of RPL 1, not null, among the guest's own entries or FLAT_RING1_SS (the selector
 * rule), naming a present, writable, expand-up data segment of DPL 1 (the descriptor rule: what
 * the CPU requires of SS when an iret returns to ring 1, SDM vol. 2A IRET, checked here before
 * anything is written). */
int guest_stack_selector_ok(uint32_t sel);
int descriptor_is_ring1_stack(uint64_t d);

/* A code or data descriptor's base, and its limit in bytes (4 KiB units scaled when G is set). */
uint32_t descriptor_base(uint64_t d);
uint32_t descriptor_limit(uint64_t d);

#endif
