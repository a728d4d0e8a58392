/* types.h - the basic types of Xen's ABI as a 32-bit guest sees them (xen/include/public/xen.h,
 * arch-x86/xen-x86_32.h). Every other header of hypercall-abi/ includes this one.
 */
#ifndef HV_ABI_TYPES_H
#define HV_ABI_TYPES_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "abi-check.h"

typedef uint32_t xen_ulong_t;
typedef uint32_t xen_pfn_t;
typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t;
typedef uint8_t  xen_domain_handle_t[16];
/* A guest handle: in the 32-bit ABI, a plain pointer into the guest's address space. */
#define XEN_GUEST_HANDLE(type) type *
#endif

#endif
