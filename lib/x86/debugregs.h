/* debugregs.h - the x86 debug registers DR6 and DR7 (Intel SDM vol. 3B, 17.2). Pure definitions
 * for the monitor, guests and host tests alike.
 */
#ifndef LIB_X86_DEBUGREGS_H
#define LIB_X86_DEBUGREGS_H

/* DR6, the status: bits 0-3 say which breakpoint hit, 14 a single step; the rest of 4-15 and
 * 16-31 read as 1, bit 12 as 0. */
#define DR6_RESERVED_ONE  0xFFFF0FF0u
#define DR6_RESERVED_ZERO 0x00001000u
#define DR6_DEFAULT       DR6_RESERVED_ONE
#define DR6_BREAKPOINTS   0x0000000Fu   /* B0-B3: breakpoint n's condition was met */
#define DR6_BD            0x00002000u   /* a debug register access with DR7.GD */
#define DR6_BS            0x00004000u   /* a single step (EFLAGS.TF) */
#define DR6_BT            0x00008000u   /* a task switch to a TSS with its T flag */
#define DR6_STATUS        (DR6_BREAKPOINTS | DR6_BD | DR6_BS | DR6_BT)

/* DR7, the control: an enable pair (local, global) per breakpoint in bits 0-7, then from bit 16
 * four bits per breakpoint: R/W (00 execute, 01 write, 10 I/O, 11 read or write) and LEN (00 one
 * byte, 01 two, 11 four, 10 eight). Bit 10 reads as 1; 11, 12, 14 and 15 as 0; 13 is GD. */
#define DR7_ENABLE_MASK     0x000000FFu
#define DR7_GENERAL_DETECT  0x00002000u
#define DR7_RESERVED_ONE    0x00000400u
#define DR7_RESERVED_ZERO   0x0000D800u
#define DR7_DEFAULT         DR7_RESERVED_ONE
#define DR7_CONTROL_SHIFT   16
#define DR7_CONTROL_SIZE    4
#define DR7_RW_EXECUTE      0x0         /* a field's bits 0-1 */
#define DR7_RW_IO           0x2
#define DR7_LEN_MASK        0xC         /* a field's bits 2-3 */
#define DR7_LEN_1           0x0
#define DR7_LEN_2           0x4
#define DR7_LEN_8           0x8
#define DR7_LEN_4           0xC
#define DR7_ENABLE_SIZE     2           /* the L and G bits of breakpoint n: 3 << (n * 2) */

#endif
