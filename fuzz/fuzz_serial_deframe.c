/* Serial deframer (vw_serial_deframer_*) fed one stream in different
 * chunkings.
 *
 * Input: config:u8, plan_len:u8, plan[plan_len], then the stream.
 *   config bit 0: policy DROP (else RESYNC); bit 1: reject_empty;
 *   bits 2..3: content check (1 GuestMessage, 2 VmmConfig, 0 none), or 3: the
 *   REFERENCE policy (no limit, caller storage; bit 0 then a micropb
 *   GuestMessage check, else bit 1 a micropb VmmConfig check, else none);
 *   bits 4..7: payload limit (0: the default 600; 1..7 small limits in the
 *   deframer's own storage; 8..15 limits above 600 in caller storage).
 *   The plan gives chunk sizes (fz_chunk() in fuzz.h).
 * The stream is fed (a) whole, (b) in the plan's chunks, (c) one byte at a
 * time (streams up to 4 KiB). After each chunk is consumed the deframer is
 * drained with zero-length feeds until it reports no event: a rejection can
 * leave a header in the buffer whose fault is already decidable (a RESYNC
 * after a failed content check), and that decision comes out only on the
 * next call. Properties:
 *  - every call makes progress: it consumes bytes or yields an event;
 *  - the three runs yield the same events (kind, payload bytes, error,
 *    skipped count, check offset), the same counters and the same number
 *    of bytes left pending: chunking never changes what the deframer sees;
 *  - a frame's payload never exceeds the limit; an error's offset lies
 *    inside the chunk fed; frames + rejected equal the counters. */
#include "vmwire/serial.h"

#include "fuzz.h"

#define MAX_EVENTS 70000u
#define MAX_BYTES (1u << 17)

struct ev_rec {
    int type;
    vw_status error;
    size_t skipped, check_off, len, at; /* payload at payload_bytes[at] */
};

struct run {
    struct ev_rec ev[MAX_EVENTS];
    size_t n_ev;
    uint8_t bytes[MAX_BYTES];
    size_t n_bytes;
    uint64_t frames, rejected, skipped;
    size_t pending;
};

static struct run runs[3];
static struct vw_serial_deframer d;
static uint8_t big_buf[2 + 65535];

static const size_t small_limits[8] = {0, 1, 2, 5, 16, 100, 300, 599};
static const size_t big_limits[8] = {600, 601, 602, 700, 1024, 4096, 40000, 65535};

static void init(uint8_t c)
{
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (((c >> 2) & 3) == 3) {
        cfg.policy = VW_SERIAL_POLICY_REFERENCE;
        cfg.check = (c & 1)          ? vw_serial_check_guest_message_micropb
                    : ((c >> 1) & 1) ? vw_serial_check_vmm_config_micropb
                                     : NULL;
        cfg.buf = big_buf;
        cfg.buf_cap = sizeof big_buf;
        FUZZ_CHECK_STATUS(vw_serial_deframer_init(&d, &cfg), VW_OK);
        return;
    }
    cfg.policy = (c & 1) ? VW_SERIAL_POLICY_DROP : VW_SERIAL_POLICY_RESYNC;
    cfg.reject_empty = (c >> 1) & 1;
    switch ((c >> 2) & 3) {
    case 1:
        cfg.check = vw_serial_check_guest_message;
        break;
    case 2:
        cfg.check = vw_serial_check_vmm_config;
        break;
    default:
        break;
    }
    unsigned sel = c >> 4;
    if (sel < 8) {
        cfg.limit = small_limits[sel];
    } else {
        cfg.limit = big_limits[sel - 8];
        cfg.buf = big_buf;
        cfg.buf_cap = 2 + cfg.limit;
    }
    FUZZ_CHECK_STATUS(vw_serial_deframer_init(&d, &cfg), VW_OK);
}

static size_t limit_of(uint8_t c)
{
    if (((c >> 2) & 3) == 3)
        return VW_SERIAL_MAX_LIMIT;
    unsigned sel = c >> 4;
    size_t l = sel < 8 ? small_limits[sel] : big_limits[sel - 8];
    return l ? l : VW_SERIAL_MAX_MESSAGE;
}

