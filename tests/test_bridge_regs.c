/* Unit tests of src/bridge/regs.c: packets out of registers for every mode
 * and trigger (spec/bridge.md BR-REG-*, BR-MODE-*), responses back into them
 * (BR-RESP-*). Expected values are written out from the register maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/bridge.h"

/* Every register holds a distinct pattern with both halves non-zero, so a
 * field read from the wrong register or without masking shows. */
static struct vw_bridge_regs pattern(enum vw_bridge_mode mode)
{
    struct vw_bridge_regs r;
    memset(&r, 0, sizeof r);
    r.rax = 0xa0a0a0a0a1a2a3a4u;
    r.rbx = 0xb0b0b0b0b1b2b3b4u;
    r.rcx = 0xc0c0c0c0c1c2c3c4u;
    r.rdx = 0xd0d0d0d0d1d2d3d4u;
    r.rsi = 0x5151515152525252u;
    r.rdi = 0xd1d1d1d1d2d2d2d2u;
    r.rbp = 0xbbbbbbbb42494d56u;
    r.rsp = 0x5959595959595959u;
    r.r8 = 0x0808080808080808u;
    r.r9 = 0x0909090909090909u;
    r.r10 = 0x1010101010101010u;
    r.r11 = 0x1111111111111111u;
    r.r12 = 0x1212121212121212u;
    r.r13 = 0x1313131313131313u;
    r.r14 = 0x1414141414141414u;
    r.r15 = 0x1515151515151515u;
    r.rip = 0xfffff80000001000u;
    r.mode = mode;
    return r;
}

static int regs_equal(const struct vw_bridge_regs *a, const struct vw_bridge_regs *b)
{
    return a->rax == b->rax && a->rbx == b->rbx && a->rcx == b->rcx && a->rdx == b->rdx && a->rsi == b->rsi &&
           a->rdi == b->rdi && a->rbp == b->rbp && a->rsp == b->rsp && a->r8 == b->r8 && a->r9 == b->r9 &&
           a->r10 == b->r10 && a->r11 == b->r11 && a->r12 == b->r12 && a->r13 == b->r13 && a->r14 == b->r14 &&
           a->r15 == b->r15 && a->rip == b->rip && a->mode == b->mode;
}

static void read_64_vmcall(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_64);
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, &p), VW_OK);
    assert_int_equal(p.magic, 0xc1c2c3c4u);  /* ECX */
    assert_int_equal(p.request, 0xd3d4);     /* DX */
    assert_int_equal(p.method, 0xd1d2);      /* EDX bits 16..31 */
    assert_true(p.values[0] == 0x0808080808080808u);
    assert_true(p.values[1] == 0x0909090909090909u);
    assert_true(p.values[2] == 0x1010101010101010u);
    assert_true(p.values[3] == 0x1111111111111111u);
}

static void read_64_cpuid(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_64);
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_CPUID, &p), VW_OK);
    assert_int_equal(p.magic, 0xa1a2a3a4u); /* EAX */
    assert_int_equal(p.request, 0xc3c4);    /* CX */
    assert_int_equal(p.method, 0xc1c2);
    assert_true(p.values[0] == 0x0808080808080808u);
    assert_true(p.values[3] == 0x1111111111111111u);
}

static void read_32_vmcall(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_32);
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, &p), VW_OK);
    assert_int_equal(p.magic, 0x42494d56u); /* EBP */
    assert_int_equal(p.request, 0xd3d4);    /* DX */
    assert_int_equal(p.method, 0xd1d2);
    assert_true(p.values[0] == 0x52525252u); /* ESI */
    assert_true(p.values[1] == 0xd2d2d2d2u); /* EDI */
    assert_true(p.values[2] == 0);           /* no register */
    assert_true(p.values[3] == 0);
}

static void read_32_cpuid(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_32);
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_CPUID, &p), VW_OK);
    assert_int_equal(p.magic, 0xa1a2a3a4u);
    assert_int_equal(p.request, 0xc3c4);
    assert_int_equal(p.method, 0xc1c2);
    assert_true(p.values[0] == 0xb1b2b3b4u); /* EBX */
    assert_true(p.values[1] == 0xd1d2d3d4u); /* EDX */
    assert_true(p.values[2] == 0x52525252u); /* ESI */
    assert_true(p.values[3] == 0xd2d2d2d2u); /* EDI */
}

