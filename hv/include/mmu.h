/* mmu.h - the x86 paging, segmentation, control-register and EFLAGS facts the monitor uses. Each
 * fact has one home in lib/x86/, shared with the guest SDK and the host tests; this header only
 * gathers them for the monitor's files.
 */
#ifndef HV_MMU_H
#define HV_MMU_H
#include "x86/control_regs.h"
#include "x86/descriptors.h"
#include "x86/eflags.h"
#include "x86/paging.h"

#endif
