/* Serial deframer (vw_serial_deframer_*) fed one stream in two chunkings.
 *
 * Input: config:u8, plan_len:u8, plan[plan_len], then the stream.
 *   config bit 0: policy DROP (else RESYNC); bit 1: reject_empty;
 *   bits 2..3: content check (1 GuestMessage, 2 VmmConfig, 0 none), or 3: the
 *   REFERENCE policy (no limit, caller storage; bit 0 then a micropb
 *   GuestMessage check, else bit 1 a micropb VmmConfig check, else none);
 *   bits 4..7: payload limit (0: the default 600; 1..7 small limits in the
 *   deframer's own storage; 8..15 limits above 600 in caller storage).
 *   The plan gives chunk sizes (fz_chunk() in fuzz.h); an empty plan means
 *   one byte at a time near the events (below).
 * The stream is fed (a) whole, then (b) in the chunking the input chooses:
 * the plan's chunks, or, when the plan is empty, one byte at a time in a
 * window of WINDOW bytes on each side of every place where a call of run (a)
 * that yielded an event ended (and of the stream's start and end), and what
 * lies between two windows as one chunk; after BYTEWISE_MAX single bytes the
 * rest is one chunk. What is sampled there is the inside of long frames and
 * of long discarded runs: their bytes go in as one chunk, not one by one
 * (every byte a frame's header and its last bytes are fed alone, and where
 * events are dense, as in a RESYNC over junk, every byte is). Run (a) is
 * recorded (each event with the stream offset its call ended at); run (b)
 * is compared with the record event by event as it goes (no second record).
 * After the last chunk the deframer is drained with zero-length feeds until
 * it reports no event: a rejection can leave a header in the buffer whose
 * fault is already decidable (a RESYNC after a failed content check), and
 * that decision comes out only on the next call; before the end of the
 * stream, that next call is the next chunk's.
 * Properties:
 *  - every call makes progress: it consumes bytes or yields an event;
 *  - a call that consumed the whole input without an event left nothing
 *    decidable held: the zero-length feed after it yields nothing
 *    (SER-FRAME-4; checked on the last chunk, where the drain comes);
 *  - both runs yield the same events (kind, payload bytes, error, skipped
 *    count, check offset), the same counters and the same number of bytes
 *    left pending: chunking never changes what the deframer sees;
 *  - a frame's payload never exceeds the limit; an error's offset lies
 *    inside the chunk fed; frames + rejected equal the counters.
 * The content check is called through a wrapper that keeps its verdicts
 * (check_wrap() below): a payload of at most 64 bytes is answered from a
 * table keyed by its bytes, a longer one in run (b) from run (a)'s log when
 * its length and hash match. A check is a pure function of the payload, so
 * the events cannot change; a stream of many equal small frames runs the
 * check's code once per distinct payload instead of once per frame and run.
 * The engine contract (engine_check.h) is checked on every call.
 * The state is small (one compact record of run (a), its payload bytes, the
 * check log and table, one deframer, 64 KiB of caller storage) and each input runs
 * twice, so the target keeps a high rate (fuzz/README.md, "Rates and
 * depth"). */
#include "vmwire/serial.h"

#include "fuzz.h"

/* engine_check.h's functions are harness code too: built here without
 * coverage instrumentation (see HARNESS below); the state() they call is
 * the library's and stays instrumented. */
#if defined(__clang__) && __clang_major__ >= 13
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#include "engine_check.h"
#pragma clang attribute pop
#else
#include "engine_check.h"
#endif

/* The harness's own bookkeeping (records, hashes, comparisons, the engine
 * contract's checks) is left out of coverage instrumentation, comparison
 * tracing included: its branches say nothing about the deframer, and
 * tracing them cost about a third of each execution. The deframer itself
 * and the library calls made from here stay instrumented. */
#define HARNESS FUZZ_HARNESS

/* Streams longer than MAX_STREAM (libFuzzer's -max_len, 64 KiB) are cut
 * there. A stream of n bytes yields at most n events (each rejection drops at
 * least one byte, each frame takes at least two) and at most n payload bytes
 * (frames never share bytes): the record of run (a) fits. */
#define MAX_STREAM (1u << 16)
#define MAX_EVENTS (MAX_STREAM + 16u)
#define MAX_BYTES (MAX_STREAM + 16u)
#define BYTEWISE_MAX 4096u /* bytes fed one at a time at most (the rest in one chunk) */
#define WINDOW 4u          /* bytes fed one at a time on each side of an event's end */

