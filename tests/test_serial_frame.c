/* Unit tests of serial framing: the frame encoder and the streaming deframer
 * (src/serial/frame.c, deframer.c), rules SER-FRAME-*. The central property
 * is chunking invariance: the same stream cut into pieces of every size gives
 * the same events, and the same events as a whole-buffer model of the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/serial.h"
#include "vmwire/engine.h"

/* Every deframer feed below also checks the engine contract: state() always
 * wants input and says PARTIAL whenever bytes are held. */
static vw_status checked_deframer_feed(struct vw_serial_deframer *d, const uint8_t *in, size_t len,
                                       struct vw_serial_event *ev, size_t *used)
{
    vw_status s = vw_serial_deframer_feed(d, in, len, ev, used);
    if (d) {
        unsigned st = vw_serial_deframer_state(d);
        assert_true(st & VW_ENGINE_WANT_INPUT);
        assert_false(st & (VW_ENGINE_HAVE_OUTPUT | VW_ENGINE_FAILED | VW_ENGINE_WAIT_APP));
        if (vw_serial_deframer_pending(d))
            assert_true(st & VW_ENGINE_PARTIAL);
    }
    return s;
}
#define vw_serial_deframer_feed checked_deframer_feed

/* ---- events as comparable records --------------------------------------- */

#define MAX_EVENTS 4096

struct rec {
    int kind;          /* 1 frame, 2 error */
    vw_status error;
    size_t skipped;
    size_t len;
    uint8_t data[2600]; /* reference frames of junk streams may reach 2500 bytes */
};

struct log {
    size_t n;
    size_t pending;
    struct rec ev[MAX_EVENTS];
};

static void add_event(struct log *lg, const struct vw_serial_event *ev)
{
    assert_true(lg->n < MAX_EVENTS);
    struct rec *r = &lg->ev[lg->n++];
    memset(r, 0, sizeof *r);
    r->kind = (int)ev->kind;
    if (ev->kind == VW_SERIAL_EV_FRAME) {
        assert_true(ev->len <= sizeof r->data);
        r->len = ev->len;
        if (ev->len)
            memcpy(r->data, ev->payload, ev->len);
    } else {
        r->error = ev->error;
        r->skipped = ev->skipped;
    }
}

/* Feed @p s cut into pieces of @p chunk bytes (0: a random cut each time). */
static void run(const struct vw_serial_deframer_config *cfg, const uint8_t *s, size_t n,
                size_t chunk, unsigned seed, struct log *lg)
{
    struct vw_serial_deframer d;
    assert_int_equal(vw_serial_deframer_init(&d, cfg), VW_OK);
    lg->n = 0;
    size_t pos = 0;
    while (pos < n) {
        size_t k = chunk;
        if (!k) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % 40;
        }
        if (k > n - pos)
            k = n - pos;
        /* copy the piece, so that a frame held across feeds cannot point into it */
        uint8_t *piece = malloc(k);
        assert_non_null(piece);
        memcpy(piece, s + pos, k);
        const uint8_t *p = piece;
        size_t left = k;
        struct vw_serial_event ev;
        do {
            size_t used;
            vw_status st = vw_serial_deframer_feed(&d, p, left, &ev, &used);
            assert_true(used <= left);
            if (ev.kind == VW_SERIAL_EV_ERROR)
                assert_int_equal(st, ev.error);
            else
                assert_int_equal(st, VW_OK);
            if (ev.kind != VW_SERIAL_EV_NONE)
                add_event(lg, &ev);
            else
                assert_int_equal(used, left); /* no event: everything consumed */
            p += used;
            left -= used;
        } while (left); /* the documented loop: until all is consumed */
        free(piece);
        pos += k;
    }
    lg->pending = vw_serial_deframer_pending(&d);
    /* counters agree with the events */
    uint64_t frames = 0, rejected = 0, skipped = 0;
    for (size_t i = 0; i < lg->n; i++) {
        if (lg->ev[i].kind == VW_SERIAL_EV_FRAME) {
            frames++;
        } else {
            rejected++;
            skipped += lg->ev[i].skipped;
        }
    }
    assert_int_equal(vw_serial_deframer_frames(&d), frames);
    assert_int_equal(vw_serial_deframer_rejected(&d), rejected);
    assert_int_equal(vw_serial_deframer_skipped(&d), skipped);
}

