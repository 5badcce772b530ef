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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(6)];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 6, idx, VW_BRIDGE_INDEX_CAP(6), NULL), VW_OK);

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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(2)];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2), NULL), VW_OK);
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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(1)];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, &h, 1, idx, VW_BRIDGE_INDEX_CAP(1), NULL), VW_OK);
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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(2)];
    struct vw_bridge_table t;
    size_t need = 99;
    /* one entry short, and the size query (NULL, 0): NOSPACE with the size needed */
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2) - 1, &need), VW_E_NOSPACE);
    assert_int_equal(need, 4);
    assert_null(t.handlers);
    assert_int_equal(t.count, 0);
    need = 99;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, NULL, 0, &need), VW_E_NOSPACE);
    assert_int_equal(need, VW_BRIDGE_INDEX_CAP(2));
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 2, NULL), VW_E_NOSPACE);
    need = 99;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, NULL, 4, &need), VW_E_INVALID_ARG);
    assert_int_equal(need, 0);
    assert_int_equal(vw_bridge_table_init(&t, NULL, 2, idx, 4, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_table_init(NULL, h, 2, idx, 4, NULL), VW_E_INVALID_ARG);
    assert_int_equal(vw_bridge_table_init(&t, h, VW_BRIDGE_MAX_HANDLERS + 1, idx, 4, NULL), VW_E_INVALID_ARG);
    need = 0;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, 4, &need), VW_OK);
    assert_int_equal(need, 4);
    h[1].handle = NULL;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2), NULL), VW_E_INVALID_ARG);
    h[1].handle = probe_cb;
    h[1].verify_present = 0x10;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2), NULL), VW_E_INVALID_ARG);
    h[1].verify_present = 0;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2), NULL), VW_OK);

    /* an empty table is fine and matches nothing */
    need = 99;
    assert_int_equal(vw_bridge_table_init(&t, NULL, 0, NULL, 0, &need), VW_OK);
    assert_int_equal(need, 0);
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
    static struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(MAXH)];
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    size_t checked = 0, matched = 0;
    for (int round = 0; round < 400; round++) {
        size_t n = round < 20 ? (size_t)round : 1 + rnd(MAXH);
        unsigned wild_pct = rnd(100);
        for (size_t i = 0; i < n; i++)
            h[i] = mk(rnd(100) >= wild_pct, pick_magic(), pick_request(), &dummy);
        struct vw_bridge_table t;
        assert_int_equal(vw_bridge_table_init(&t, h, n, idx, VW_BRIDGE_INDEX_CAP(MAXH), NULL), VW_OK);
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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(N)];
    memset(pr, 0, sizeof pr);
    for (size_t i = 0; i < N; i++) {
        pr[i].ret = VW_OK;
        pr[i].answer.values[1] = i;
        pr[i].answer.present = VW_BRIDGE_SLOT(2);
        h[i] = mk(rnd(3) != 0, pick_magic(), pick_request(), &pr[i]);
    }
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, N, idx, VW_BRIDGE_INDEX_CAP(N), NULL), VW_OK);
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

/* ---- the hash index against a front-to-back scan ------------------------------- */

/* A second generator for the index tests, so that the tests above keep their
 * sequence; fixed seed, so every run checks the same tables. */
static uint64_t ix_state = 0x2545f4914f6cdd1du;

static uint64_t ix_next(void)
{
    ix_state ^= ix_state >> 12;
    ix_state ^= ix_state << 25;
    ix_state ^= ix_state >> 27;
    return ix_state * 0x2545f4914f6cdd1du;
}

static uint32_t ix_rnd(uint32_t n)
{
    return (uint32_t)(ix_next() % n);
}