static void read_bad_mode_and_args(void **state)
{
    (void)state;
    struct vw_bridge_packet p;
    const enum vw_bridge_mode bad[] = { VW_BRIDGE_MODE_OTHER, (enum vw_bridge_mode)16, (enum vw_bridge_mode)8,
                                        (enum vw_bridge_mode)65 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct vw_bridge_regs r = pattern(bad[i]);
        memset(&p, 0xee, sizeof p);
        assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, &p), VW_E_BAD_MODE);
        assert_int_equal(p.magic, 0); /* cleared, not partial */
        assert_true(p.values[0] == 0 && p.values[3] == 0);
        assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_CPUID, &p), VW_E_BAD_MODE);
    }
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_64);
    memset(&p, 0xee, sizeof p);
    assert_int_equal(vw_bridge_read_packet(&r, (enum vw_bridge_trigger)0, &p), VW_E_INVALID_ARG);
    assert_int_equal(p.request, 0);
    assert_int_equal(vw_bridge_read_packet(&r, (enum vw_bridge_trigger)3, &p), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_read_packet(NULL, VW_BRIDGE_VMCALL, &p), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, NULL), VW_E_INVALID_ARG);
}

/* BR-MODE-3: vmi-rs vmi-arch-amd64/src/lib.rs effective_address_width() and
 * Amd64::paging_mode(): paging off -> 0 (panic upstream, bad_mode here);
 * IA-32e with CS.L = 1 -> 8; every other paged state -> 4. Every one of the
 * 32 combinations of the five flags is checked against that table. */
static void mode_of_cpu_state(void **state)
{
    (void)state;
    for (unsigned bits = 0; bits < 32; bits++) {
        struct vw_bridge_cpu_mode c = { (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0,
                                        (bits & 16) != 0 };
        enum vw_bridge_mode want = !c.paging ? VW_BRIDGE_MODE_OTHER
                                   : c.ia32e && c.cs_l ? VW_BRIDGE_MODE_64
                                                       : VW_BRIDGE_MODE_32;
        assert_int_equal(vw_bridge_mode_of(&c), want);
    }
    /* the named modes */
    const struct vw_bridge_cpu_mode real = { false, false, false, false, false };
    const struct vw_bridge_cpu_mode unpaged32 = { false, false, false, true, false };
    const struct vw_bridge_cpu_mode pm16 = { true, false, false, false, false };
    const struct vw_bridge_cpu_mode v86 = { true, false, false, false, true };
    const struct vw_bridge_cpu_mode pm32 = { true, false, false, true, false };
    const struct vw_bridge_cpu_mode compat16 = { true, true, false, false, false };
    const struct vw_bridge_cpu_mode compat32 = { true, true, false, true, false };
    const struct vw_bridge_cpu_mode long64 = { true, true, true, false, false };
    const struct vw_bridge_cpu_mode legacy_l = { true, false, true, false, false }; /* CS.L outside IA-32e */
    assert_int_equal(vw_bridge_mode_of(&real), VW_BRIDGE_MODE_OTHER);
    assert_int_equal(vw_bridge_mode_of(&unpaged32), VW_BRIDGE_MODE_OTHER);
    assert_int_equal(vw_bridge_mode_of(&pm16), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(&v86), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(&pm32), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(&compat16), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(&compat32), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(&long64), VW_BRIDGE_MODE_64);
    assert_int_equal(vw_bridge_mode_of(&legacy_l), VW_BRIDGE_MODE_32);
    assert_int_equal(vw_bridge_mode_of(NULL), VW_BRIDGE_MODE_OTHER);
    /* a 16-bit protected-mode trap is read with the 32-bit VMCALL map */
    struct vw_bridge_regs r = pattern(vw_bridge_mode_of(&pm16));
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, &p), VW_OK);
    assert_int_equal(p.magic, (uint32_t)r.rbp);
    assert_true(p.values[0] == (uint32_t)r.rsi && p.values[2] == 0);
}

