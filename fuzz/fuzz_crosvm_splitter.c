/* The final revision's VcpuResponse stream splitter (vw_crosvm_splitter_*).
 *
 * Input: cap:u8 (buffer capacity 1 << (cap % 19), at least 1), plan_len:u8,
 * plan[plan_len] (chunk sizes, fz_chunk() in fuzz.h), then the stream.
 * The stream is split (a) whole, then (b) in the chunking the input chooses:
 * the plan's chunks, or, when the plan is empty, one byte at a time in a
 * window of WINDOW bytes on each side of every place where a call of run (a)
 * that yielded a frame ended (and of the stream's start and end), and what
 * lies between two windows as one chunk; after BYTEWISE_MAX single bytes the
 * rest is one chunk. So a frame's prefix and last bytes come one by one, its
 * inside in one piece, and a stream of short frames goes in byte by byte.
 * Properties:
 *  - every call consumes bytes or yields a frame, and never consumes more
 *    than it was given; a fault is sticky (VW_E_FAILED afterwards) and its
 *    offset lies inside the chunk;
 *  - both runs yield the same frames (bytes), the same final fault and the
 *    same "inside a frame" answer at the end;
 *  - a frame never exceeds the buffer capacity;
 *  - each frame re-framed with vw_crosvm_frame_encode() gives back the bytes
 *    the stream carried (the prefix is minimal on the wire or the frame is
 *    re-encoded shorter, never longer): the re-framed frames are written one
 *    after the other into one stream, which a fresh splitter splits back
 *    into the same frames, whole (unless that stream is the input's own
 *    bytes up to the last frame, which run (a) split already).
 * The engine contract (engine_check.h) is checked on every call. */
#include "vmwire/crosvm.h"

#include "fuzz.h"

/* The harness's own code (records, comparisons, the engine contract's
 * checks) is built without coverage instrumentation, comparison tracing
 * included, as in fuzz_serial_deframe.c: its branches say nothing about the
 * splitter, and tracing them cost about a third of each execution. The
 * library calls made from here stay instrumented. */
#if defined(__clang__) && __clang_major__ >= 13
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#include "engine_check.h"
#pragma clang attribute pop
#else
#include "engine_check.h"
#endif
#define HARNESS FUZZ_HARNESS

#define BYTEWISE_MAX 4096u /* bytes fed one at a time at most (the rest in one chunk) */
#define WINDOW 4u          /* bytes fed one at a time on each side of a frame's end */

#define MAXF 70000u
#define MAXB (1u << 17)

/* Run (a) records every frame (its bytes and the stream offset its call
 * ended at); run (b) is compared with the record frame by frame as it goes. */
struct run {
    int record;
    size_t nf; /* frames seen */
    size_t base; /* stream offset of the chunk being fed */
    vw_status fault;
    int partial;
};

static size_t n_rec, n_rec_bytes;
static uint32_t rec_at[MAXF], rec_len[MAXF], rec_end[MAXF], rf_len[MAXF];
static uint8_t rec_bytes[MAXB];
static uint8_t buf[1u << 18];
static uint8_t reframe[MAXB + 8u * MAXF];

FUZZ_ENGINE_NO_OUTPUT(split_engine, struct vw_crosvm_splitter, vw_crosvm_splitter);

/* PARTIAL agrees with vw_crosvm_splitter_pending() (before a fault); `st` is
 * the state fuzz_engine_check() or fuzz_engine_fed() found. */
HARNESS static void split_check(struct vw_crosvm_splitter *s, unsigned st)
{
    if (!(st & VW_ENGINE_FAILED))
        FUZZ_CHECK(!(st & VW_ENGINE_PARTIAL) == !vw_crosvm_splitter_pending(s));
}

/* Record (run a) or compare (run b) one frame. */
HARNESS static void frame(struct run *r, const uint8_t *fr, size_t fl, size_t end)
{
    if (r->record) {
        FUZZ_CHECK(n_rec < MAXF && n_rec_bytes + fl <= MAXB);
        rec_at[n_rec] = (uint32_t)n_rec_bytes;
        rec_len[n_rec] = (uint32_t)fl;
        rec_end[n_rec++] = (uint32_t)end;
        if (fl)
            memcpy(rec_bytes + n_rec_bytes, fr, fl);
        n_rec_bytes += fl;
    } else {
        if (r->nf >= n_rec)
            FUZZ_FAIL("frame %zu: the whole stream gave only %zu frames", r->nf, n_rec);
        FUZZ_CHECK_BYTES(fr, fl, rec_bytes + rec_at[r->nf], (size_t)rec_len[r->nf]);
    }
    r->nf++;
}

/* Feed one chunk until it is consumed or the splitter faults. `*was` is the
 * state before the first call and receives the state after the last (the
 * state after one call is the state before the next). */
HARNESS static void split(struct run *r, struct vw_crosvm_splitter *s, const uint8_t *p, size_t n,
                          size_t cap, unsigned *was)
{
    size_t pos = 0;
    while (pos < n) {
        const uint8_t *fr = NULL;
        size_t fl = 0, consumed = (size_t)-1;
        vw_status st = vw_crosvm_splitter_feed(s, p + pos, n - pos, &fr, &fl, &consumed);
        *was = fuzz_engine_fed(&split_engine, s, *was, st, consumed, n - pos);
        split_check(s, *was);
        FUZZ_CHECK(fuzz_status_known(st));
        if (r->fault != VW_OK) {
            FUZZ_CHECK_STATUS(st, VW_E_FAILED);
            return;
        }
        if (st != VW_OK) {
            FUZZ_CHECK(st == VW_E_BAD_VARINT || st == VW_E_TOO_LONG);
            FUZZ_CHECK(vw_crosvm_splitter_error_offset(s) <= n - pos);
            r->fault = st;
            return;
        }
        FUZZ_CHECK(consumed <= n - pos);
        pos += consumed;
        if (fr) {
            FUZZ_CHECK(fl <= cap);
            frame(r, fr, fl, r->base + pos);
        } else if (consumed == 0) {
            FUZZ_FAIL("no progress");
        }
    }
}

