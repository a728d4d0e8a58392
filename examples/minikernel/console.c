/* console.c - the console behind file descriptors 0, 1 and 2: output, the kernel's own lines,
 * and typed input with a small line discipline (input from the platform's interrupt).
 *
 * Where nothing can be typed (platform_has_input: on hv, any domain but domain 0), the console
 * is at its end from the start.
 * Typed characters are echoed and gathered into a line; Enter (CR or LF) hands the line, with a
 * '\n', to readers; backspace erases; ctrl-D on an empty line is the end of input (read gives 0).
 * What is typed while a process waits in read is echoed at once; what is typed ahead is echoed
 * when a process reads it, so a transcript shows each line after the prompt that asked for it.
 */
#include "minikernel.h"

#define LINE_MAX   256
#define READY_MAX  1024
#define CTRL_D     0x04
#define BACKSPACE  0x08
#define DELETE     0x7f

static char typing[LINE_MAX];
static uint8_t typing_echoed[LINE_MAX];
static uint32_t typing_len;
static char ready[READY_MAX];           /* finished lines, oldest first */
static uint8_t ready_echoed[READY_MAX];
static uint32_t ready_len;
static int reader_waiting;              /* a process sleeps in read: echo as it is typed */
static int end_typed, input_possible;
static int at_line_start = 1;

void console_put(const char *s, uint32_t len)
{
    if (!len)
        return;
    platform_console_write(s, len);
    at_line_start = s[len - 1] == '\n';
}

void klog(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (!at_line_start)
        console_put("\n", 1);           /* a process left a line unfinished */
    console_put(buf, n < (int)sizeof(buf) ? (uint32_t)n : sizeof(buf) - 1);
}

void kernel_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    klog("panic: %s\n", buf);
    platform_power_off(0);
}

static void line_done(void)
{
    if (typing_len > READY_MAX - ready_len)
        typing_len = READY_MAX - ready_len;     /* no reader for a while: the rest is lost */
    memcpy(ready + ready_len, typing, typing_len);
    memcpy(ready_echoed + ready_len, typing_echoed, typing_len);
    ready_len += typing_len;
    typing_len = 0;
    reader_waiting = 0;                 /* this line is the reader's: what follows is typed ahead */
    wake_all(WAIT_INPUT);
}

/* Keep a typed character, echoing it if someone is waiting for it. */
static void keep_char(char c)
{
    typing[typing_len] = c;
    typing_echoed[typing_len++] = (uint8_t)reader_waiting;
    if (reader_waiting)
        console_put(&c, 1);
}

static void take_char(char c)
{
    if (c == '\r' || c == '\n') {
        if (typing_len < LINE_MAX)
            keep_char('\n');
        line_done();
    } else if (c == BACKSPACE || c == DELETE) {
        if (typing_len && typing_echoed[--typing_len])
            console_put("\b \b", 3);
    } else if (c == CTRL_D) {
        end_typed = typing_len == 0;
        line_done();
    } else if (typing_len < LINE_MAX - 2) {
        keep_char(c);
    }
}

void console_typed(const char *bytes, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        take_char(bytes[i]);
}

void console_init(void)
{
    input_possible = platform_has_input();
}

uint32_t console_pending(void)
{
    for (uint32_t i = 0; i < ready_len; i++)
        if (ready[i] == '\n')
            return i + 1;
    return ready_len;
}

int console_at_end(void)
{
    if (!input_possible)
        return 1;
    int end = end_typed;
    end_typed = 0;                      /* ctrl-D ends one read, as on a terminal */
    return end;
}

/* A process is about to sleep in read: what was typed ahead of it shows now, the rest as typed. */
void console_reader_waits(void)
{
    reader_waiting = 1;
    for (uint32_t i = 0; i < typing_len; i++)
        if (!typing_echoed[i]) {
            console_put(&typing[i], 1);
            typing_echoed[i] = 1;
        }
}

/* Take the oldest typed bytes, echoing those typed ahead as the reader takes them. */
uint32_t console_read(char *buf, uint32_t len)
{
    uint32_t n = len < ready_len ? len : ready_len;
    memcpy(buf, ready, n);
    for (uint32_t i = 0; i < n; i++)
        if (!ready_echoed[i])
            console_put(&ready[i], 1);
    memmove(ready, ready + n, ready_len - n);
    memmove(ready_echoed, ready_echoed + n, ready_len - n);
    ready_len -= n;
    reader_waiting = 0;
    return n;
}
