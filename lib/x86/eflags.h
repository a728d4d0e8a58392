/* eflags.h - the EFLAGS bits the monitor and its guests read or set (Intel SDM vol. 1, 3.4.3).
 * Pure definitions for C and for the C preprocessor in .S files.
 */
#ifndef LIB_X86_EFLAGS_H
#define LIB_X86_EFLAGS_H

#define EFLAGS_RESERVED 0x00000002   /* bit 1 always reads as 1 */
#define EFLAGS_TF   0x00000100       /* single-step: #DB after the next instruction */
#define EFLAGS_IF   0x00000200       /* maskable interrupts enabled */
#define EFLAGS_DF   0x00000400       /* string instructions count down */
#define EFLAGS_IOPL 0x00003000       /* two bits: the lowest privilege allowed port I/O and cli */
#define EFLAGS_IOPL_SHIFT 12
#define EFLAGS_NT   0x00004000       /* nested task: iret switches tasks */
#define EFLAGS_RF   0x00010000       /* resume: no instruction-breakpoint #DB */
#define EFLAGS_VM   0x00020000       /* virtual-8086 mode */

#endif