/* A whole-buffer model of SER-FRAME-3..9, written independently of the engine. */
/* A model of instar's SerialDecoder::add_byte (SER-FRAME-11), written from the
 * Rust code: a plain array, one byte appended at a time. */
static void model_reference(const struct vw_serial_deframer_config *cfg, const uint8_t *s,
                            size_t n, struct log *lg)
{
    static uint8_t buf[3000];
    size_t have = 0;
    lg->n = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(have < sizeof buf);
        buf[have++] = s[i];
        if (have < 2)
            continue;
        size_t L = (size_t)buf[0] | (size_t)buf[1] << 8;
        if (have < 2 + L)
            continue;
        size_t off;
        vw_status bad = cfg->check ? cfg->check(NULL, buf + 2, L, &off) : VW_OK;
        struct rec *r = &lg->ev[lg->n++];
        memset(r, 0, sizeof *r);
        size_t drop;
        if (bad == VW_OK) {
            r->kind = VW_SERIAL_EV_FRAME;
            r->len = L;
            memcpy(r->data, buf + 2, L);
            drop = 2 + L;
        } else {
            r->kind = VW_SERIAL_EV_ERROR;
            r->error = bad;
            r->skipped = 1;
            drop = 1;
        }
        memmove(buf, buf + drop, have - drop);
        have -= drop;
    }
    lg->pending = have;
}

static void model(const struct vw_serial_deframer_config *cfg, const uint8_t *s, size_t n,
                  struct log *lg)
{
    if (cfg->policy == VW_SERIAL_POLICY_REFERENCE) {
        model_reference(cfg, s, n, lg);
        return;
    }
    size_t limit = cfg->limit ? cfg->limit : 600;
    size_t pos = 0;
    lg->n = 0;
    lg->pending = 0;
    while (pos < n) {
        if (n - pos < 2) {
            lg->pending = n - pos;
            return;
        }
        size_t L = (size_t)s[pos] | (size_t)s[pos + 1] << 8;
        vw_status bad = VW_OK;
        size_t off;
        if (L > limit) {
            bad = VW_E_TOO_LONG;
        } else if (L == 0 && cfg->reject_empty) {
            bad = VW_E_BAD_FRAME;
        } else if (n - pos < 2 + L) {
            lg->pending = n - pos;
            return;
        } else if (cfg->check) {
            bad = cfg->check(NULL, s + pos + 2, L, &off);
        }
        struct rec *r = &lg->ev[lg->n++];
        memset(r, 0, sizeof *r);
        if (bad == VW_OK) {
            r->kind = VW_SERIAL_EV_FRAME;
            r->len = L;
            memcpy(r->data, s + pos + 2, L);
            pos += 2 + L;
        } else {
            r->kind = VW_SERIAL_EV_ERROR;
            r->error = bad;
            r->skipped = cfg->policy == VW_SERIAL_POLICY_DROP ? 2 + L : 1;
            pos += r->skipped;
        }
    }
}

static void assert_same(const struct log *a, const struct log *b, const char *what)
{
    if (a->n != b->n || a->pending != b->pending)
        fail_msg("%s: %zu events / %zu pending vs %zu / %zu", what, a->n, a->pending, b->n,
                 b->pending);
    for (size_t i = 0; i < a->n; i++) {
        const struct rec *x = &a->ev[i], *y = &b->ev[i];
        if (x->kind != y->kind || x->error != y->error || x->skipped != y->skipped ||
            x->len != y->len || memcmp(x->data, y->data, x->len) != 0)
            fail_msg("%s: event %zu differs", what, i);
    }
}

