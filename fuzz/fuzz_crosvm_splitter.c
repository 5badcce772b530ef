/* The final revision's VcpuResponse stream splitter (vw_crosvm_splitter_*).
 *
 * Input: cap:u8 (buffer capacity 1 << (cap % 19), at least 1), plan_len:u8,
 * plan[plan_len] (chunk sizes, fz_chunk() in fuzz.h), then the stream.
 * The stream is split (a) whole, (b) in the plan's chunks, (c) one byte at a
 * time (streams up to 4 KiB). Properties:
 *  - every call consumes bytes or yields a frame, and never consumes more
 *    than it was given; a fault is sticky (VW_E_FAILED afterwards) and its
 *    offset lies inside the chunk;
 *  - the three runs yield the same frames (bytes), the same final fault and
 *    the same "inside a frame" answer at the end;
 *  - a frame never exceeds the buffer capacity;
 *  - each frame re-framed with vw_crosvm_frame_encode() gives back the bytes
 *    the stream carried (the prefix is minimal on the wire or the frame is
 *    re-encoded shorter, never longer). */
#include "vmwire/crosvm.h"

#include "engine_check.h"
#include "fuzz.h"

#define MAXF 70000u
#define MAXB (1u << 17)

struct run {
    size_t nf, nb, at[MAXF], len[MAXF];
    uint8_t bytes[MAXB];
    vw_status fault;
    int partial;
};

static struct run runs[3];
static uint8_t buf[1u << 18];
static uint8_t reframe[(1u << 18) + 8];

FUZZ_ENGINE_NO_OUTPUT(split_engine, struct vw_crosvm_splitter, vw_crosvm_splitter);

/* PARTIAL agrees with vw_crosvm_splitter_pending() (before a fault). */
static unsigned split_check(struct vw_crosvm_splitter *s)
{
    unsigned st = fuzz_engine_check(&split_engine, s);
    if (!(st & VW_ENGINE_FAILED))
        FUZZ_CHECK(!(st & VW_ENGINE_PARTIAL) == !vw_crosvm_splitter_pending(s));
    return st;
}

static void split(struct run *r, struct vw_crosvm_splitter *s, const uint8_t *p, size_t n,
                  size_t cap)
{
    size_t pos = 0;
    while (pos < n) {
        const uint8_t *fr = NULL;
        size_t fl = 0, consumed = (size_t)-1;
        unsigned was = split_check(s);
        vw_status st = vw_crosvm_splitter_feed(s, p + pos, n - pos, &fr, &fl, &consumed);
        fuzz_engine_fed(&split_engine, s, was, st, consumed, n - pos);
        split_check(s);
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
        if (fr) {
            FUZZ_CHECK(fl <= cap);
            FUZZ_CHECK(r->nf < MAXF && r->nb + fl <= MAXB);
            r->at[r->nf] = r->nb;
            r->len[r->nf++] = fl;
            if (fl)
                memcpy(r->bytes + r->nb, fr, fl);
            r->nb += fl;
        } else if (consumed == 0) {
            FUZZ_FAIL("no progress");
        }
        pos += consumed;
    }
}

static void same(const struct run *a, const struct run *b)
{
    FUZZ_CHECK(a->nf == b->nf);
    for (size_t i = 0; i < a->nf; i++)
        FUZZ_CHECK_BYTES(a->bytes + a->at[i], a->len[i], b->bytes + b->at[i], b->len[i]);
    FUZZ_CHECK_STATUS(a->fault, b->fault);
    FUZZ_CHECK(a->partial == b->partial);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f, plan;
    fz_init(&f, data, size);
    size_t cap = (size_t)1 << (fz_u8(&f) % 19);
    size_t plan_len = fz_u8(&f), got;
    const uint8_t *pp = fz_take(&f, plan_len, &got);
    const uint8_t *s = f.p;
    size_t n = f.n;
    struct vw_crosvm_splitter sp;

    for (int k = 0; k < 3; k++) {
        runs[k].nf = runs[k].nb = 0;
        runs[k].fault = VW_OK;
    }
    FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(&sp, &(struct vw_crosvm_splitter_config){ buf, cap, false }), VW_OK);
    split(&runs[0], &sp, s, n, cap);
    runs[0].partial = runs[0].fault == VW_OK ? (int)vw_crosvm_splitter_pending(&sp) : -1;

    FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(&sp, &(struct vw_crosvm_splitter_config){ buf, cap, false }), VW_OK);
    fz_init(&plan, pp, got);
    for (size_t pos = 0; pos < n;) {
        size_t k = fz_chunk(&plan, n - pos);
        split(&runs[1], &sp, s + pos, k, cap);
        pos += k;
    }
    runs[1].partial = runs[1].fault == VW_OK ? (int)vw_crosvm_splitter_pending(&sp) : -1;
    same(&runs[0], &runs[1]);

    if (n <= 4096) {
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(&sp, &(struct vw_crosvm_splitter_config){ buf, cap, false }), VW_OK);
        for (size_t pos = 0; pos < n; pos++)
            split(&runs[2], &sp, s + pos, 1, cap);
        runs[2].partial = runs[2].fault == VW_OK ? (int)vw_crosvm_splitter_pending(&sp) : -1;
        same(&runs[0], &runs[2]);
    }

    /* re-framing: the prefix + frame, split again, gives the same frame */
    for (size_t i = 0; i < runs[0].nf; i++) {
        size_t w = 0, consumed = 0, fl = 0;
        const uint8_t *fr = NULL;
        vw_status st = vw_crosvm_frame_encode(runs[0].bytes + runs[0].at[i], runs[0].len[i], reframe,
                                              sizeof reframe, &w);
        if (st == VW_E_TOO_LONG) {
            FUZZ_CHECK(runs[0].len[i] > VW_CROSVM_MAX_MESSAGE);
            continue;
        }
        FUZZ_CHECK_STATUS(st, VW_OK);
        FUZZ_CHECK(w <= runs[0].len[i] + VW_CROSVM_MAX_PREFIX);
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(&sp, &(struct vw_crosvm_splitter_config){ buf, cap, false }), VW_OK);
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_feed(&sp, reframe, w, &fr, &fl, &consumed), VW_OK);
        FUZZ_CHECK(fr != NULL && consumed == w);
        FUZZ_CHECK_BYTES(fr, fl, runs[0].bytes + runs[0].at[i], runs[0].len[i]);
    }
    return 0;
}
