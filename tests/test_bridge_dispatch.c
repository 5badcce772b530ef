/* Unit tests of src/bridge/dispatch.c: table order (BR-DISP-2/3), outcomes
 * (BR-DISP-4/5), verify stamping (BR-DISP-6), the indexed lookup against a
 * linear scan on random tables, and vw_bridge_serve(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/bridge.h"

/* ---- a recording callback -------------------------------------------------- */

struct probe {
    int calls;                 /* how often this handler ran */
    vw_status ret;             /* what it returns */
    struct vw_bridge_response answer; /* what it answers with when ret == VW_OK */
    struct vw_bridge_packet seen;
};

static vw_status probe_cb(void *user, const struct vw_bridge_packet *p, struct vw_bridge_response *r)
{
    struct probe *pr = user;
    pr->calls++;
    pr->seen = *p;
    /* the dispatcher hands over a cleared response */
    if (r->present || r->has_result || r->values[0] || r->values[3])
        return VW_E_STATE;
    if (pr->ret == VW_OK)
        *r = pr->answer;
    return pr->ret;
}

static struct vw_bridge_handler mk(bool has_magic, uint32_t magic, uint16_t request, struct probe *pr)
{
    struct vw_bridge_handler h;
    memset(&h, 0, sizeof h);
    h.has_magic = has_magic;
    h.magic = magic;
    h.request = request;
    h.handle = probe_cb;
    h.user = pr;
    return h;
}

static struct vw_bridge_packet pkt(uint32_t magic, uint16_t request, uint16_t method)
{
    struct vw_bridge_packet p;
    memset(&p, 0, sizeof p);
    p.magic = magic;
    p.request = request;
    p.method = method;
    p.values[0] = 0x1111;
    return p;
}

/* ---- order and outcomes ------------------------------------------------------ */

static void first_match_in_table_order(void **state)
{
    (void)state;
    struct probe pr[6];
    memset(pr, 0, sizeof pr);
    for (int i = 0; i < 6; i++) {
        pr[i].ret = VW_OK;
        pr[i].answer.values[0] = 0xa0u + (unsigned)i;
        pr[i].answer.present = VW_BRIDGE_SLOT(1);
    }
    struct vw_bridge_handler h[6] = {
        mk(true, 7, 1, &pr[0]),  /* exact, first for (7,1) */
        mk(false, 0, 1, &pr[1]), /* wildcard for request 1, after the exact one */
        mk(true, 7, 1, &pr[2]),  /* duplicate of 0: unreachable */
        mk(false, 0, 2, &pr[3]), /* wildcard first for request 2 */
        mk(true, 9, 2, &pr[4]),  /* shadowed by 3 */
        mk(true, 9, 3, &pr[5]),
    };
    struct vw_bridge_index_entry idx[6];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 6, idx, 6), VW_OK);

    const struct {
        uint32_t magic;
        uint16_t request;
        vw_status want;
        size_t pos;
    } q[] = {
        { 7, 1, VW_OK, 0 }, { 8, 1, VW_OK, 1 }, { 9, 2, VW_OK, 3 }, { 0, 2, VW_OK, 3 },
        { 9, 3, VW_OK, 5 }, { 7, 3, VW_E_NO_MATCH, 6 }, { 7, 4, VW_E_NO_MATCH, 6 },
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        for (int k = 0; k < 6; k++)
            pr[k].calls = 0;
        struct vw_bridge_packet p = pkt(q[i].magic, q[i].request, 5);
        struct vw_bridge_response r;
        size_t who = 12345;
        assert_int_equal(vw_bridge_dispatch(&t, &p, &r, &who), q[i].want);
        assert_int_equal(who, q[i].pos);
        int total = 0;
        for (int k = 0; k < 6; k++)
            total += pr[k].calls;
        if (q[i].want == VW_OK) {
            assert_int_equal(total, 1);
            assert_int_equal(pr[q[i].pos].calls, 1);
            assert_true(r.values[0] == 0xa0u + q[i].pos);
            assert_int_equal(pr[q[i].pos].seen.method, 5);
            assert_true(pr[q[i].pos].seen.values[0] == 0x1111);
        } else {
            assert_int_equal(total, 0);
            assert_int_equal(r.present, 0);
        }
    }
}