/* Checks vw_bridge_table_find() for one packet against linear_find(). */
static void check_one(const struct vw_bridge_table *t, const struct vw_bridge_handler *h, size_t n,
                      uint32_t magic, uint16_t request, size_t *hits)
{
    size_t pos = 0x5a5a;
    vw_status st = vw_bridge_table_find(t, magic, request, &pos);
    size_t want = linear_find(h, n, magic, request);
    if (pos != want)
        fail_msg("n=%zu magic=%#x request=%#x: index gives %zu, scan gives %zu", n, (unsigned)magic,
                 (unsigned)request, pos, want);
    assert_int_equal(st, want == n ? VW_E_NO_MATCH : VW_OK);
    *hits += want != n;
}

/* Packets aimed at a table: each handler's own key, the same request with a
 * magic of another handler or an unused one, and unrelated packets. */
static void check_table(const struct vw_bridge_table *t, const struct vw_bridge_handler *h, size_t n,
                        size_t *checked, size_t *hits)
{
    for (size_t i = 0; i < n; i++) {
        uint16_t rq = h[i].request;
        check_one(t, h, n, h[i].magic, rq, hits);
        check_one(t, h, n, h[ix_rnd((uint32_t)n)].magic, rq, hits);
        check_one(t, h, n, (uint32_t)ix_next(), rq, hits);
        check_one(t, h, n, h[i].magic, (uint16_t)(rq + 1), hits);
        *checked += 4;
    }
    for (int k = 0; k < 64; k++) {
        check_one(t, h, n, (uint32_t)ix_next(), (uint16_t)ix_next(), hits);
        (*checked)++;
    }
}

#define IXMAX 400

/* Random tables of every shape: key pools from tiny (many duplicates and
 * shadowed handlers, wildcard and exact entries of one request in both
 * orders) to the whole key space (few duplicates), wildcard shares from none
 * to all, and sizes up to a full index (load factor 1/2, so keys collide and
 * runs wrap around the end of the index). */
static void hash_index_equals_scan(void **state)
{
    (void)state;
    static struct vw_bridge_handler h[IXMAX];
    static struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(IXMAX)];
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    size_t checked = 0, hits = 0, probing_tables = 0, worst_probe = 0;
    for (int round = 0; round < 600; round++) {
        size_t n = round < 40 ? (size_t)round : 1 + ix_rnd(IXMAX);
        uint32_t nreq = 1 + ix_rnd(round % 3 == 0 ? 4 : round % 3 == 1 ? 64 : 65536);
        uint32_t nmag = 1 + ix_rnd(round % 2 ? 3 : 100000);
        uint32_t wild_pct = ix_rnd(101);
        uint32_t mbase = (uint32_t)ix_next();
        for (size_t i = 0; i < n; i++) {
            uint32_t magic = ix_rnd(8) == 0 ? UINT32_MAX - ix_rnd(nmag) : mbase + ix_rnd(nmag);
            h[i] = mk(ix_rnd(100) >= wild_pct, magic, (uint16_t)(0xfff0u + ix_rnd(nreq)), &dummy);
        }
        /* garbage in the index must not matter */
        memset(idx, round & 1 ? 0xff : 0x00, sizeof idx);
        struct vw_bridge_table t;
        size_t need = 0;
        assert_int_equal(vw_bridge_table_init(&t, h, n, idx, VW_BRIDGE_INDEX_CAP(n), &need), VW_OK);
        assert_int_equal(need, 2 * n);
        check_table(&t, h, n, &checked, &hits);
        probing_tables += t.max_probe > 0;
        if (t.max_probe > worst_probe)
            worst_probe = t.max_probe;
    }
    /* both outcomes occur often, collisions occur, and runs stay short */
    assert_true(hits > checked / 4);
    assert_true(hits < checked - checked / 10);
    assert_true(probing_tables > 100);
    assert_true(worst_probe >= 3);
    assert_true(worst_probe < 48);
}

/* Tables where every request has a wildcard and exact handlers around it, in
 * both orders, with duplicates of each. */