static void feed_chunk(struct run *r, const uint8_t *p, size_t n, size_t limit)
{
    size_t pos = 0, spins = 0;
    for (;;) {
        int drain = pos >= n;
        struct vw_serial_event ev;
        size_t consumed = (size_t)-1;
        memset(&ev, 0, sizeof ev);
        vw_status st = vw_serial_deframer_feed(&d, p + pos, n - pos, &ev, &consumed);
        FUZZ_CHECK(fuzz_status_known(st) && st != VW_E_INVALID_ARG);
        FUZZ_CHECK(consumed <= n - pos);
        if (consumed == 0 && ev.type == VW_SERIAL_EV_NONE) {
            if (drain)
                break;
            FUZZ_FAIL("no progress at %zu of %zu", pos, n);
        }
        FUZZ_CHECK(++spins <= 2 * n + 2 * sizeof big_buf + 4); /* each event drops a byte */
        if (ev.type == VW_SERIAL_EV_FRAME) {
            FUZZ_CHECK_STATUS(st, VW_OK);
            FUZZ_CHECK(ev.len <= limit);
        } else if (ev.type == VW_SERIAL_EV_ERROR) {
            FUZZ_CHECK(st != VW_OK);
            FUZZ_CHECK_STATUS(st, ev.error);
            FUZZ_CHECK(vw_serial_deframer_error_offset(&d) <= n - pos);
        } else {
            FUZZ_CHECK_STATUS(st, VW_OK);
        }
        if (ev.type != VW_SERIAL_EV_NONE) {
            FUZZ_CHECK(r->n_ev < MAX_EVENTS);
            struct ev_rec *e = &r->ev[r->n_ev++];
            e->type = (int)ev.type;
            e->error = ev.type == VW_SERIAL_EV_ERROR ? ev.error : VW_OK;
            e->skipped = ev.type == VW_SERIAL_EV_ERROR ? ev.skipped : 0;
            e->check_off = ev.type == VW_SERIAL_EV_ERROR ? ev.check_off : 0;
            e->len = ev.type == VW_SERIAL_EV_FRAME ? ev.len : 0;
            e->at = r->n_bytes;
            if (e->len) {
                FUZZ_CHECK(r->n_bytes + e->len <= MAX_BYTES);
                memcpy(r->bytes + r->n_bytes, ev.payload, e->len);
                r->n_bytes += e->len;
            }
        }
        pos += consumed;
    }
}

static void finish(struct run *r)
{
    r->frames = vw_serial_deframer_frames(&d);
    r->rejected = vw_serial_deframer_rejected(&d);
    r->skipped = vw_serial_deframer_skipped(&d);
    r->pending = vw_serial_deframer_pending(&d);
    uint64_t f = 0, j = 0;
    for (size_t i = 0; i < r->n_ev; i++) {
        f += r->ev[i].type == VW_SERIAL_EV_FRAME;
        j += r->ev[i].type == VW_SERIAL_EV_ERROR;
    }
    FUZZ_CHECK(f == r->frames);
    FUZZ_CHECK(j == r->rejected);
}

static void same(const struct run *a, const struct run *b)
{
    FUZZ_CHECK(a->n_ev == b->n_ev);
    for (size_t i = 0; i < a->n_ev; i++) {
        const struct ev_rec *x = &a->ev[i], *y = &b->ev[i];
        if (x->type != y->type || x->error != y->error || x->skipped != y->skipped ||
            x->check_off != y->check_off || x->len != y->len ||
            (x->len && memcmp(a->bytes + x->at, b->bytes + y->at, x->len) != 0))
            FUZZ_FAIL("event %zu differs between chunkings", i);
    }
    FUZZ_CHECK(a->frames == b->frames);
    FUZZ_CHECK(a->rejected == b->rejected);
    FUZZ_CHECK(a->skipped == b->skipped);
    FUZZ_CHECK(a->pending == b->pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f, plan;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    size_t plan_len = fz_u8(&f), got;
    const uint8_t *pp = fz_take(&f, plan_len, &got);
    const uint8_t *s = f.p;
    size_t n = f.n;
    size_t limit = limit_of(c);

    for (int k = 0; k < 3; k++) {
        runs[k].n_ev = runs[k].n_bytes = 0;
    }

    init(c);
    feed_chunk(&runs[0], s, n, limit);
    finish(&runs[0]);

    init(c);
    fz_init(&plan, pp, got);
    for (size_t pos = 0; pos < n;) {
        size_t k = fz_chunk(&plan, n - pos);
        feed_chunk(&runs[1], s + pos, k, limit);
        pos += k;
    }
    finish(&runs[1]);
    same(&runs[0], &runs[1]);

    if (n <= 4096) {
        init(c);
        for (size_t pos = 0; pos < n; pos++)
            feed_chunk(&runs[2], s + pos, 1, limit);
        finish(&runs[2]);
        same(&runs[0], &runs[2]);
    }
    return 0;
}
