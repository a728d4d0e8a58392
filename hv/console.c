/* console.c - the monitor's console: COM1 and the Bochs/QEMU debug port 0xE9, and printk.
 * Runs in ring 0. Every line the monitor prints starts with "hv: ".
 */
#include "hv.h"
#include "format.h"
#include "x86.h"

/* 16550 UART registers (COM1), offsets from its base port. */
#define COM1      0x3F8
#define UART_THR  0   /* transmit holding */
#define UART_IER  1   /* interrupt enable */
#define UART_DLL  0   /* divisor latch, low (DLAB=1) */
#define UART_DLM  1
#define UART_FCR  2   /* FIFO control */
#define UART_LCR  3   /* line control */
#define UART_MCR  4   /* modem control */
#define UART_LSR  5   /* line status */
#define LSR_DR    0x01   /* data ready */
#define LSR_THRE  0x20   /* transmit holding register empty */
#define IER_RDA   0x01   /* interrupt when data arrives */
#define MCR_OUT2  0x08   /* routes the UART's interrupt to the PIC */
#define LSR_TEMT  0x40   /* transmitter completely idle */
#define LCR_8N1   0x03
#define LCR_DLAB  0x80
#define DEBUG_PORT 0xE9  /* Bochs's port_e9_hack and QEMU's -debugcon */

static enum log_level log_level = LOG_INFO;
static int at_line_start = 1;
static int partial_owner = -1;     /* the domain whose unfinished line (a prompt) is on the screen */

void console_init(void)
{
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, 1);            /* 115200 baud */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, 0xC7);         /* FIFOs on and cleared */
    outb(COM1 + UART_MCR, 0x03 | MCR_OUT2);   /* DTR, RTS, interrupts out */
    outb(COM1 + UART_IER, IER_RDA);
}

/* Characters typed on the serial line, waiting for domain 0 to read them (console_io read). When
 * the buffer is full the UART keeps the rest, its interrupt off, and the sender waits (a 16550's
 * flow control): typed-ahead text is delayed, never lost. */
static char input[256];
static uint32_t input_head, input_tail;

void console_input_irq(void)
{
    while (input_head - input_tail < sizeof(input) && (inb(COM1 + UART_LSR) & LSR_DR))
        input[input_head++ % sizeof(input)] = (char)inb(COM1 + UART_THR);
    if (input_head - input_tail == sizeof(input))
        outb(COM1 + UART_IER, 0);
}

long console_read_input(char *buf, uint32_t max)
{
    uint32_t n = 0;
    while (n < max && input_tail != input_head)
        buf[n++] = input[input_tail++ % sizeof(input)];
    if (n)
        outb(COM1 + UART_IER, IER_RDA);   /* room again: what the UART holds comes in */
    return n;
}

static void serial_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(COM1 + UART_THR, (uint8_t)c);
}

static void putc_raw(char c)
{
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
    outb(DEBUG_PORT, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putc_raw(s[i]);
}

/* Before `owner` (a domain's id, or -1 for the monitor) prints: another's unfinished line on the
 * screen is ended first, so every line keeps one prefix. Returns whether owner's own unfinished
 * line is there, to be continued without a prefix. */
int console_claim(int owner)
{
    int mine = partial_owner == owner;
    if (partial_owner >= 0 && !mine)
        putc_raw('\n');
    partial_owner = -1;
    return mine;
}

/* `owner` has just left an unfinished line on the screen. */
void console_leave_partial(int owner)
{
    partial_owner = owner;
}

/* Wait until the UART has sent everything: Bochs loses what is still queued at power-off. */
void console_drain(void)
{
    while (!(inb(COM1 + UART_LSR) & LSR_TEMT))
        ;
}

static const char *const level_names[] = {
    [LOG_ALWAYS] = "always", [LOG_ERR] = "error", [LOG_WARN] = "warning", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int log_set_level(const char *name)
{
    if (strcmp(name, "all") == 0) {
        log_level = LOG_DEBUG;
        return 0;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            log_level = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void printk(enum log_level level, const char *fmt, ...)
{
    char buf[512];
    if (level > log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf))
        n = sizeof(buf) - 1;
    console_claim(-1);
    for (int i = 0; i < n; i++) {
        if (at_line_start)
            console_write("hv: ", 4);
        putc_raw(buf[i]);
        at_line_start = buf[i] == '\n';
    }
}