struct ev_rec {
    uint8_t kind;
    uint8_t error;      /* a vw_status (all below 256) */
    uint16_t check_off; /* inside a payload of at most 65535 bytes */
    uint32_t skipped;   /* up to 2 + 65535 under DROP */
    uint32_t len;
    uint32_t at;  /* payload at rec_bytes[at] */
    uint32_t end; /* offset in the stream just after the call that yielded it */
};

static struct ev_rec rec[MAX_EVENTS];
static uint8_t rec_bytes[MAX_BYTES];
static size_t n_rec, n_rec_bytes;

struct run {
    int record; /* 1: run (a), recording; 0: run (b), comparing */
    size_t n_ev;
    size_t base; /* stream offset of the chunk being fed */
};

static struct vw_serial_deframer d;
static uint8_t big_buf[VW_SERIAL_REFERENCE_BUF_MIN];

static const size_t small_limits[8] = {0, 1, 2, 5, 16, 100, 300, 599};
static const size_t big_limits[8] = {600, 601, 602, 700, 1024, 4096, 40000, 65535};

static vw_serial_check_fn real_check;
static vw_status check_wrap(void *user, const uint8_t *payload, size_t len, size_t *off);

/* Route the configured check through check_wrap(). */
static void wrap(struct vw_serial_deframer_config *cfg)
{
    real_check = cfg->check;
    if (cfg->check)
        cfg->check = check_wrap;
}

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
        wrap(&cfg);
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
    wrap(&cfg);
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

/* ---- the check wrapper ----
 *
 * A check is a pure function of its payload, so its verdict is kept:
 *  - a payload of at most MEMO_LEN bytes is looked up by its bytes in a
 *    table shared by both runs (an exact key: the bytes are stored and
 *    compared), so a stream of many equal small frames runs the real check
 *    once per distinct payload, not once per frame and run;
 *  - a longer one is logged by run (a) in call order; run (b) answers its
 *    k-th call from the k-th entry when the length and a 64-bit hash of the
 *    payload agree. The hash is taken only where it is cheaper than checking
 *    again: when the check accepted the payload or read at least HASH_MIN
 *    bytes and a quarter of it before its fault; otherwise run (b) checks
 *    for real. (Hashing every long payload made the REFERENCE policy over
 *    junk quadratic: each byte brings an attempt on up to 64 KiB of held
 *    bytes that the check refuses after a few.) */

#define MEMO_LEN 64u    /* payloads up to this long are memoised by content */
#define MEMO_SLOTS 4096u /* a power of two */
#define MEMO_PROBE 8u
#define HASH_MIN 256u

struct memo {
    uint32_t gen; /* the input it belongs to */
    uint8_t len;
    uint8_t off; /* the check's offset: at most len, so below 256 */
    int16_t st;
    uint8_t bytes[MEMO_LEN];
};

static struct memo memos[MEMO_SLOTS];
static uint32_t memo_gen;

struct check_rec {
    uint64_t hash;
    uint32_t len, off;
    vw_status st;
    int hashed;
};

static struct check_rec chk[MAX_EVENTS];
static size_t n_chk, chk_at;
static int chk_replay;

HARNESS static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3u;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

HARNESS static vw_status check_small(const uint8_t *payload, size_t len, size_t *off)
{
    uint64_t h = hash_bytes(payload, len);
    struct memo *free_slot = NULL;
    for (unsigned i = 0; i < MEMO_PROBE; i++) {
        struct memo *m = &memos[(h + i) & (MEMO_SLOTS - 1)];
        if (m->gen != memo_gen) {
            free_slot = m;
            break;
        }
        if (m->len == len && memcmp(m->bytes, payload, len) == 0) {
            *off = m->off;
            return (vw_status)m->st;
        }
    }
    size_t o = 0;
    vw_status st = real_check(NULL, payload, len, &o);
    *off = o;
    if (free_slot && o <= len && (int)st >= INT16_MIN && (int)st <= INT16_MAX) {
        free_slot->gen = memo_gen;
        free_slot->len = (uint8_t)len;
        free_slot->off = (uint8_t)o;
        free_slot->st = (int16_t)st;
        memcpy(free_slot->bytes, payload, len);
    }
    return st;
}

