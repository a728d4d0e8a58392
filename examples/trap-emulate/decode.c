/* decode.c - the length, flow and sensitivity of one x86 instruction (decode.h): pure code, in the
 * guest's rewriter (ring 1) and the host tests. Intel SDM vol. 2: 2.1 (instruction format), 2.1.5
 * and table 2-2 (ModRM and SIB), appendix A (the opcode maps).
 */
#include "decode.h"
#include <stddef.h>

/* What follows an opcode byte. */
enum {
    BAD   = 0,              /* not an opcode this decoder knows */
    NONE  = 1 << 0,         /* nothing: the opcode is the instruction */
    MODRM = 1 << 1,         /* a ModRM byte (and SIB and displacement as it says) */
    IMM8  = 1 << 2,
    IMMZ  = 1 << 3,         /* 4 bytes, 2 with the operand-size prefix */
    IMM16 = 1 << 4,
    MOFFS = 1 << 5,         /* a 4-byte address (mov to or from a fixed address) */
    FAR   = 1 << 6,         /* a far pointer: a 4-byte offset, 2 with the prefix, then a selector */
    GROUP3 = 1 << 7,        /* f6/f7: test (reg 0 and 1) has an immediate, the rest none */
};

static const uint8_t one_byte[256] = {
    [0x00 ... 0x03] = MODRM, [0x04] = IMM8, [0x05] = IMMZ, [0x06 ... 0x07] = NONE,
    [0x08 ... 0x0b] = MODRM, [0x0c] = IMM8, [0x0d] = IMMZ, [0x0e] = NONE,
    [0x10 ... 0x13] = MODRM, [0x14] = IMM8, [0x15] = IMMZ, [0x16 ... 0x17] = NONE,
    [0x18 ... 0x1b] = MODRM, [0x1c] = IMM8, [0x1d] = IMMZ, [0x1e ... 0x1f] = NONE,
    [0x20 ... 0x23] = MODRM, [0x24] = IMM8, [0x25] = IMMZ, [0x27] = NONE,
    [0x28 ... 0x2b] = MODRM, [0x2c] = IMM8, [0x2d] = IMMZ, [0x2f] = NONE,
    [0x30 ... 0x33] = MODRM, [0x34] = IMM8, [0x35] = IMMZ, [0x37] = NONE,
    [0x38 ... 0x3b] = MODRM, [0x3c] = IMM8, [0x3d] = IMMZ, [0x3f] = NONE,
    [0x40 ... 0x61] = NONE, [0x62 ... 0x63] = MODRM,
    [0x68] = IMMZ, [0x69] = MODRM | IMMZ, [0x6a] = IMM8, [0x6b] = MODRM | IMM8, [0x6c ... 0x6f] = NONE,
    [0x70 ... 0x7f] = IMM8,
    [0x80] = MODRM | IMM8, [0x81] = MODRM | IMMZ, [0x82 ... 0x83] = MODRM | IMM8, [0x84 ... 0x8f] = MODRM,
    [0x90 ... 0x99] = NONE, [0x9a] = FAR, [0x9b ... 0x9f] = NONE,
    [0xa0 ... 0xa3] = MOFFS, [0xa4 ... 0xa7] = NONE, [0xa8] = IMM8, [0xa9] = IMMZ, [0xaa ... 0xaf] = NONE,
    [0xb0 ... 0xb7] = IMM8, [0xb8 ... 0xbf] = IMMZ,
    [0xc0 ... 0xc1] = MODRM | IMM8, [0xc2] = IMM16, [0xc3] = NONE, [0xc4 ... 0xc5] = MODRM,
    [0xc6] = MODRM | IMM8, [0xc7] = MODRM | IMMZ, [0xc8] = IMM16 | IMM8, [0xc9] = NONE, [0xca] = IMM16,
    [0xcb ... 0xcc] = NONE, [0xcd] = IMM8, [0xce ... 0xcf] = NONE,
    [0xd0 ... 0xd3] = MODRM, [0xd4 ... 0xd5] = IMM8, [0xd6 ... 0xd7] = NONE, [0xd8 ... 0xdf] = MODRM,
    [0xe0 ... 0xe7] = IMM8, [0xe8 ... 0xe9] = IMMZ, [0xea] = FAR, [0xeb] = IMM8, [0xec ... 0xef] = NONE,
    [0xf1] = NONE, [0xf4 ... 0xf5] = NONE, [0xf6 ... 0xf7] = MODRM | GROUP3, [0xf8 ... 0xfd] = NONE,
    [0xfe ... 0xff] = MODRM,
};