static void wildcard_and_exact_orders(void **state)
{
    (void)state;
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    enum { R = 40 };
    static struct vw_bridge_handler h[R * 6];
    static struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(R * 6)];
    size_t n = 0;
    for (uint16_t r = 0; r < R; r++) {
        uint32_t m = 0x1000u + r % 3;
        switch (r % 4) {
        case 0: /* exact, wildcard, exact again, duplicate wildcard */
            h[n++] = mk(true, m, r, &dummy);
            h[n++] = mk(false, 0, r, &dummy);
            h[n++] = mk(true, m + 7, r, &dummy);
            h[n++] = mk(false, 0, r, &dummy);
            break;
        case 1: /* wildcard first: shadows every exact entry of the request */
            h[n++] = mk(false, 0, r, &dummy);
            h[n++] = mk(true, m, r, &dummy);
            h[n++] = mk(true, m, r, &dummy);
            break;
        case 2: /* only exact entries, with a duplicate */
            h[n++] = mk(true, m, r, &dummy);
            h[n++] = mk(true, m, r, &dummy);
            h[n++] = mk(true, m + 1, r, &dummy);
            break;
        default: /* only wildcards */
            h[n++] = mk(false, 0, r, &dummy);
            h[n++] = mk(false, 0, r, &dummy);
            break;
        }
    }
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, n, idx, VW_BRIDGE_INDEX_CAP(n), NULL), VW_OK);
    size_t checked = 0, hits = 0;
    for (uint16_t r = 0; r < R + 2; r++)
        for (uint32_t m = 0x1000u; m < 0x1010u; m++) {
            check_one(&t, h, n, m, r, &hits);
            checked++;
        }
    check_table(&t, h, n, &checked, &hits);

    /* spot checks of the expected positions */
    size_t pos;
    assert_int_equal(vw_bridge_table_find(&t, 0x1000u, 0, &pos), VW_OK);
    assert_int_equal(pos, 0); /* exact before wildcard */
    assert_int_equal(vw_bridge_table_find(&t, 0x1007u, 0, &pos), VW_OK);
    assert_int_equal(pos, 1); /* the wildcard comes before the later exact entry */
    assert_int_equal(vw_bridge_table_find(&t, 0x1001u, 1, &pos), VW_OK);
    assert_int_equal(pos, 4); /* wildcard first */
    assert_int_equal(vw_bridge_table_find(&t, 0x1002u, 2, &pos), VW_OK);
    assert_int_equal(pos, 7); /* the first of two duplicates */
    assert_int_equal(vw_bridge_table_find(&t, 0x1003u, 2, &pos), VW_OK);
    assert_int_equal(pos, 9);
    assert_int_equal(vw_bridge_table_find(&t, 0x1000u, 2, &pos), VW_E_NO_MATCH);
    assert_int_equal(pos, n);
    assert_int_equal(vw_bridge_table_find(&t, 0xdeadu, 3, &pos), VW_OK);
    assert_int_equal(pos, 10);
}

/* Many handlers sharing one request, or one magic, or all one key: the
 * shapes that crowd a hash index. */
static void crowded_keys(void **state)
{
    (void)state;
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    enum { N = 256 };
    static struct vw_bridge_handler h[N];
    static struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(N)];
    size_t checked = 0, hits = 0;
    for (int shape = 0; shape < 5; shape++) {
        for (size_t i = 0; i < N; i++) {
            switch (shape) {
            case 0: /* one request, consecutive magics, a wildcard in the middle */
                h[i] = mk(i != N / 2, (uint32_t)i, 7, &dummy);
                break;
            case 1: /* one magic, consecutive requests */
                h[i] = mk(true, VW_BRIDGE_VMIB_MAGIC, (uint16_t)i, &dummy);
                break;
            case 2: /* magics and requests spaced by powers of two */
                h[i] = mk(true, (uint32_t)1 << (i % 32), (uint16_t)(1u << (i / 32)), &dummy);
                break;
            case 3: /* all the same exact key */
                h[i] = mk(true, 5, 5, &dummy);
                break;
            default: /* all wildcards of consecutive requests, then exact shadows */
                h[i] = i < N / 2 ? mk(false, 0, (uint16_t)i, &dummy) : mk(true, 1, (uint16_t)(i - N / 2), &dummy);
                break;
            }
        }
        struct vw_bridge_table t;
        assert_int_equal(vw_bridge_table_init(&t, h, N, idx, VW_BRIDGE_INDEX_CAP(N), NULL), VW_OK);
        assert_true(t.max_probe < 48);
        check_table(&t, h, N, &checked, &hits);
        for (uint32_t m = 0; m < 40; m++)
            for (uint16_t r = 0; r < 12; r++) {
                check_one(&t, h, N, m, r, &hits);
                check_one(&t, h, N, (uint32_t)1 << (m % 32), (uint16_t)(1u << r), &hits);
            }
    }
}