static void read_extremes(void **state)
{
    (void)state;
    struct vw_bridge_regs r;
    memset(&r, 0xff, sizeof r);
    r.mode = VW_BRIDGE_MODE_32;
    struct vw_bridge_packet p;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_CPUID, &p), VW_OK);
    assert_int_equal(p.magic, 0xffffffffu);
    assert_int_equal(p.request, 0xffff);
    assert_int_equal(p.method, 0xffff);
    for (int i = 0; i < 4; i++)
        assert_true(p.values[i] == 0xffffffffu);
    r.mode = VW_BRIDGE_MODE_64;
    assert_int_equal(vw_bridge_read_packet(&r, VW_BRIDGE_VMCALL, &p), VW_OK);
    for (int i = 0; i < 4; i++)
        assert_true(p.values[i] == UINT64_MAX);
}

static void write_slots(void **state)
{
    (void)state;
    const struct vw_bridge_regs before = pattern(VW_BRIDGE_MODE_64);
    for (unsigned mask = 0; mask < 16; mask++) {
        struct vw_bridge_regs r = before;
        struct vw_bridge_response resp = { { 1, 2, 3, 4 }, (uint8_t)mask, true, 99 };
        assert_int_equal(vw_bridge_write_response(&r, &resp, 0), VW_OK);
        assert_true(r.rax == ((mask & 1) ? 1 : before.rax));
        assert_true(r.rbx == ((mask & 2) ? 2 : before.rbx));
        assert_true(r.rcx == ((mask & 4) ? 3 : before.rcx));
        assert_true(r.rdx == ((mask & 8) ? 4 : before.rdx));
        /* nothing else moves (BR-RESP-3), RIP stays without a length */
        struct vw_bridge_regs a = r, b = before;
        a.rax = a.rbx = a.rcx = a.rdx = 0;
        b.rax = b.rbx = b.rcx = b.rdx = 0;
        assert_true(regs_equal(&a, &b));
    }
    /* bits above slot 4 are ignored */
    struct vw_bridge_regs r = before;
    struct vw_bridge_response resp = { { 1, 2, 3, 4 }, 0xf0, false, 0 };
    assert_int_equal(vw_bridge_write_response(&r, &resp, 0), VW_OK);
    assert_true(regs_equal(&r, &before));
}

static void write_32_bit_full_width(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_32);
    struct vw_bridge_response resp = { { 0x213353522d494d56u, 0, 0, 0 }, VW_BRIDGE_SLOT(1), false, 0 };
    assert_int_equal(vw_bridge_write_response(&r, &resp, VW_BRIDGE_VMCALL_LEN), VW_OK);
    assert_true(r.rax == 0x213353522d494d56u); /* BR-RESP-1: not truncated to 32 bits */
    assert_true(r.rip == 0xfffff80000001003u);
}

static void write_rip(void **state)
{
    (void)state;
    struct vw_bridge_regs r = pattern(VW_BRIDGE_MODE_64);
    assert_int_equal(vw_bridge_write_response(&r, NULL, VW_BRIDGE_CPUID_LEN), VW_OK);
    assert_true(r.rip == 0xfffff80000001002u);
    assert_true(r.rax == 0xa0a0a0a0a1a2a3a4u);
    r.rip = UINT64_MAX - 1;
    assert_int_equal(vw_bridge_write_response(&r, NULL, 3), VW_OK);
    assert_true(r.rip == 1); /* modulo 2^64 */
    assert_int_equal(vw_bridge_write_response(&r, NULL, VW_BRIDGE_MAX_INSN_LEN), VW_OK);
    assert_true(r.rip == 16);
    /* too long: nothing written at all */
    struct vw_bridge_regs before = r;
    struct vw_bridge_response resp = { { 1, 2, 3, 4 }, VW_BRIDGE_SLOTS_ALL, false, 0 };
    assert_int_equal(vw_bridge_write_response(&r, &resp, VW_BRIDGE_MAX_INSN_LEN + 1), VW_E_INVALID_ARG);
    assert_true(regs_equal(&r, &before));
    assert_int_equal(vw_bridge_write_response(NULL, &resp, 3), VW_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_64_vmcall),
        cmocka_unit_test(read_64_cpuid),
        cmocka_unit_test(read_32_vmcall),
        cmocka_unit_test(read_32_cpuid),
        cmocka_unit_test(read_bad_mode_and_args),
        cmocka_unit_test(mode_of_cpu_state),
        cmocka_unit_test(read_extremes),
        cmocka_unit_test(write_slots),
        cmocka_unit_test(write_32_bit_full_width),
        cmocka_unit_test(write_rip),
    };
    return cmocka_run_group_tests_name("bridge_regs", tests, NULL, NULL);
}