static void no_response_stops_dispatch(void **state)
{
    (void)state;
    struct probe pr[2];
    memset(pr, 0, sizeof pr);
    pr[0].ret = VW_E_NO_RESPONSE;
    pr[1].ret = VW_OK;
    pr[1].answer.present = VW_BRIDGE_SLOTS_ALL;
    struct vw_bridge_handler h[2] = { mk(false, 0, 4, &pr[0]), mk(true, 1, 4, &pr[1]) };
    h[0].verify_present = VW_BRIDGE_SLOT(3);
    h[0].verify[2] = 0x33;
    struct vw_bridge_index_entry idx[2];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2), VW_OK);
    struct vw_bridge_packet p = pkt(1, 4, 0);
    struct vw_bridge_response r;
    size_t who;
    assert_int_equal(vw_bridge_dispatch(&t, &p, &r, &who), VW_E_NO_RESPONSE);
    assert_int_equal(who, 0);
    assert_int_equal(pr[0].calls, 1);
    assert_int_equal(pr[1].calls, 0);
    assert_int_equal(r.present, 0); /* verify values are not stamped without a response */
    assert_false(r.has_result);

    /* a callback's own error passes through, "no match" from a callback becomes no response */
    pr[0].ret = VW_E_BAD_VALUE;
    assert_int_equal(vw_bridge_dispatch(&t, &p, &r, NULL), VW_E_BAD_VALUE);
    pr[0].ret = VW_E_NO_MATCH;
    assert_int_equal(vw_bridge_dispatch(&t, &p, &r, NULL), VW_E_NO_RESPONSE);
    assert_int_equal(pr[1].calls, 0);
}

static void verify_values_override(void **state)
{
    (void)state;
    struct probe pr;
    memset(&pr, 0, sizeof pr);
    pr.ret = VW_OK;
    pr.answer = (struct vw_bridge_response){ { 1, 2, 3, 4 }, VW_BRIDGE_SLOT(1) | VW_BRIDGE_SLOT(3) | 0x30, true, 77 };
    struct vw_bridge_handler h = mk(true, VW_BRIDGE_VMIB_MAGIC, 1, &pr);
    h.verify_present = VW_BRIDGE_SLOT(3) | VW_BRIDGE_SLOT(4);
    h.verify[2] = VW_BRIDGE_VMIB_VERIFY3;
    h.verify[3] = VW_BRIDGE_VMIB_VERIFY4;
    struct vw_bridge_index_entry idx[1];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, &h, 1, idx, 1), VW_OK);
    struct vw_bridge_packet p = pkt(VW_BRIDGE_VMIB_MAGIC, 1, 1);
    struct vw_bridge_response r;
    assert_int_equal(vw_bridge_dispatch(&t, &p, &r, NULL), VW_OK);
    /* slot 1 kept, slot 2 absent, slot 3 overridden, slot 4 made present; stray bits dropped */
    assert_int_equal(r.present, VW_BRIDGE_SLOTS_ALL & ~VW_BRIDGE_SLOT(2));
    assert_true(r.values[0] == 1);
    assert_true(r.values[2] == 0x213353522d494d56u);
    assert_true(r.values[3] == 0x213453522d494d56u);
    assert_true(r.has_result && r.result == 77);
}