HARNESS static vw_status check_wrap(void *user, const uint8_t *payload, size_t len, size_t *off)
{
    (void)user;
    if (len <= MEMO_LEN)
        return check_small(payload, len, off);
    if (chk_replay) {
        if (chk_at < n_chk && chk[chk_at].len == len) {
            const struct check_rec *c = &chk[chk_at++];
            if (c->hashed && c->hash == hash_bytes(payload, len)) {
                *off = c->off;
                return c->st;
            }
            if (c->hashed)
                chk_at = n_chk; /* a different payload: check for real from now on */
        } else {
            chk_at = n_chk;
        }
        return real_check(NULL, payload, len, off);
    }
    size_t o = 0;
    vw_status st = real_check(NULL, payload, len, &o);
    *off = o;
    if (n_chk < MAX_EVENTS) {
        struct check_rec *c = &chk[n_chk++];
        c->len = (uint32_t)len;
        c->off = (uint32_t)o;
        c->st = st;
        c->hashed = st == VW_OK || (o >= HASH_MIN && o >= len / 4);
        c->hash = c->hashed ? hash_bytes(payload, len) : 0;
    }
    return st;
}

/* Record (run a) or compare (run b) one event. */
HARNESS static void event(struct run *r, const struct vw_serial_event *ev, size_t end)
{
    uint8_t err = ev->kind == VW_SERIAL_EV_ERROR ? (uint8_t)ev->error : 0;
    uint32_t skipped = ev->kind == VW_SERIAL_EV_ERROR ? (uint32_t)ev->skipped : 0;
    uint16_t check_off = ev->kind == VW_SERIAL_EV_ERROR ? (uint16_t)ev->check_off : 0;
    uint32_t len = ev->kind == VW_SERIAL_EV_FRAME ? (uint32_t)ev->len : 0;
    FUZZ_CHECK(ev->kind != VW_SERIAL_EV_ERROR || ((unsigned)ev->error < 256 && ev->check_off <= 0xffff));
    if (r->record) {
        FUZZ_CHECK(n_rec < MAX_EVENTS);
        struct ev_rec *e = &rec[n_rec++];
        e->kind = (uint8_t)ev->kind;
        e->error = err;
        e->skipped = skipped;
        e->check_off = check_off;
        e->len = len;
        e->at = (uint32_t)n_rec_bytes;
        e->end = (uint32_t)end;
        if (len) {
            FUZZ_CHECK(n_rec_bytes + len <= MAX_BYTES);
            memcpy(rec_bytes + n_rec_bytes, ev->payload, len);
            n_rec_bytes += len;
        }
        r->n_ev++;
        return;
    }
    if (r->n_ev >= n_rec)
        FUZZ_FAIL("event %zu: the whole stream gave only %zu events", r->n_ev, n_rec);
    const struct ev_rec *e = &rec[r->n_ev];
    if (e->kind != (uint8_t)ev->kind || e->error != err || e->skipped != skipped ||
        e->check_off != check_off || e->len != len ||
        (len && memcmp(rec_bytes + e->at, ev->payload, len) != 0))
        FUZZ_FAIL("event %zu differs between chunkings", r->n_ev);
    r->n_ev++;
}

FUZZ_ENGINE_NO_OUTPUT(deframer_engine, struct vw_serial_deframer, vw_serial_deframer);

/* Never sticky, always WANT_INPUT; PARTIAL while bytes are held. `st` is the
 * state fuzz_engine_check() or fuzz_engine_fed() found. */
HARNESS static void deframer_check(unsigned st)
{
    FUZZ_CHECK(st & VW_ENGINE_WANT_INPUT);
    if (!(st & VW_ENGINE_PARTIAL)) /* the same rule, asked only when it can fail */
        FUZZ_CHECK(vw_serial_deframer_pending(&d) == 0);
}

/* Feed one chunk until it is consumed; the @p last chunk also until the
 * deframer is drained. `*was` is the state before the first call and
 * receives the state after the last (the state after one call is the state
 * before the next, so it is taken once per call). */
HARNESS static void feed_chunk(struct run *r, const uint8_t *p, size_t n, size_t limit,
                               int last, unsigned *was)
{
    size_t pos = 0, spins = 0;
    int quiet = 0; /* the call before consumed the rest without an event */
    for (;;) {
        int drain = pos >= n;
        struct vw_serial_event ev;
        size_t consumed = (size_t)-1;
        vw_status st = vw_serial_deframer_feed(&d, p + pos, n - pos, &ev, &consumed);
        *was = fuzz_engine_fed(&deframer_engine, &d, *was, st, consumed, n - pos);
        deframer_check(*was);
        FUZZ_CHECK(fuzz_status_known(st) && st != VW_E_INVALID_ARG);
        FUZZ_CHECK(consumed <= n - pos);
        if (consumed == 0 && ev.kind == VW_SERIAL_EV_NONE) {
            if (drain)
                break;
            FUZZ_FAIL("no progress at %zu of %zu", pos, n);
        }
        FUZZ_CHECK(++spins <= 2 * n + 2 * sizeof big_buf + 4); /* each event drops a byte */
        if (ev.kind == VW_SERIAL_EV_FRAME) {
            FUZZ_CHECK_STATUS(st, VW_OK);
            FUZZ_CHECK(ev.len <= limit);
        } else if (ev.kind == VW_SERIAL_EV_ERROR) {
            FUZZ_CHECK(st != VW_OK);
            FUZZ_CHECK_STATUS(st, ev.error);
            FUZZ_CHECK(vw_serial_deframer_error_offset(&d) <= n - pos);
        } else {
            FUZZ_CHECK_STATUS(st, VW_OK);
        }
        if (drain && quiet && ev.kind != VW_SERIAL_EV_NONE)
            FUZZ_FAIL("an event after a call that consumed its whole input without one");
        pos += consumed;
        quiet = ev.kind == VW_SERIAL_EV_NONE && consumed && pos == n;
        if (ev.kind != VW_SERIAL_EV_NONE)
            event(r, &ev, r->base + pos);
        if (!last && pos == n)
            break;
    }
}