HARNESS static unsigned start(struct vw_crosvm_splitter *sp, size_t cap)
{
    FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(sp, &(struct vw_crosvm_splitter_config){ buf, cap, false }), VW_OK);
    unsigned was = fuzz_engine_check(&split_engine, sp);
    split_check(sp, was);
    return was;
}

/* The end of a run: after a fault, one more byte must be refused
 * (VW_E_FAILED, nothing consumed: the fault is sticky); without one, the
 * "inside a frame" answer. */
HARNESS static void finish(struct run *r, struct vw_crosvm_splitter *sp, const uint8_t *s, size_t cap,
                           unsigned *was)
{
    if (r->fault != VW_OK) {
        split(r, sp, s, 1, cap, was);
        r->partial = -1;
    } else {
        r->partial = (int)vw_crosvm_splitter_pending(sp);
    }
}

HARNESS int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f, plan;
    fz_init(&f, data, size);
    size_t cap = (size_t)1 << (fz_u8(&f) % 19);
    size_t plan_len = fz_u8(&f), got;
    const uint8_t *pp = fz_take(&f, plan_len, &got);
    const uint8_t *s = f.p;
    size_t n = f.n;
    struct vw_crosvm_splitter sp;
    unsigned was;

    /* (a) whole, recorded */
    struct run a = { 1, 0, 0, VW_OK, 0 };
    n_rec = n_rec_bytes = 0;
    was = start(&sp, cap);
    split(&a, &sp, s, n, cap, &was);
    finish(&a, &sp, s, cap, &was);

    /* (b) the plan's chunks, or byte by byte near the frames' ends */
    struct run b = { 0, 0, 0, VW_OK, 0 };
    was = start(&sp, cap);
    if (got == 0) {
        size_t pos = 0, singles = 0, e = 0, prev = 0;
        while (pos < n && b.fault == VW_OK) {
            while (e < n_rec && rec_end[e] <= pos)
                prev = rec_end[e++];
            size_t next = e < n_rec ? rec_end[e] : n;
            b.base = pos;
            if (singles >= BYTEWISE_MAX) {
                split(&b, &sp, s + pos, n - pos, cap, &was);
                break;
            }
            if (pos - prev < WINDOW || next - pos <= WINDOW) {
                split(&b, &sp, s + pos, 1, cap, &was);
                pos++;
                singles++;
            } else {
                size_t k = next - WINDOW - pos;
                split(&b, &sp, s + pos, k, cap, &was);
                pos += k;
            }
        }
    } else {
        fz_init(&plan, pp, got);
        for (size_t pos = 0; pos < n && b.fault == VW_OK;) {
            size_t k = fz_chunk(&plan, n - pos);
            b.base = pos;
            split(&b, &sp, s + pos, k, cap, &was);
            pos += k;
        }
    }
    finish(&b, &sp, s, cap, &was);
    FUZZ_CHECK(b.nf == n_rec);
    FUZZ_CHECK_STATUS(a.fault, b.fault);
    FUZZ_CHECK(a.partial == b.partial);

    /* re-framing: every frame's prefix + bytes, one after the other, split
     * again by a fresh splitter, give the same frames */
    size_t w_all = 0;
    for (size_t i = 0; i < n_rec; i++) {
        size_t w = 0;
        vw_status st = vw_crosvm_frame_encode(rec_bytes + rec_at[i], rec_len[i], reframe + w_all,
                                              sizeof reframe - w_all, &w);
        if (st == VW_E_TOO_LONG) {
            FUZZ_CHECK(rec_len[i] > VW_CROSVM_MAX_MESSAGE);
            continue;
        }
        FUZZ_CHECK_STATUS(st, VW_OK);
        FUZZ_CHECK(w <= rec_len[i] + VW_CROSVM_MAX_PREFIX);
        rf_len[i] = (uint32_t)w;
        w_all += w;
    }
    /* When every prefix on the wire was minimal, the re-framed frames are
     * the stream's own bytes up to the last frame's end, which run (a) has
     * split already: splitting them again would repeat run (a). */
    if (n_rec && w_all == rec_end[n_rec - 1] && memcmp(reframe, s, w_all) == 0)
        return 0;
    was = start(&sp, cap);
    size_t pos = 0, k = 0;
    while (pos < w_all) {
        const uint8_t *fr = NULL;
        size_t fl = 0, consumed = 0;
        while (k < n_rec && rec_len[k] > VW_CROSVM_MAX_MESSAGE)
            k++;
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_feed(&sp, reframe + pos, w_all - pos, &fr, &fl, &consumed), VW_OK);
        FUZZ_CHECK(fr != NULL && k < n_rec && consumed == rf_len[k]);
        FUZZ_CHECK_BYTES(fr, fl, rec_bytes + rec_at[k], (size_t)rec_len[k]);
        pos += consumed;
        k++;
    }
    return 0;
}