static const uint8_t two_byte[256] = {
    [0x00 ... 0x03] = MODRM, [0x06] = NONE, [0x08 ... 0x09] = NONE, [0x0b] = NONE, [0x0d] = MODRM,
    [0x18 ... 0x1f] = MODRM, [0x20 ... 0x23] = MODRM, [0x30 ... 0x35] = NONE,
    [0x40 ... 0x4f] = MODRM, [0x80 ... 0x8f] = IMMZ, [0x90 ... 0x9f] = MODRM,
    [0xa0 ... 0xa2] = NONE, [0xa3] = MODRM, [0xa4] = MODRM | IMM8, [0xa5] = MODRM, [0xa8 ... 0xa9] = NONE,
    [0xab] = MODRM, [0xac] = MODRM | IMM8, [0xad] = MODRM, [0xaf ... 0xb1] = MODRM, [0xb3] = MODRM,
    [0xb6 ... 0xb7] = MODRM, [0xba] = MODRM | IMM8, [0xbb ... 0xc1] = MODRM, [0xc7] = MODRM,
    [0xc8 ... 0xcf] = NONE,
};

static int is_prefix(uint8_t b)
{
    return b == 0x66 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
           b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* The bytes a ModRM byte brings with it (itself, a SIB, a displacement): table 2-2 and 2-3.
 * mov to or from a control or debug register (0f 20-23) always names registers, whatever mod says. */
static unsigned modrm_length(const struct insn *i)
{
    unsigned mod = i->modrm >> 6, rm = i->modrm & 7;
    if (mod == 3 || (i->two_byte && i->opcode >= 0x20 && i->opcode <= 0x23))
        return 1;
    return 1 + (rm == 4) + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 5) ? 4 : 0);
}

/* ---- the sensitive and the privileged ---------------------------------------------------------- */

struct known {
    uint8_t two_byte, opcode;
    int8_t reg;                     /* the ModRM reg field it needs, or -1 for any */
    enum sensitivity sensitivity;
    const char *mnemonic;
};

/* Robin and Irvine's sensitive register instructions and protection-system references (lesson
 * 1's table), then the privileged ones (those that raise #GP in ring 1, IOPL-sensitive ones by
 * the virtual IOPL 0 a kernel has on hv). */
static const struct known known[] = {
    { 0, 0x9c, -1, SENSITIVE_SILENT, "pushf" }, { 0, 0x9d, -1, SENSITIVE_SILENT, "popf" },
    { 1, 0x01, 0, SENSITIVE_SILENT, "sgdt" }, { 1, 0x01, 1, SENSITIVE_SILENT, "sidt" },
    { 1, 0x00, 0, SENSITIVE_SILENT, "sldt" }, { 1, 0x01, 4, SENSITIVE_SILENT, "smsw" },
    { 1, 0x02, -1, SENSITIVE_SILENT, "lar" }, { 1, 0x03, -1, SENSITIVE_SILENT, "lsl" },
    { 1, 0x00, 4, SENSITIVE_SILENT, "verr" }, { 1, 0x00, 5, SENSITIVE_SILENT, "verw" },
    { 0, 0x07, -1, SENSITIVE_SILENT, "pop %es" }, { 0, 0x17, -1, SENSITIVE_SILENT, "pop %ss" },
    { 0, 0x1f, -1, SENSITIVE_SILENT, "pop %ds" }, { 0, 0x0e, -1, SENSITIVE_SILENT, "push %cs" },
    { 0, 0x16, -1, SENSITIVE_SILENT, "push %ss" }, { 0, 0x9a, -1, SENSITIVE_SILENT, "lcall" },
    { 0, 0xff, 3, SENSITIVE_SILENT, "lcall" }, { 0, 0xea, -1, SENSITIVE_SILENT, "ljmp" },
    { 0, 0xff, 5, SENSITIVE_SILENT, "ljmp" }, { 0, 0xcd, -1, SENSITIVE_SILENT, "int" },
    { 0, 0xca, -1, SENSITIVE_SILENT, "lret" }, { 0, 0xcb, -1, SENSITIVE_SILENT, "lret" },
    { 1, 0x00, 1, SENSITIVE_SILENT, "str" }, { 0, 0x8c, -1, SENSITIVE_SILENT, "mov %sreg" },
    { 0, 0x8e, -1, SENSITIVE_SILENT, "mov to %sreg" },
    { 0, 0xfa, -1, PRIVILEGED, "cli" }, { 0, 0xfb, -1, PRIVILEGED, "sti" }, { 0, 0xf4, -1, PRIVILEGED, "hlt" },
    { 1, 0x01, 2, PRIVILEGED, "lgdt" }, { 1, 0x01, 3, PRIVILEGED, "lidt" }, { 1, 0x01, 6, PRIVILEGED, "lmsw" },
    { 1, 0x01, 7, PRIVILEGED, "invlpg" }, { 1, 0x00, 2, PRIVILEGED, "lldt" }, { 1, 0x00, 3, PRIVILEGED, "ltr" },
    { 1, 0x06, -1, PRIVILEGED, "clts" }, { 1, 0x08, -1, PRIVILEGED, "invd" }, { 1, 0x09, -1, PRIVILEGED, "wbinvd" },
    { 1, 0x20, -1, PRIVILEGED, "mov %crN" }, { 1, 0x21, -1, PRIVILEGED, "mov %drN" },
    { 1, 0x22, -1, PRIVILEGED, "mov to %crN" }, { 1, 0x23, -1, PRIVILEGED, "mov to %drN" },
    { 1, 0x30, -1, PRIVILEGED, "wrmsr" }, { 1, 0x32, -1, PRIVILEGED, "rdmsr" },
    { 0, 0xe4, -1, PRIVILEGED, "in" }, { 0, 0xe5, -1, PRIVILEGED, "in" }, { 0, 0xec, -1, PRIVILEGED, "in" },
    { 0, 0xed, -1, PRIVILEGED, "in" }, { 0, 0xe6, -1, PRIVILEGED, "out" }, { 0, 0xe7, -1, PRIVILEGED, "out" },
    { 0, 0xee, -1, PRIVILEGED, "out" }, { 0, 0xef, -1, PRIVILEGED, "out" },
    { 0, 0x6c, -1, PRIVILEGED, "ins" }, { 0, 0x6d, -1, PRIVILEGED, "ins" },
    { 0, 0x6e, -1, PRIVILEGED, "outs" }, { 0, 0x6f, -1, PRIVILEGED, "outs" },
};

