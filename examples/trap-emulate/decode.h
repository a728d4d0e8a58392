/* decode.h - how long an x86 instruction is, where it may go next, and whether it is one of the
 * sensitive ones (lesson 3's rewriter, docs/LESSONS.md): pure code over bytes, the same in the
 * guest (ring 1) and in the host tests (tests/host/test_x86_decode.c).
 *
 * It decodes 32-bit protected-mode code as a compiler and a hand-written kernel emit it: the
 * one-byte opcodes and the usual two-byte ones (Intel SDM vol. 2, appendix A), prefixes, ModRM,
 * SIB, displacements and immediates. What it does not know it says so (length 0) and never guesses.
 */
#ifndef TRAP_EMULATE_DECODE_H
#define TRAP_EMULATE_DECODE_H
#include <stdint.h>

/* Where control goes after the instruction. */
enum flow {
    FLOW_NEXT,              /* the next instruction */
    FLOW_BRANCH,            /* the next, or the relative target (jcc, loop, jecxz) */
    FLOW_JUMP,              /* the relative target only (jmp) */
    FLOW_CALL,              /* the relative target, then back to the next (call) */
    FLOW_INDIRECT_JUMP,     /* somewhere a register or memory names (jmp *): unknown */
    FLOW_INDIRECT_CALL,     /* the same, then back to the next (call *) */
    FLOW_END,               /* nowhere the code says (ret, iret, far transfers, ud2) */
};

/* Robin and Irvine's two lists (lesson 1), and the privileged instructions, which trap in ring 1. */
enum sensitivity {
    NOT_SENSITIVE,
    SENSITIVE_SILENT,       /* sensitive but not privileged: runs in ring 1, answering differently */
    PRIVILEGED,             /* traps in ring 1 (#GP): a trap-and-emulate monitor sees it */
};

struct insn {
    uint8_t length;                 /* 0: not decoded */
    uint8_t opcode;                 /* the opcode byte (the second one, after 0x0f, if two_byte) */
    uint8_t two_byte;
    uint8_t modrm;                  /* when has_modrm */
    uint8_t has_modrm;
    enum flow flow;
    int32_t displacement;           /* a relative branch's, from the next instruction */
    enum sensitivity sensitivity;
    const char *mnemonic;           /* of a sensitive or privileged one, else NULL */
};

/* Decode the instruction at code (at most `available` bytes may be read). Returns its length, 0
 * when the bytes are not an instruction this decoder knows or run past `available`. */
unsigned x86_decode(const uint8_t *code, unsigned available, struct insn *out);

#endif
