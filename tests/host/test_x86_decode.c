/* test_x86_decode.c - host tests of lesson 3's decoder and scanner (examples/trap-emulate/decode.c
 * and scan.c): each instruction's length, flow and sensitivity as objdump reads the same bytes of
 * the lesson's kernel, and the two readings of a small piece of code with an indirect call and
 * data among its instructions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "decode.h"
#include "scan.h"

struct example {
    const char *what;
    uint8_t bytes[15];
    unsigned length;
    enum flow flow;
    int32_t displacement;
    enum sensitivity sensitivity;
    const char *mnemonic;
};

/* Lengths and targets as objdump -d gives them for these bytes. */
static const struct example examples[] = {
    { "mov 0xc000b000,%eax", { 0xa1, 0x00, 0xb0, 0x00, 0xc0 }, 5, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "mov %eax,0x4(%esp)", { 0x89, 0x44, 0x24, 0x04 }, 4, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "movl $0x3,(%esp)", { 0xc7, 0x04, 0x24, 0x03, 0, 0, 0 }, 7, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "lea 0x0(%esi,%eiz,1),%esi", { 0x8d, 0xb4, 0x26, 0, 0, 0, 0 }, 7, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "xchg %ax,%ax", { 0x66, 0x90 }, 2, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "nopw %cs:0x0(%eax,%eax,1)", { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 }, 10, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "movzbl -0x3fff7e24(%eax),%edx", { 0x0f, 0xb6, 0x90, 0xdc, 0x81, 0x00, 0xc0 }, 7, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "mov 0x0(,%eax,4),%eax", { 0x8b, 0x04, 0x85, 0, 0, 0, 0 }, 7, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "setne %dl", { 0x0f, 0x95, 0xc2 }, 3, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "incl 0xc000b004", { 0xff, 0x05, 0x04, 0xb0, 0x00, 0xc0 }, 6, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "test $0x1,%dl", { 0xf6, 0xc2, 0x01 }, 3, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "testl $0x200,0x10(%ebp)", { 0xf7, 0x45, 0x10, 0x00, 0x02, 0, 0 }, 7, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "neg %eax", { 0xf7, 0xd8 }, 2, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "mov $0x12,%ax", { 0x66, 0xb8, 0x12, 0x00 }, 4, FLOW_NEXT, 0, NOT_SENSITIVE, NULL },
    { "call .+0x6d0", { 0xe8, 0xcb, 0x06, 0x00, 0x00 }, 5, FLOW_CALL, 0x6cb, NOT_SENSITIVE, NULL },
    { "jne .-0x19", { 0x75, 0xe5 }, 2, FLOW_BRANCH, -27, NOT_SENSITIVE, NULL },
    { "je .+0x106", { 0x0f, 0x84, 0x00, 0x01, 0x00, 0x00 }, 6, FLOW_BRANCH, 0x100, NOT_SENSITIVE, NULL },
    { "jmp .-0x10", { 0xeb, 0xf0 }, 2, FLOW_JUMP, -16, NOT_SENSITIVE, NULL },
    { "call *%eax", { 0xff, 0xd0 }, 2, FLOW_INDIRECT_CALL, 0, NOT_SENSITIVE, NULL },
    { "jmp *0xc0001000(,%eax,4)", { 0xff, 0x24, 0x85, 0x00, 0x10, 0x00, 0xc0 }, 7, FLOW_INDIRECT_JUMP, 0, NOT_SENSITIVE, NULL },
    { "ret", { 0xc3 }, 1, FLOW_END, 0, NOT_SENSITIVE, NULL },
    { "ret $0x4", { 0xc2, 0x04, 0x00 }, 3, FLOW_END, 0, NOT_SENSITIVE, NULL },
    { "ud2", { 0x0f, 0x0b }, 2, FLOW_END, 0, NOT_SENSITIVE, NULL },
    { "pushf", { 0x9c }, 1, FLOW_NEXT, 0, SENSITIVE_SILENT, "pushf" },
    { "popf", { 0x9d }, 1, FLOW_NEXT, 0, SENSITIVE_SILENT, "popf" },
    { "sgdtl 0xc0009004", { 0x0f, 0x01, 0x05, 0x04, 0x90, 0x00, 0xc0 }, 7, FLOW_NEXT, 0, SENSITIVE_SILENT, "sgdt" },
    { "smsw %eax", { 0x0f, 0x01, 0xe0 }, 3, FLOW_NEXT, 0, SENSITIVE_SILENT, "smsw" },
    { "str %eax", { 0x0f, 0x00, 0xc8 }, 3, FLOW_NEXT, 0, SENSITIVE_SILENT, "str" },
    { "lar %eax,%edx", { 0x0f, 0x02, 0xd0 }, 3, FLOW_NEXT, 0, SENSITIVE_SILENT, "lar" },
    { "mov %cs,%eax", { 0x8c, 0xc8 }, 2, FLOW_NEXT, 0, SENSITIVE_SILENT, "mov %sreg" },
    { "push %cs", { 0x0e }, 1, FLOW_NEXT, 0, SENSITIVE_SILENT, "push %cs" },
    { "int $0x80", { 0xcd, 0x80 }, 2, FLOW_NEXT, 0, SENSITIVE_SILENT, "int" },
    { "lret", { 0xcb }, 1, FLOW_END, 0, SENSITIVE_SILENT, "lret" },
    { "ljmp $0x8,$0xc0001000", { 0xea, 0x00, 0x10, 0x00, 0xc0, 0x08, 0x00 }, 7, FLOW_END, 0, SENSITIVE_SILENT, "ljmp" },
    { "lgdtl 0xc0009004", { 0x0f, 0x01, 0x15, 0x04, 0x90, 0x00, 0xc0 }, 7, FLOW_NEXT, 0, PRIVILEGED, "lgdt" },
    { "cli", { 0xfa }, 1, FLOW_NEXT, 0, PRIVILEGED, "cli" },
    { "hlt", { 0xf4 }, 1, FLOW_NEXT, 0, PRIVILEGED, "hlt" },
    { "mov %cr0,%eax", { 0x0f, 0x20, 0xc0 }, 3, FLOW_NEXT, 0, PRIVILEGED, "mov %crN" },
    { "out %al,$0x80", { 0xe6, 0x80 }, 2, FLOW_NEXT, 0, PRIVILEGED, "out" },
};

