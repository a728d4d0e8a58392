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
#define DR7_RW_IO           0x2
#define DR7_LEN_8           0x8         /* in the field's bits 2-3 */

#endif
