/* control_regs.h - the CR0 and CR4 bits the monitor sets or tests (Intel SDM vol. 3A, 2.5).
 * Pure definitions for C and for the C preprocessor in .S files.
 */
#ifndef LIB_X86_CONTROL_REGS_H
#define LIB_X86_CONTROL_REGS_H

#define CR0_PE 0x00000001   /* protected mode */
#define CR0_MP 0x00000002   /* wait/fwait honour TS */
#define CR0_EM 0x00000004   /* no x87: every FPU instruction raises #NM */
#define CR0_TS 0x00000008   /* task switched: the next FPU instruction raises #NM */
#define CR0_NE 0x00000020   /* x87 errors as #MF, not the PIC's IRQ 13 */
#define CR0_WP 0x00010000   /* read-only pages bind ring 0-2 too */
#define CR0_PG 0x80000000   /* paging */

#define CR4_DE  0x00000008   /* debugging extensions: I/O breakpoints; DR4/DR5 no longer alias DR6/DR7 */
#define CR4_PAE 0x00000020
#define CR4_MCE 0x00000040   /* machine-check exceptions */
#define CR4_PGE 0x00000080   /* global pages survive a CR3 load */
#define CR4_OSFXSR     0x00000200   /* fxsave/fxrstor save SSE state; SSE instructions allowed */
#define CR4_OSXMMEXCPT 0x00000400   /* unmasked SIMD errors raise #XM */

#endif