static struct log la, lb;

/* SER-FRAME-4: every chunk size 1..N gives the same events as the model. */
static void check_all_chunkings(const struct vw_serial_deframer_config *cfg, const uint8_t *s,
                                size_t n)
{
    model(cfg, s, n, &lb);
    for (size_t chunk = 1; chunk <= n; chunk++) {
        run(cfg, s, n, chunk, 0, &la);
        char what[64];
        snprintf(what, sizeof what, "chunk size %zu", chunk);
        assert_same(&la, &lb, what);
    }
    for (unsigned seed = 1; seed < 20; seed++) {
        run(cfg, s, n, 0, seed, &la);
        assert_same(&la, &lb, "random cuts");
    }
}

/* ---- tests ---------------------------------------------------------------- */

static void frame_encode(void **state)
{
    (void)state;
    uint8_t out[700], pay[700];
    size_t n;
    memset(pay, 0x5a, sizeof pay);
    assert_int_equal(vw_serial_frame_encode(pay, 3, 0, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 5);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 0);
    assert_memory_equal(out + 2, pay, 3);
    /* 600 is the default limit; 601 is refused and nothing written */
    assert_int_equal(vw_serial_frame_encode(pay, 600, 0, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 602);
    assert_int_equal(out[0], 0x58);
    assert_int_equal(out[1], 0x02);
    assert_int_equal(vw_serial_frame_encode(pay, 601, 0, out, sizeof out, &n), VW_E_TOO_LONG);
    assert_int_equal(n, 0);
    /* a configured limit */
    assert_int_equal(vw_serial_frame_encode(pay, 601, 700, out, sizeof out, &n), VW_OK);
    assert_int_equal(vw_serial_frame_encode(pay, 5, 4, out, sizeof out, &n), VW_E_TOO_LONG);
    assert_int_equal(vw_serial_frame_encode(pay, 5, 70000, out, sizeof out, &n), VW_E_INVALID_ARG);
    /* zero-length frame */
    assert_int_equal(vw_serial_frame_encode(NULL, 0, 0, out, sizeof out, &n), VW_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0] | out[1], 0);
    /* too small: size needed, and not a byte written (SER-FRAME-10) */
    memset(out, 0xee, sizeof out);
    assert_int_equal(vw_serial_frame_encode(pay, 10, 0, out, 11, &n), VW_E_NOSPACE);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < 11; i++)
        assert_int_equal(out[i], 0xee);
    assert_int_equal(vw_serial_frame_encode(pay, 10, 0, out, 1, &n), VW_E_NOSPACE);
    assert_int_equal(out[0], 0xee);
    assert_int_equal(vw_serial_frame_encode(pay, 10, 0, NULL, 0, &n), VW_E_NOSPACE);
    assert_int_equal(n, 12);
    assert_int_equal(vw_serial_frame_encode(NULL, 1, 0, out, sizeof out, &n), VW_E_INVALID_ARG);
}

static void init_rejects_bad_config(void **state)
{
    (void)state;
    struct vw_serial_deframer d;
    struct vw_serial_deframer_config c;
    memset(&c, 0, sizeof c);
    assert_int_equal(vw_serial_deframer_init(&d, NULL), VW_OK);
    c.limit = 601; /* own storage holds 602 bytes */
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    uint8_t big[2 + 2000];
    c.buf = big;
    c.buf_cap = sizeof big;
    c.limit = 2000;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    c.limit = 2001;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    c.limit = 70000;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    c.limit = 0;
    c.policy = (enum vw_serial_policy)7;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    assert_int_equal(vw_serial_deframer_init(NULL, NULL), VW_E_INVALID_ARG);
}