static void each_instruction_has_objdumps_length_flow_and_class(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(examples) / sizeof(examples[0]); k++) {
        const struct example *e = &examples[k];
        struct insn i;
        print_message("%s\n", e->what);
        assert_int_equal(x86_decode(e->bytes, e->length, &i), e->length);
        assert_int_equal(i.length, e->length);
        assert_int_equal(i.flow, e->flow);
        assert_int_equal(i.displacement, e->displacement);
        assert_int_equal(i.sensitivity, e->sensitivity);
        if (e->mnemonic)
            assert_string_equal(i.mnemonic, e->mnemonic);
        else
            assert_null(i.mnemonic);
        assert_int_equal(x86_decode(e->bytes, e->length - 1, &i), 0);   /* one byte short: refused */
    }
}

static void what_it_does_not_know_it_refuses(void **state)
{
    (void)state;
    static const uint8_t sse[] = { 0x0f, 0x10, 0xc1 }, address_size[] = { 0x67, 0x8b, 0x07 };
    struct insn i;
    assert_int_equal(x86_decode(sse, sizeof(sse), &i), 0);            /* movups: not in its maps */
    assert_int_equal(x86_decode(address_size, sizeof(address_size), &i), 0);   /* 16-bit addressing */
    assert_int_equal(x86_decode(sse, 0, &i), 0);
}

/* A piece of code at 0x1000: a function that calls one directly and another only through a
 * register, then eight bytes of data among the code (0x9d, then inc %ecx ...). */