/* The index needs VW_BRIDGE_INDEX_CAP(n) entries; less is NOSPACE with the
 * size reported and nothing written; more is fine and only the first entries
 * are used; the result is the same whatever the memory held before. */
static void index_capacity_and_determinism(void **state)
{
    (void)state;
    struct probe dummy;
    memset(&dummy, 0, sizeof dummy);
    enum { N = 37 };
    struct vw_bridge_handler h[N];
    for (size_t i = 0; i < N; i++)
        h[i] = mk(i % 3 != 0, 0x4000u + (uint32_t)(i % 5), (uint16_t)(i % 11), &dummy);
    static struct vw_bridge_index_entry a[VW_BRIDGE_INDEX_CAP(N) + 8], b[VW_BRIDGE_INDEX_CAP(N) + 8];
    struct vw_bridge_table t, u;

    for (size_t cap = 0; cap < VW_BRIDGE_INDEX_CAP(N); cap++) {
        memset(a, 0x3c, sizeof a);
        memset(&t, 0x77, sizeof t);
        size_t need = 0;
        assert_int_equal(vw_bridge_table_init(&t, h, N, cap ? a : NULL, cap, &need), VW_E_NOSPACE);
        assert_int_equal(need, VW_BRIDGE_INDEX_CAP(N));
        assert_null(t.handlers);
        assert_int_equal(t.count, 0);
        const unsigned char *raw = (const unsigned char *)a;
        for (size_t k = 0; k < sizeof a; k++)
            assert_int_equal(raw[k], 0x3c);
    }

    memset(a, 0x00, sizeof a);
    memset(b, 0xee, sizeof b);
    assert_int_equal(vw_bridge_table_init(&t, h, N, a, VW_BRIDGE_INDEX_CAP(N), NULL), VW_OK);
    assert_int_equal(vw_bridge_table_init(&u, h, N, b, VW_BRIDGE_INDEX_CAP(N) + 8, NULL), VW_OK);
    assert_memory_equal(a, b, VW_BRIDGE_INDEX_CAP(N) * sizeof a[0]);
    const unsigned char *tail = (const unsigned char *)&b[VW_BRIDGE_INDEX_CAP(N)];
    for (size_t k = 0; k < 8 * sizeof b[0]; k++)
        assert_int_equal(tail[k], 0xee); /* beyond the needed entries nothing is written */
    assert_int_equal(t.max_probe, u.max_probe);
    size_t checked = 0, hits = 0;
    check_table(&u, h, N, &checked, &hits);
    assert_true(hits > 0);
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
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(2)];
    struct vw_bridge_table t;
    assert_int_equal(vw_bridge_table_init(&t, h, 2, idx, VW_BRIDGE_INDEX_CAP(2), NULL), VW_OK);

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
        cmocka_unit_test(hash_index_equals_scan),
        cmocka_unit_test(wildcard_and_exact_orders),
        cmocka_unit_test(crowded_keys),
        cmocka_unit_test(index_capacity_and_determinism),
        cmocka_unit_test(serve_outcomes),
    };
    return cmocka_run_group_tests_name("bridge_dispatch", tests, NULL, NULL);
}