static void table_init_errors(void **state)
{
    (void)state;
    struct probe pr;
    memset(&pr, 0, sizeof pr);
    struct vw_bridge_handler h[2] = { mk(false, 0, 1, &pr), mk(false, 0, 2, &pr) };
    struct vw_bridge_index_entry idx[2];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 1), VW_E_NOSPACE);
    assert_null(t.handlers);
    assert_int_equal(vw_bridge_table_init(&t, h, 2, NULL, 2), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_table_init(&t, NULL, 2, idx, 2), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_table_init(NULL, h, 2, idx, 2), VW_E_INVALID_ARG);
    h[1].handle = NULL;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2), VW_E_INVALID_ARG);
    h[1].handle = probe_cb;
    h[1].verify_present = 0x10;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2), VW_E_INVALID_ARG);
    h[1].verify_present = 0;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2), VW_OK);

    /* an empty table is fine and matches nothing */
    assert_int_equal(vw_bridge_table_init(&t, NULL, 0, NULL, 0), VW_OK);
    size_t pos = 99;
    assert_int_equal(vw_bridge_table_find(&t, 0, 0, &pos), VW_E_NO_MATCH);
    assert_int_equal(pos, 0);
    struct vw_bridge_packet p = pkt(0, 0, 0);
    struct vw_bridge_response r;
    assert_int_equal(vw_bridge_dispatch(&t, &p, &r, NULL), VW_E_NO_MATCH);
    assert_int_equal(vw_bridge_dispatch(&t, NULL, &r, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_dispatch(NULL, &p, &r, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_dispatch(&t, &p, NULL, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_table_find(&t, 0, 0, NULL), VW_E_INVALID_ARG);
}

/* ---- indexed lookup == linear scan ---------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u; /* test-only; fixed seed */

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static size_t linear_find(const struct vw_bridge_handler *h, size_t n, uint32_t magic, uint16_t request)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].request == request && (!h[i].has_magic || h[i].magic == magic))
            return i;
    return n;
}

static uint32_t pick_magic(void)
{
    /* a few magics that collide often, plus the extremes */
    static const uint32_t m[] = { 0, 1, 2, 3, 0x42494d56u, 0xffffffffu, 0x80000000u };
    return m[rnd(sizeof m / sizeof m[0])];
}

static uint16_t pick_request(void)
{
    static const uint16_t rq[] = { 0, 1, 2, 3, 4, 5, 0x7fff, 0x8000, 0xffff };
    return rq[rnd(sizeof rq / sizeof rq[0])];
}

#define MAXH 300

static void index_equals_linear_scan(void **state)
{
    (void)state;
    static struct vw_bridge_handler h[MAXH];
    static struct vw_bridge_index_entry idx[MAXH];
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    size_t checked = 0, matched = 0;
    for (int round = 0; round < 400; round++) {
        size_t n = round < 20 ? (size_t)round : 1 + rnd(MAXH);
        unsigned wild_pct = rnd(100);
        for (size_t i = 0; i < n; i++)
            h[i] = mk(rnd(100) >= wild_pct, pick_magic(), pick_request(), &dummy);
        struct vw_bridge_table t;
        assert_int_equal(vw_bridge_table_init(&t, h, n, idx, MAXH), VW_OK);
        for (int k = 0; k < 200; k++) {
            uint32_t magic = rnd(8) == 0 ? (uint32_t)rng_state : pick_magic();
            uint16_t request = rnd(16) == 0 ? (uint16_t)rng_state : pick_request();
            size_t pos = 424242;
            vw_status st = vw_bridge_table_find(&t, magic, request, &pos);
            size_t want = linear_find(h, n, magic, request);
            assert_int_equal(pos, want);
            assert_int_equal(st, want == n ? VW_E_NO_MATCH : VW_OK);
            checked++;
            matched += want != n;
        }
    }
    /* the random tables must exercise both outcomes a lot */
    assert_true(matched > checked / 4);
    assert_true(matched < checked - checked / 10);
}

/* Every handler of a table that a linear scan can reach is reached through
 * dispatch too, with its own callback. */
static void every_reachable_handler_dispatches(void **state)
{
    (void)state;
    enum { N = 64 };
    static struct probe pr[N];
    struct vw_bridge_handler h[N];
    struct vw_bridge_index_entry idx[N];
    memset(pr, 0, sizeof pr);
    for (size_t i = 0; i < N; i++) {
        pr[i].ret = VW_OK;
        pr[i].answer.values[1] = i;
        pr[i].answer.present = VW_BRIDGE_SLOT(2);
        h[i] = mk(rnd(3) != 0, pick_magic(), pick_request(), &pr[i]);
    }
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, N, idx, N), VW_OK);
    for (size_t i = 0; i < N; i++) {
        uint32_t magic = h[i].has_magic ? h[i].magic : 0x5a5a5a5au;
        size_t want = linear_find(h, N, magic, h[i].request);
        struct vw_bridge_packet p = pkt(magic, h[i].request, 0);
        struct vw_bridge_response r;
        size_t who;
        int before = pr[want].calls;
        assert_int_equal(vw_bridge_dispatch(&t, &p, &r, &who), VW_OK);
        assert_int_equal(who, want);
        assert_int_equal(pr[want].calls, before + 1);
        assert_true(r.values[1] == want);
    }
}