static const uint8_t piece[] = {
    /* 0x1000 main */      0x9c, 0xe8, 0x0a, 0x00, 0x00, 0x00,    /* pushf; call 0x1010 */
    /* 0x1006 */           0xb8, 0x18, 0x10, 0x00, 0x00,          /* mov $0x1018,%eax */
    /* 0x100b */           0xff, 0xd0,                            /* call *%eax */
    /* 0x100d */           0xc3, 0x90, 0x90,                      /* ret; padding */
    /* 0x1010 direct */    0xfa, 0x74, 0x01, 0xf4, 0xfb, 0xc3, 0x90, 0x90,   /* cli; je 0x1014; hlt; sti; ret */
    /* 0x1018 indirect */  0x50, 0x9d, 0xc3, 0x90,                /* push %eax; popf; ret */
    /* 0x101c data */      0x9d, 'A', 'B', 'C', 'D', 'E', 'F', 'G',
};

static struct scan fresh(void)
{
    return (struct scan){ .code = piece, .base = 0x1000, .size = sizeof(piece) };
}

static unsigned addresses(const struct scan *s, uint32_t *out)
{
    for (unsigned k = 0; k < s->n_sites; k++)
        out[k] = s->sites[k].address;
    return s->n_sites;
}

static void recursive_descent_reads_what_the_entry_reaches_and_no_more(void **state)
{
    (void)state;
    static struct scan s;
    uint32_t entry = 0x1000, found[SCAN_MAX_SITES];
    s = fresh();
    assert_int_equal(scan_recursive(&s, &entry, 1), 0);
    static const uint32_t expected[] = { 0x1000, 0x1010, 0x1013, 0x1014 };   /* pushf, cli, hlt, sti */
    assert_int_equal(addresses(&s, found), 4);
    assert_memory_equal(found, expected, sizeof(expected));
    assert_int_equal(s.n_indirect, 1);
    assert_int_equal(s.indirect[0], 0x100b);                 /* the call through %eax: not followed */
    assert_int_equal(s.decoded, 10);                         /* main 5, the direct callee 5 */
    assert_true(s.marks[0x14] & MARK_TARGET);                /* je's target */
    assert_false(s.marks[0x19] & MARK_START);                /* the popf only the indirect call reaches */
    assert_false(s.marks[0x1c] & MARK_START);                /* the data */
}

static void linear_sweep_reads_every_byte_data_too(void **state)
{
    (void)state;
    static struct scan s;
    uint32_t found[SCAN_MAX_SITES];
    s = fresh();
    assert_int_equal(scan_linear(&s), 0);
    static const uint32_t expected[] = { 0x1000, 0x1010, 0x1013, 0x1014, 0x1019, 0x101c };
    assert_int_equal(addresses(&s, found), 6);
    assert_memory_equal(found, expected, sizeof(expected));
    assert_string_equal(scan_site(&s, 0x101c)->insn.mnemonic, "popf");   /* the data's 0x9d */
    assert_int_equal(s.n_undecoded, 0);
    assert_null(scan_site(&s, 0x1001));
}

static void an_entry_outside_or_too_much_code_is_refused(void **state)
{
    (void)state;
    static struct scan s;
    uint32_t outside = 0x2000;
    s = fresh();
    assert_int_equal(scan_recursive(&s, &outside, 1), 0);
    assert_int_equal(s.decoded, 0);
    s = fresh(), s.size = SCAN_MAX_BYTES + 1;
    assert_int_equal(scan_linear(&s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_instruction_has_objdumps_length_flow_and_class),
        cmocka_unit_test(what_it_does_not_know_it_refuses),
        cmocka_unit_test(recursive_descent_reads_what_the_entry_reaches_and_no_more),
        cmocka_unit_test(linear_sweep_reads_every_byte_data_too),
        cmocka_unit_test(an_entry_outside_or_too_much_code_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
