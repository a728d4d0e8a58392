/* regs-offsets.h - where entry.S finds the fields of struct regs (sdk.h) it reads; traps.c checks
 * these against the structure at compile time (guest ring 1). */
#ifndef SDK_REGS_OFFSETS_H
#define SDK_REGS_OFFSETS_H

#define SDK_REGS_CS     60
#define SDK_REGS_EFLAGS 64

#endif