/* ---- serve: read + dispatch + write -------------------------------------------- */

static void serve_outcomes(void **state)
{
    (void)state;
    struct probe pr[2];
    memset(pr, 0, sizeof pr);
    pr[0].ret = VW_OK;
    pr[0].answer = (struct vw_bridge_response){ { 0x10, 0x20, 0, 0 }, VW_BRIDGE_SLOT(1), true, 0x2 };
    pr[1].ret = VW_E_BAD_VALUE;
    struct vw_bridge_handler h[2] = { mk(true, VW_BRIDGE_VMIB_MAGIC, 1, &pr[0]), mk(true, VW_BRIDGE_VMIB_MAGIC, 2, &pr[1]) };
    h[0].verify_present = VW_BRIDGE_SLOT(4);
    h[0].verify[3] = VW_BRIDGE_VMIB_VERIFY4;
    struct vw_bridge_index_entry idx[2];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2), VW_OK);

    struct vw_bridge_regs base;
    memset(&base, 0, sizeof base);
    base.mode = VW_BRIDGE_MODE_64;
    base.rax = 0x22;
    base.rdi = 0x18;
    base.rbx = 0xbb;
    base.rcx = VW_BRIDGE_VMIB_MAGIC;
    base.rdx = 0xffff0001; /* request 1, method 0xffff */
    base.rip = 0x1000;

    struct vw_bridge_regs r = base;
    struct vw_bridge_response resp;
    size_t who;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who), VW_OK);
    assert_int_equal(who, 0);
    assert_true(r.rax == 0x10 && r.rbx == 0xbb && r.rcx == VW_BRIDGE_VMIB_MAGIC);
    assert_true(r.rdx == 0x213453522d494d56u && r.rip == 0x1003);
    assert_true(resp.has_result && resp.result == 2);

    /* no match: only RIP moves */
    r = base;
    r.rcx = 1;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who), VW_E_NO_MATCH);
    assert_int_equal(who, 2);
    assert_true(r.rax == 0x22 && r.rdx == 0xffff0001 && r.rip == 0x1003);

    /* no response: only RIP moves */
    pr[0].ret = VW_E_NO_RESPONSE;
    r = base;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who), VW_E_NO_RESPONSE);
    assert_true(r.rax == 0x22 && r.rdx == 0xffff0001 && r.rip == 0x1003);
    assert_false(resp.has_result);

    /* a callback's own failure: nothing moves */
    r = base;
    r.rdx = 2;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who), VW_E_BAD_VALUE);
    assert_true(r.rip == 0x1000 && r.rdx == 2);

    /* bad mode: nothing moves, no callback */
    int calls = pr[0].calls;
    r = base;
    r.mode = VW_BRIDGE_MODE_OTHER;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, &who), VW_E_BAD_MODE);
    assert_true(r.rip == 0x1000 && r.rax == 0x22);
    assert_int_equal(pr[0].calls, calls);

    /* bad arguments */
    r = base;
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, 16, &resp, &who), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_serve(&t, &r, (enum vw_bridge_trigger)9, 3, &resp, &who), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_serve(NULL, &r, VW_BRIDGE_VMCALL, 3, &resp, &who), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_serve(&t, NULL, VW_BRIDGE_VMCALL, 3, &resp, &who), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_serve(&t, &r, VW_BRIDGE_VMCALL, 3, NULL, &who), VW_E_INVALID_ARG);
    assert_true(r.rip == 0x1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_match_in_table_order),
        cmocka_unit_test(no_response_stops_dispatch),
        cmocka_unit_test(verify_values_override),
        cmocka_unit_test(table_init_errors),
        cmocka_unit_test(index_equals_linear_scan),
        cmocka_unit_test(every_reachable_handler_dispatches),
        cmocka_unit_test(serve_outcomes),
    };
    return cmocka_run_group_tests_name("bridge_dispatch", tests, NULL, NULL);
}
