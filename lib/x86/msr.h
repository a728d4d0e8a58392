/* msr.h - the model-specific registers the monitor writes or a guest may read here (Intel SDM
 * vol. 4, table 2-2). Pure definitions.
 */
#ifndef LIB_X86_MSR_H
#define LIB_X86_MSR_H

#define MSR_IA32_TSC      0x010   /* the time-stamp counter, as rdtsc reads it */
#define MSR_SYSENTER_CS   0x174   /* sysenter's ring-0 code selector (SS is CS + 8) */
#define MSR_SYSENTER_ESP  0x175
#define MSR_SYSENTER_EIP  0x176
#define MSR_DEBUGCTL      0x1D9   /* last-branch recording and branch single-step (BTF) */

#endif
