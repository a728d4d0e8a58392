/* fpu.c - `fpu N`: leaves a value and a control word of its own in the x87 FPU, computes for a
 * while (other processes using the FPU run meanwhile), and finds both intact (ring 3): the kernel
 * switches the FPU's registers with the process. */
#include "raw.h"

static void fpu_put(uint16_t cw, const double *v)
{
    __asm__ volatile("fninit; fldcw %0; fldl %1" :: "m"(cw), "m"(*v));
}

static void fpu_get(uint16_t *cw, double *v)
{
    __asm__ volatile("fnstcw %0; fstpl %1" : "=m"(*cw), "=m"(*v));
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)(argv[1][0] - '0') : 1;
    uint16_t cw = (uint16_t)(0x037f & ~(n << 10)), got_cw = 0;  /* a rounding mode of its own */
    double v = 1000.0 + n, got = 0;
    fpu_put(cw, &v);
    uint64_t until = now_ns() + 60000000;
    while (now_ns() < until)
        ;
    fpu_get(&got_cw, &got);
    char what[80];
    format_snprintf(what, sizeof(what), "fpu %u: its x87 value and control word survived switches", n);
    check(got == v && got_cw == cw, what);
    return failures;
}