static void classify(struct insn *i)
{
    unsigned reg = (i->modrm >> 3) & 7;
    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        const struct known *w = &known[k];
        if (w->two_byte == i->two_byte && w->opcode == i->opcode &&
            (w->reg < 0 || (i->has_modrm && (unsigned)w->reg == reg))) {
            i->sensitivity = w->sensitivity, i->mnemonic = w->mnemonic;
            return;
        }
    }
}

/* ---- where control goes ------------------------------------------------------------------------ */

static void find_flow(struct insn *i)
{
    unsigned reg = (i->modrm >> 3) & 7, op = i->opcode;
    if (i->two_byte) {
        i->flow = op >= 0x80 && op <= 0x8f ? FLOW_BRANCH : op == 0x0b ? FLOW_END : FLOW_NEXT;
        return;
    }
    if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3))
        i->flow = FLOW_BRANCH;
    else if (op == 0xe9 || op == 0xeb)
        i->flow = FLOW_JUMP;
    else if (op == 0xe8)
        i->flow = FLOW_CALL;
    else if (op == 0xff && (reg == 2 || reg == 3))
        i->flow = FLOW_INDIRECT_CALL;
    else if (op == 0xff && (reg == 4 || reg == 5))
        i->flow = FLOW_INDIRECT_JUMP;
    else if (op == 0xc2 || op == 0xc3 || op == 0xca || op == 0xcb || op == 0xcf || op == 0x9a || op == 0xea)
        i->flow = FLOW_END;
    else
        i->flow = FLOW_NEXT;
}

/* ---- the instruction --------------------------------------------------------------------------- */

static int32_t little_endian(const uint8_t *p, unsigned n)
{
    return n == 1 ? (int8_t)p[0] : n == 2 ? (int16_t)(p[0] | p[1] << 8)
                  : (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

unsigned x86_decode(const uint8_t *code, unsigned available, struct insn *out)
{
    struct insn i = { 0 };
    unsigned n = 0, operand16 = 0;
    while (n < available && n < 4 && is_prefix(code[n]))
        operand16 |= code[n++] == 0x66;
    if (n >= available)
        return 0;
    i.opcode = code[n++];
    if (i.opcode == 0x0f) {
        if (n >= available)
            return 0;
        i.two_byte = 1, i.opcode = code[n++];
    }
    uint8_t form = (i.two_byte ? two_byte : one_byte)[i.opcode];
    if (form == BAD)
        return 0;
    if (form & MODRM) {
        if (n >= available)
            return 0;
        i.has_modrm = 1, i.modrm = code[n];
        if ((i.modrm & 0xc7) == 0x04 && n + 1 < available && (code[n + 1] & 7) == 5)
            n += 4;                     /* mod 00 with a SIB whose base is 101: a disp32, no base */
        n += modrm_length(&i);
    }
    unsigned z = operand16 ? 2 : 4, imm = 0;
    if ((form & GROUP3) && ((i.modrm >> 3) & 7) < 2)
        imm = i.opcode == 0xf6 ? 1 : z;
    imm += (form & IMM8 ? 1 : 0) + (form & IMMZ ? z : 0) + (form & IMM16 ? 2 : 0) +
           (form & MOFFS ? 4 : 0) + (form & FAR ? z + 2 : 0);
    if (n + imm > available || n + imm > 15)
        return 0;
    find_flow(&i);
    if (i.flow == FLOW_BRANCH || i.flow == FLOW_JUMP || i.flow == FLOW_CALL)
        i.displacement = little_endian(code + n, imm);
    n += imm;
    classify(&i);
    i.length = (uint8_t)n;
    *out = i;
    return n;
}