/* A frame that arrives whole in one feed is not copied (no more than needed). */
static void whole_frames_are_not_copied(void **state)
{
    (void)state;
    static const uint8_t s[] = { 2, 0, 8, 1, 3, 0, 8, 2, 0x10, 1 };
    struct vw_serial_deframer d;
    struct vw_serial_event ev;
    size_t used;
    assert_int_equal(vw_serial_deframer_init(&d, NULL), VW_OK);
    assert_int_equal(vw_serial_deframer_feed(&d, s, sizeof s, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(ev.type, VW_SERIAL_EV_FRAME); /* the deprecated name reads the same member */
    assert_ptr_equal(ev.payload, s + 2);
    assert_int_equal(used, 4);
    assert_int_equal(vw_serial_deframer_feed(&d, s + 4, sizeof s - 4, &ev, &used), VW_OK);
    assert_ptr_equal(ev.payload, s + 6);
    assert_int_equal(ev.len, 3);
    assert_int_equal(used, 5);
    /* one byte left: held, not yet an event */
    assert_int_equal(vw_serial_deframer_feed(&d, s + 9, 1, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_NONE);
    assert_int_equal(vw_serial_deframer_pending(&d), 1);
    /* the rest arrives: the frame comes from the deframer's own storage */
    static const uint8_t t[] = { 0, 0xaa, 0xbb };
    assert_int_equal(vw_serial_deframer_feed(&d, t, 1, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_NONE);
    assert_int_equal(vw_serial_deframer_feed(&d, t + 1, 2, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(ev.len, 1);
    assert_int_equal(ev.payload[0], 0xaa);
    assert_int_equal(used, 1); /* only the byte the frame needed */
    assert_int_equal(vw_serial_deframer_pending(&d), 0);
}

/* SER-FRAME-6/7: hand-derived outcomes and counters. */
static void policies_and_counters(void **state)
{
    (void)state;
    /* limit 4: a 5-byte frame, then a good one */
    static const uint8_t s[] = { 5, 0, 1, 2, 3, 4, 5, 2, 0, 8, 1 };
    struct vw_serial_deframer_config c;
    memset(&c, 0, sizeof c);
    c.limit = 4;
    c.policy = VW_SERIAL_POLICY_DROP;
    run(&c, s, sizeof s, sizeof s, 0, &la);
    assert_int_equal(la.n, 2);
    assert_int_equal(la.ev[0].error, VW_E_TOO_LONG);
    assert_int_equal(la.ev[0].skipped, 7);
    assert_int_equal(la.ev[1].kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(la.ev[1].len, 2);

    /* resync: 00 05 is 0x0500 > 4, ... 05 02 is 0x0205, then 02 00 08 01 */
    c.policy = VW_SERIAL_POLICY_RESYNC;
    run(&c, s, sizeof s, sizeof s, 0, &la);
    assert_int_equal(la.n, 8);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(la.ev[i].error, VW_E_TOO_LONG);
        assert_int_equal(la.ev[i].skipped, 1);
    }
    assert_int_equal(la.ev[7].kind, VW_SERIAL_EV_FRAME);

    /* the error offset names the byte that decided: the high length byte */
    struct vw_serial_deframer d;
    struct vw_serial_event ev;
    size_t used;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    assert_int_equal(vw_serial_deframer_feed(&d, s, sizeof s, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(vw_serial_deframer_error_offset(&d), 1);
    assert_int_equal(used, 1);

    /* zero-length frames */
    static const uint8_t z[] = { 0, 0, 2, 0, 8, 1 };
    memset(&c, 0, sizeof c);
    run(&c, z, sizeof z, 1, 0, &la);
    assert_int_equal(la.n, 2);
    assert_int_equal(la.ev[0].kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(la.ev[0].len, 0);
    c.reject_empty = true;
    c.policy = VW_SERIAL_POLICY_DROP;
    run(&c, z, sizeof z, 1, 0, &la);
    assert_int_equal(la.n, 2);
    assert_int_equal(la.ev[0].error, VW_E_BAD_FRAME);
    assert_int_equal(la.ev[0].skipped, 2);
}

/* SER-FRAME-7: the announced rest of an oversize frame is thrown away as it comes. */
static void drop_discards_without_storing(void **state)
{
    (void)state;
    struct vw_serial_deframer_config c;
    memset(&c, 0, sizeof c);
    c.policy = VW_SERIAL_POLICY_DROP;
    struct vw_serial_deframer d;
    struct vw_serial_event ev;
    size_t used;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    static const uint8_t h[] = { 0xff, 0xff };
    assert_int_equal(vw_serial_deframer_feed(&d, h, 2, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(ev.skipped, 65537);
    assert_int_equal(vw_serial_deframer_skipped(&d), 65537);
    uint8_t junk[4096];
    memset(junk, 2, sizeof junk);
    size_t total = 0;
    for (int i = 0; i < 16; i++) {
        size_t k = i < 15 ? sizeof junk : sizeof junk - 1; /* 65535 bytes in all */
        assert_int_equal(vw_serial_deframer_feed(&d, junk, k, &ev, &used), VW_OK);
        assert_int_equal(ev.kind, VW_SERIAL_EV_NONE);
        assert_int_equal(vw_serial_deframer_pending(&d), 0);
        assert_int_equal(used, k);
        total += used;
    }
    assert_int_equal(total, 65535);
    /* the rest is over: a frame follows in the same stream */
    static const uint8_t t[] = { 1, 0, 0x42 };
    assert_int_equal(vw_serial_deframer_feed(&d, t, sizeof t, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(ev.len, 1);
    assert_int_equal(ev.payload[0], 0x42);
}

static size_t build_stream(uint8_t *s, size_t cap, unsigned seed, bool junk)
{
    size_t n = 0;
    struct vw_serial_guest_message m;
    uint8_t pay[VW_SERIAL_MAX_FRAME];
    while (n + VW_SERIAL_MAX_FRAME + 8 < cap) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 16;
        size_t w = 0;
        switch (r % 7) {
        case 0:
            vw_serial_build_init(&m, "probe", "input", r);
            break;
        case 1:
            vw_serial_build_progress(&m, "copy", r, 1000, r % 101);
            break;
        case 2: {
            struct vw_serial_info_args a = { "qcow2", 3, r, r, 65536, 1, "/some/backing/file", "" };
            vw_serial_build_info_result(&m, &a);
            break;
        }
        case 3:
            vw_serial_build_error(&m, "write", "output", r, 1);
            break;
        case 4: /* a zero-length frame */
            s[n++] = 0;
            s[n++] = 0;
            continue;
        case 5: /* junk bytes, if allowed */
            if (junk) {
                size_t k = 1 + r % 5;
                for (size_t i = 0; i < k; i++)
                    s[n++] = (uint8_t)(r >> i);
            }
            continue;
        default: /* a frame whose payload does not decode */
            if (junk) {
                s[n++] = 3;
                s[n++] = 0;
                s[n++] = 0x12;
                s[n++] = 0x05;
                s[n++] = 0x0a;
            }
            continue;
        }
        assert_int_equal(vw_serial_guest_message_encode(&m, pay, sizeof pay, &w), VW_OK);
        size_t fw;
        assert_int_equal(vw_serial_frame_encode(pay, w, 0, s + n, cap - n, &fw), VW_OK);
        n += fw;
    }
    return n;
}

static void chunking_invariance_clean(void **state)
{
    (void)state;
    static uint8_t s[3000];
    size_t n = build_stream(s, sizeof s, 7, false);
    struct vw_serial_deframer_config c;
    memset(&c, 0, sizeof c);
    check_all_chunkings(&c, s, n);
    /* no junk: every frame yielded, none rejected */
    for (size_t i = 0; i < lb.n; i++)
        assert_int_equal(lb.ev[i].kind, VW_SERIAL_EV_FRAME);
    assert_true(lb.n > 5);
    c.check = vw_serial_check_guest_message;
    check_all_chunkings(&c, s, n);
    for (size_t i = 0; i < lb.n; i++)
        assert_int_equal(lb.ev[i].kind, VW_SERIAL_EV_FRAME);
}

static void chunking_invariance_junk(void **state)
{
    (void)state;
    static uint8_t s[2500];
    struct vw_serial_deframer_config c;
    for (unsigned seed = 1; seed <= 3; seed++) {
        size_t n = build_stream(s, sizeof s, seed, true);
        for (int variant = 0; variant < 8; variant++) {
            memset(&c, 0, sizeof c);
            c.policy = variant & 1 ? VW_SERIAL_POLICY_DROP : VW_SERIAL_POLICY_RESYNC;
            c.reject_empty = (variant & 2) != 0;
            c.check = variant & 4 ? vw_serial_check_guest_message : NULL;
            check_all_chunkings(&c, s, n);
            size_t errors = 0;
            for (size_t i = 0; i < lb.n; i++)
                errors += lb.ev[i].kind == VW_SERIAL_EV_ERROR;
            if (c.check || c.reject_empty)
                assert_true(errors > 0);
        }
    }
    /* a small limit and larger storage than the frames need */
    uint8_t store[2 + 9000];
    size_t n = build_stream(s, sizeof s, 9, true);
    memset(&c, 0, sizeof c);
    c.limit = 40;
    check_all_chunkings(&c, s, n);
    c.limit = 9000;
    c.buf = store;
    c.buf_cap = sizeof store;
    check_all_chunkings(&c, s, n);
}

/* ---- the reference policy (SER-FRAME-11) ------------------------------------- */

static uint8_t refstore[2 * VW_SERIAL_REFERENCE_BUF_MIN];

static void reference_config(struct vw_serial_deframer_config *c, vw_serial_check_fn check,
                             size_t cap)
{
    memset(c, 0, sizeof *c);
    c->policy = VW_SERIAL_POLICY_REFERENCE;
    c->check = check;
    c->buf = refstore;
    c->buf_cap = cap;
}

static void reference_init_rules(void **state)
{
    (void)state;
    struct vw_serial_deframer d;
    struct vw_serial_deframer_config c;
    reference_config(&c, NULL, VW_SERIAL_REFERENCE_BUF_MIN);
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    c.limit = VW_SERIAL_MAX_LIMIT; /* the only limit it has */
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    c.limit = 600;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    c.limit = 0;
    c.reject_empty = true;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    c.reject_empty = false;
    c.buf_cap = VW_SERIAL_REFERENCE_BUF_MIN - 1;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
    c.buf = NULL;
    c.buf_cap = 0;
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_E_INVALID_ARG);
}

/* Hand-derived from add_byte: the stall, the late delivery, the offsets. */
static void reference_stall_and_late_delivery(void **state)
{
    (void)state;
    struct vw_serial_deframer_config c;
    struct vw_serial_deframer d;
    struct vw_serial_event ev;
    size_t used;
    reference_config(&c, vw_serial_check_guest_message_micropb, VW_SERIAL_REFERENCE_BUF_MIN);

    /* ff ff announces 65535 bytes: the frame after it is swallowed */
    static const uint8_t st[] = { 0xff, 0xff, 2, 0, 8, 1 };
    run(&c, st, sizeof st, 1, 0, &la);
    assert_int_equal(la.n, 0);
    assert_int_equal(la.pending, 6);

    /* the buffer fills up to the announced 65537 bytes, then one attempt */
    assert_int_equal(vw_serial_deframer_init(&d, &c), VW_OK);
    static uint8_t zeros[65535];
    assert_int_equal(vw_serial_deframer_feed(&d, st, 2, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_NONE);
    assert_int_equal(vw_serial_deframer_feed(&d, zeros, sizeof zeros, &ev, &used),
                     VW_E_BAD_FIELD_NUMBER); /* 65535 zero bytes: tag 00 is field 0 */
    assert_int_equal(used, sizeof zeros);
    assert_int_equal(ev.skipped, 1);
    assert_int_equal(vw_serial_deframer_error_offset(&d), sizeof zeros - 1);
    assert_int_equal(vw_serial_deframer_pending(&d), 65536);
    /* next byte: ff 00 announces 255 zero bytes, which fail again; one byte goes */
    assert_int_equal(vw_serial_deframer_feed(&d, zeros, 1, &ev, &used), VW_E_BAD_FIELD_NUMBER);
    assert_int_equal(vw_serial_deframer_pending(&d), 65536);
    /* then 00 00: an empty frame per byte, two bytes out per byte in */
    assert_int_equal(vw_serial_deframer_feed(&d, zeros, 5, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(ev.len, 0);
    assert_int_equal(used, 1);
    assert_int_equal(vw_serial_deframer_pending(&d), 65535);

    /* a bad frame holding two frames: nothing more until later bytes arrive */
    static const uint8_t late[] = { 5, 0, 0, 2, 0, 8, 1, 0xff };
    run(&c, late, 7, 7, 0, &la);
    assert_int_equal(la.n, 1);
    assert_int_equal(la.ev[0].error, VW_E_BAD_FIELD_NUMBER);
    assert_int_equal(la.pending, 6);
    run(&c, late, 8, 1, 0, &la);
    assert_int_equal(la.n, 2);
    assert_int_equal(la.ev[1].kind, VW_SERIAL_EV_FRAME);
    assert_int_equal(la.ev[1].len, 0);
    assert_int_equal(la.pending, 5); /* 02 00 08 01 ff: a complete frame, never delivered */

    /* without a check every complete frame is good, whatever its length */
    reference_config(&c, NULL, VW_SERIAL_REFERENCE_BUF_MIN);
    static uint8_t big[2 + 1000];
    big[0] = 1000 & 0xff;
    big[1] = 1000 >> 8;
    run(&c, big, sizeof big, 333, 0, &la);
    assert_int_equal(la.n, 1);
    assert_int_equal(la.ev[0].len, 1000);
    assert_int_equal(la.pending, 0);
}

static void chunking_invariance_reference(void **state)
{
    (void)state;
    static uint8_t s[2500];
    struct vw_serial_deframer_config c;
    vw_serial_check_fn checks[] = { NULL, vw_serial_check_guest_message_micropb,
                                    vw_serial_check_guest_message };
    for (unsigned seed = 1; seed <= 2; seed++) {
        size_t n = build_stream(s, sizeof s, seed, true);
        for (size_t k = 0; k < 3; k++) {
            /* the smallest storage makes the buffer compact often */
            reference_config(&c, checks[k], k == 1 ? VW_SERIAL_REFERENCE_BUF_MIN : sizeof refstore);
            check_all_chunkings(&c, s, n);
        }
    }
    /* a clean stream: every frame is delivered, at the byte that completes it */
    size_t n = build_stream(s, sizeof s, 7, false);
    reference_config(&c, vw_serial_check_guest_message_micropb, sizeof refstore);
    check_all_chunkings(&c, s, n);
    assert_int_equal(lb.pending, 0);
    for (size_t i = 0; i < lb.n; i++)
        assert_int_equal(lb.ev[i].kind, VW_SERIAL_EV_FRAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_encode),
        cmocka_unit_test(init_rejects_bad_config),
        cmocka_unit_test(whole_frames_are_not_copied),
        cmocka_unit_test(policies_and_counters),
        cmocka_unit_test(drop_discards_without_storing),
        cmocka_unit_test(chunking_invariance_clean),
        cmocka_unit_test(chunking_invariance_junk),
        cmocka_unit_test(reference_init_rules),
        cmocka_unit_test(reference_stall_and_late_delivery),
        cmocka_unit_test(chunking_invariance_reference),
    };
    return cmocka_run_group_tests_name("serial_frame", tests, NULL, NULL);
}
