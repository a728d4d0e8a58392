/* fpuleak.c - one domain's FPU registers must never reach another's (Xen's XSA-165) (guest
 * ring 1, SDK). Two roles, run side by side:
 *   role=secret  fills ST0-7, XMM0-7, the x87 control word and MXCSR with values of its own,
 *                sleeps while the other domain runs, and checks they come back to it unchanged
 *   role=probe   sleeps first (so the secret is in the FPU), then makes its first FPU use, an
 *                FXSAVE, and checks what it found: a clean image (control word 0x37F, MXCSR
 *                0x1F80, no status, every register empty and zero)
 */
#include "sdk.h"

/* The FXSAVE image (Intel SDM vol. 1, 10.5.1). */
struct fxsave {
    uint16_t fcw, fsw;
    uint8_t ftw, reserved0;
    uint16_t fop;
    uint32_t fip, fcs, fdp, fds, mxcsr, mxcsr_mask;
    uint8_t st[8][16];              /* 80-bit registers in 16-byte slots */
    uint8_t xmm[8][16];
    uint8_t rest[224];
} __attribute__((aligned(16)));
_Static_assert(sizeof(struct fxsave) == 512, "FXSAVE writes 512 bytes");

#define FCW_DEFAULT   0x037F        /* what FNINIT and a clean image give */
#define MXCSR_DEFAULT 0x1F80
#define SECRET_FCW    0x0E7F        /* round to zero, 64-bit precision: not the default */
#define SECRET_MXCSR  0xFF80        /* flush to zero, round to zero */
#define SECRET_BYTE(reg, i) ((uint8_t)(0xA5 ^ (reg) * 16 ^ (i)))

static int failures;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static void fxsave(struct fxsave *image)
{
    __asm__ volatile("fxsave %0" : "=m"(*image));
}

static void sleep_ms(uint32_t ms)
{
    sleep_until(clock_ns() + ms * 1000000ull);
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++)
        any |= p[i];
    return any == 0;
}

/* Eight 80-bit x87 values and eight XMM registers of our own, and the two control words. */
static void load_secret(void)
{
    static uint8_t xmm[8][16] __attribute__((aligned(16)));
    static uint8_t st[8][10];
    static const uint16_t fcw = SECRET_FCW;
    static const uint32_t mxcsr = SECRET_MXCSR;
    for (unsigned r = 0; r < 8; r++) {
        for (unsigned i = 0; i < 16; i++)
            xmm[r][i] = SECRET_BYTE(r, i);
        for (unsigned i = 0; i < 8; i++)
            st[r][i] = SECRET_BYTE(r, i);       /* the mantissa; then a sign and exponent */
        st[r][8] = 0x0F, st[r][9] = 0x40;
    }
    __asm__ volatile("movups 0(%0), %%xmm0; movups 16(%0), %%xmm1; movups 32(%0), %%xmm2; movups 48(%0), %%xmm3\n\t"
                     "movups 64(%0), %%xmm4; movups 80(%0), %%xmm5; movups 96(%0), %%xmm6; movups 112(%0), %%xmm7"
                     :: "r"(xmm) : "memory");
    __asm__ volatile("fninit");
    for (unsigned r = 0; r < 8; r++)
        __asm__ volatile("fldt %0" :: "m"(st[r]));
    __asm__ volatile("fldcw %0; ldmxcsr %1" :: "m"(fcw), "m"(mxcsr));
}

static void secret(void)
{
    static struct fxsave before, after;
    load_secret();
    fxsave(&before);
    check(before.fcw == SECRET_FCW && before.mxcsr == SECRET_MXCSR && before.xmm[0][0] == SECRET_BYTE(0, 0),
          "our secret is in the FPU: ST0-7, XMM0-7, control word, MXCSR");
    sleep_ms(300);                             /* the probe makes its first FPU use meanwhile */
    fxsave(&after);
    check(memcmp(&before, &after, offsetof(struct fxsave, rest)) == 0,
          "after the other domain used the FPU, ours came back unchanged");
}

static void probe(void)
{
    static struct fxsave image;
    sleep_ms(100);                             /* the secret's owner has filled the FPU by now */
    fxsave(&image);                            /* our first FPU instruction */
    check(image.fcw == FCW_DEFAULT, "first FPU use: x87 control word 0x37F");
    check(image.mxcsr == MXCSR_DEFAULT, "first FPU use: MXCSR 0x1F80");
    check(image.fsw == 0 && image.ftw == 0 && image.fop == 0, "first FPU use: no status, every x87 register empty");
    check(all_zero(image.st[0], sizeof(image.st)), "first FPU use: ST0-7 zero");
    check(all_zero(image.xmm[0], sizeof(image.xmm)), "first FPU use: XMM0-7 zero (nothing of the other domain's)");
    if (image.xmm[0][0] == SECRET_BYTE(0, 0))
        printf("found the other domain's secret in xmm0\n");
}

int main(void)
{
    char role[16] = "";
    cmdline_option("role", role, sizeof(role));
    traps_init();
    events_init();
    struct evtchn_bind_virq timer = { .virq = VIRQ_TIMER };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &timer);   /* what wakes us from a sleep */
    if (strcmp(role, "secret") == 0)
        secret();
    else if (strcmp(role, "probe") == 0)
        probe();
    else
        check(0, "a role: secret or probe");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
