/* exceptions.h - the CPU's exception vectors, and which of them push an error code (Intel SDM
 * vol. 3A, 6.3.1 and table 6-1; 6.13 for the error code, 4.7 for a #PF's). Pure definitions for
 * C and for the C preprocessor in .S files, where `.if (X86_ERROR_CODE_VECTORS >> n) & 1` tests
 * vector n.
 */
#ifndef LIB_X86_EXCEPTIONS_H
#define LIB_X86_EXCEPTIONS_H

#define VEC_DE   0    /* divide error */
#define VEC_DB   1    /* debug */
#define VEC_NMI  2
#define VEC_BP   3    /* int3 */
#define VEC_OF   4    /* into */
#define VEC_BR   5    /* bound */
#define VEC_UD   6    /* invalid opcode */
#define VEC_NM   7    /* device not available (CR0.TS) */
#define VEC_DF   8    /* double fault */
#define VEC_TS  10    /* invalid TSS */
#define VEC_NP  11    /* segment not present */
#define VEC_SS  12    /* stack fault */
#define VEC_GP  13    /* general protection */
#define VEC_PF  14    /* page fault */
#define VEC_MF  16    /* x87 error */
#define VEC_AC  17    /* alignment check */
#define VEC_MC  18    /* machine check */
#define VEC_XM  19    /* SIMD error */
#define VEC_CP  21    /* control protection: only with CR4.CET, which nothing here enables */
#define NR_EXCEPTIONS 32

/* The vectors whose exception pushes an error code, one bit each; the CPU pushes none for the
 * others nor for an interrupt or `int $n`. (The error code is always 0 for #DF and #AC.) */
#define X86_ERROR_CODE_VECTORS ((1 << VEC_DF) | (1 << VEC_TS) | (1 << VEC_NP) | (1 << VEC_SS) | \
                                (1 << VEC_GP) | (1 << VEC_PF) | (1 << VEC_AC) | (1 << VEC_CP))

/* A #PF's error code (SDM 4.7). */
#define PF_ERROR_PRESENT 0x01   /* a protection violation; clear: the page was not present */
#define PF_ERROR_WRITE   0x02   /* the access was a write */
#define PF_ERROR_USER    0x04   /* the access was made at CPL 3 */

#ifndef __ASSEMBLER__
static inline int vector_has_error_code(unsigned vector)
{
    return vector < NR_EXCEPTIONS && ((X86_ERROR_CODE_VECTORS >> vector) & 1);
}
#endif

#endif