/* The deframer's counters and pending bytes. */
HARNESS static void counters(uint64_t *frames, uint64_t *rejected, uint64_t *skipped, size_t *pending)
{
    *frames = vw_serial_deframer_frames(&d);
    *rejected = vw_serial_deframer_rejected(&d);
    *skipped = vw_serial_deframer_skipped(&d);
    *pending = vw_serial_deframer_pending(&d);
}

HARNESS int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f, plan;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    size_t plan_len = fz_u8(&f), got;
    const uint8_t *pp = fz_take(&f, plan_len, &got);
    const uint8_t *s = f.p;
    size_t n = f.n < MAX_STREAM ? f.n : MAX_STREAM;
    size_t limit = limit_of(c);
    uint64_t fa, ja, ka, fb, jb, kb;
    size_t pa, pb;

    /* (a) whole, recorded */
    struct run a = {1, 0, 0};
    n_rec = n_rec_bytes = 0;
    n_chk = chk_at = 0;
    chk_replay = 0;
    if (++memo_gen == 0) { /* after 2^32 inputs: forget every slot */
        memset(memos, 0, sizeof memos);
        memo_gen = 1;
    }
    init(c);
    unsigned was = fuzz_engine_check(&deframer_engine, &d);
    deframer_check(was);
    feed_chunk(&a, s, n, limit, 1, &was);
    counters(&fa, &ja, &ka, &pa);
    uint64_t nf = 0, nj = 0;
    for (size_t i = 0; i < n_rec; i++) {
        nf += rec[i].kind == VW_SERIAL_EV_FRAME;
        nj += rec[i].kind == VW_SERIAL_EV_ERROR;
    }
    FUZZ_CHECK(nf == fa);
    FUZZ_CHECK(nj == ja);

    /* (b) the plan's chunks, or byte by byte; compared as it goes */
    struct run b = {0, 0, 0};
    chk_replay = 1;
    init(c);
    was = fuzz_engine_check(&deframer_engine, &d);
    deframer_check(was);
    if (got == 0) {
        /* byte by byte near the places where run (a) had an event (the
         * WINDOW bytes before and after each event's end, the stream's start
         * and end included); what lies between two windows in one chunk */
        size_t pos = 0, singles = 0, e = 0, prev = 0;
        while (pos < n) {
            while (e < n_rec && rec[e].end <= pos)
                prev = rec[e++].end;
            size_t next = e < n_rec ? rec[e].end : n;
            b.base = pos;
            if (singles >= BYTEWISE_MAX) {
                feed_chunk(&b, s + pos, n - pos, limit, 1, &was);
                break;
            }
            if (pos - prev < WINDOW || next - pos <= WINDOW) {
                feed_chunk(&b, s + pos, 1, limit, pos + 1 == n, &was);
                pos++;
                singles++;
            } else {
                size_t k = next - WINDOW - pos;
                feed_chunk(&b, s + pos, k, limit, 0, &was);
                pos += k;
            }
        }
    } else {
        fz_init(&plan, pp, got);
        for (size_t pos = 0; pos < n;) {
            size_t k = fz_chunk(&plan, n - pos);
            b.base = pos;
            feed_chunk(&b, s + pos, k, limit, pos + k == n, &was);
            pos += k;
        }
    }
    counters(&fb, &jb, &kb, &pb);
    FUZZ_CHECK(b.n_ev == n_rec);
    FUZZ_CHECK(fa == fb);
    FUZZ_CHECK(ja == jb);
    FUZZ_CHECK(ka == kb);
    FUZZ_CHECK(pa == pb);
    return 0;
}
