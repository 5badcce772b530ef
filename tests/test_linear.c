/* Linear time (SECURITY.md, promise 11): the decode time per input byte at
 * about 1 KiB and at about 1 MiB of the same adversarial pattern may differ
 * by at most a factor of 3. A decoder that does O(n^2) work, or O(n) work per
 * element of some list, shows a ratio near 1000 at these sizes; a linear one
 * shows about 1 (more at 1 MiB when the data outgrows the caches, less when
 * the per-call setup weighs on the 1 KiB case).
 *
 * Patterns: nested messages (chains of sub-messages, and one singular
 * sub-message sent again and again, which protobuf merges), long runs of
 * unknown fields, packed runs (one long run, and many short runs of the same
 * field, which protobuf concatenates), many tiny repeated elements and
 * strings, many tiny frames through the serial deframer (each policy) and
 * through the crosvm vCPU splitter, and a stream of IC KVP packets.
 *
 * Robust on a loaded machine: time is the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID, so time spent preempted does not count), each
 * sample runs the decoder often enough to last at least SAMPLE_NS, and the
 * per-byte cost is the minimum over SAMPLES samples. The two sizes are
 * measured alternately, so a change of load affects both, and a ratio above
 * the limit is measured again (ATTEMPTS times) before it counts as a
 * failure: noise does not repeat, a quadratic decoder does. Every run also
 * checks the decoder's result (status, element or frame count), so a
 * decoder that stops early cannot pass for a fast one.
 *
 * A last test runs a deliberately superlinear loop (n + n^2/65536 reads)
 * through the same measurement and must see a ratio above the limit: the
 * measurement can fail.
 *
 * Output: TAP, one test per pattern, with both costs and the ratio. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pb/test.pb-c.h"
#include "vmwire/arena.h"
#include "vmwire/crosvm.h"
#include "vmwire/ic.h"
#include "vmwire/pb.h"
#include "vmwire/serial.h"

#define SMALL (1u << 10)
#define LARGE (1u << 20)
#define RATIO_LIMIT 3.0
#define SAMPLES 9
#define SAMPLE_NS 2000000.0 /* 2 ms */
#define ATTEMPTS 3

/* ---- byte builders ------------------------------------------------------------ */

struct out {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        fprintf(stderr, "Bail out! builder overflow\n");
        exit(99);
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

static void put_u8(struct out *o, uint8_t b)
{
    put(o, &b, 1);
}

static void put_varint(struct out *o, uint64_t v)
{
    do {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7;
        put_u8(o, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

static void put_tag(struct out *o, uint32_t field, unsigned wt)
{
    put_varint(o, (uint64_t)field << 3 | wt);
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* ---- the patterns ------------------------------------------------------------- */

/* Each pattern builds an input of at most @p target bytes by repeating a unit
 * (at least once) and runs the code under test over it once, returning 0 when
 * the outcome is the expected one. @p count receives the units built. */
struct pattern {
    const char *name;
    void (*build)(struct out *o, size_t target, size_t *count);
    int (*run)(const uint8_t *p, size_t n, size_t count);
};

/* A unit repeated while it fits; @p unit writes one into @p o. */
static void repeat(struct out *o, size_t target, size_t *count, void (*unit)(struct out *, size_t))
{
    uint8_t tmp[8192];
    struct out t = { tmp, 0, sizeof tmp };
    unit(&t, 0);
    size_t k = 0;
    while (k == 0 || o->n + t.n <= target) {
        t.n = 0;
        unit(&t, k);
        if (k && o->n + t.n > target)
            break;
        put(o, tmp, t.n);
        k++;
    }
    *count = k;
}

/* -- protobuf (vwtest schema, tests/pb/test.proto) -- */

static uint8_t *arena_mem;
static size_t arena_cap;

static int pb_run(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                  ProtobufCMessage **m)
{
    struct vw_arena a;
    size_t off;
    vw_arena_init(&a, arena_mem, arena_cap);
    vw_status st = vw_pb_decode(d, p, n, &a, m, &off);
    if (st != VW_OK) {
        printf("# %s: vw_pb_decode: %s at %zu (arena needed %zu of %zu)\n", d->name,
               vw_status_name(st), off, vw_arena_needed(&a), arena_cap);
        return -1;
    }
    return 0;
}

/* Repeated.inner (17) holding a chain of 32 Inner.next (4) levels. */
#define CHAIN 32
static void unit_chain(struct out *o, size_t k)
{
    uint8_t b[CHAIN * 4 + 8];
    size_t len[CHAIN + 1];
    /* innermost: Inner{a = k & 127} */
    len[0] = 2;
    for (int i = 1; i <= CHAIN; i++)
        len[i] = 1 + varint_len(len[i - 1]) + len[i - 1];
    struct out t = { b, 0, sizeof b };
    put_tag(o, 17, 2);
    put_varint(o, len[CHAIN]);
    for (int i = CHAIN; i >= 1; i--) {
        put_tag(&t, 4, 2);
        put_varint(&t, len[i - 1]);
    }
    put_tag(&t, 1, 0);
    put_u8(&t, (uint8_t)(k & 127));
    put(o, b, t.n);
}

static void b_chain(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_chain);
}

static int r_chain(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    if (pb_run(&vwtest__repeated__descriptor, p, n, &m))
        return -1;
    const Vwtest__Repeated *r = (const Vwtest__Repeated *)m;
    if (r->n_inner != count)
        return -1;
    const Vwtest__Inner *in = r->inner[count - 1];
    for (int i = 0; i < CHAIN && in; i++)
        in = in->next;
    return in && in->a == ((count - 1) & 127) ? 0 : -1;
}

/* Choice.single (7) again and again: Inner{r: [k]} merged into one message. */
static void unit_merge(struct out *o, size_t k)
{
    put_tag(o, 7, 2);
    put_varint(o, 1 + varint_len(k & 0x3fff));
    put_tag(o, 3, 0); /* unpacked element of the packed field r */
    put_varint(o, k & 0x3fff);
}

static void b_merge(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_merge);
}

static int r_merge(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    if (pb_run(&vwtest__choice__descriptor, p, n, &m))
        return -1;
    const Vwtest__Choice *c = (const Vwtest__Choice *)m;
    return c->single && c->single->n_r == count && c->single->r[count - 1] == ((count - 1) & 0x3fff)
               ? 0
               : -1;
}

/* Scalars with unknown fields of every wire type (100..103), then i32 = 1. */
static void unit_unknown(struct out *o, size_t k)
{
    static const uint8_t body[5] = { 1, 2, 3, 4, 5 };
    uint32_t f = 100 + (uint32_t)(k % 4);
    switch (k % 4) {
    case 0:
        put_tag(o, f, 0);
        put_varint(o, UINT64_MAX);
        break;
    case 1:
        put_tag(o, f, 1);
        put(o, body, 5);
        put(o, body, 3);
        break;
    case 2:
        put_tag(o, f, 2);
        put_varint(o, sizeof body);
        put(o, body, sizeof body);
        break;
    default:
        put_tag(o, f, 5);
        put(o, body, 4);
        break;
    }
}

static void b_unknown(struct out *o, size_t target, size_t *count)
{
    repeat(o, target - 2, count, unit_unknown);
    put_tag(o, 1, 0);
    put_u8(o, 1);
}

static int r_unknown(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    (void)count;
    if (pb_run(&vwtest__scalars__descriptor, p, n, &m))
        return -1;
    return ((const Vwtest__Scalars *)m)->i32 == 1 ? 0 : -1;
}

/* One long packed run of Repeated.u32 (3), five-byte varints. */
static void b_packed(struct out *o, size_t target, size_t *count)
{
    size_t k = (target - 8) / 5;
    put_tag(o, 3, 2);
    put_varint(o, k * 5);
    for (size_t i = 0; i < k; i++)
        put_varint(o, 0xf0000000u | (uint32_t)i);
    *count = k;
}

static int r_packed(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    if (pb_run(&vwtest__repeated__descriptor, p, n, &m))
        return -1;
    const Vwtest__Repeated *r = (const Vwtest__Repeated *)m;
    return r->n_u32 == count && r->u32[count - 1] == (0xf0000000u | (uint32_t)(count - 1)) ? 0 : -1;
}

/* Many short packed runs of Repeated.fl (11) and u32 (3), interleaved: each
 * run appends to the field's array. */
static void unit_runs(struct out *o, size_t k)
{
    static const uint8_t two_floats[8] = { 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40 };
    put_tag(o, 11, 2);
    put_varint(o, sizeof two_floats);
    put(o, two_floats, sizeof two_floats);
    put_tag(o, 3, 2);
    put_varint(o, 2);
    put_u8(o, (uint8_t)(k & 127));
    put_u8(o, 1);
}

static void b_runs(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_runs);
}

static int r_runs(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    if (pb_run(&vwtest__repeated__descriptor, p, n, &m))
        return -1;
    const Vwtest__Repeated *r = (const Vwtest__Repeated *)m;
    return r->n_fl == 2 * count && r->n_u32 == 2 * count &&
                   r->u32[2 * count - 2] == ((count - 1) & 127) && r->fl[2 * count - 1] == 2.0f
               ? 0
               : -1;
}

/* Many tiny elements: unpacked uint32 (18), one-byte strings (14), empty
 * sub-messages (17), interleaved. */
static void unit_tiny(struct out *o, size_t k)
{
    put_tag(o, 18, 0);
    put_u8(o, (uint8_t)(k & 127));
    put_tag(o, 14, 2);
    put_u8(o, 1);
    put_u8(o, 'x');
    put_tag(o, 17, 2);
    put_u8(o, 0);
}

static void b_tiny(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_tiny);
}

static int r_tiny(const uint8_t *p, size_t n, size_t count)
{
    ProtobufCMessage *m;
    if (pb_run(&vwtest__repeated__descriptor, p, n, &m))
        return -1;
    const Vwtest__Repeated *r = (const Vwtest__Repeated *)m;
    return r->n_unpacked == count && r->n_str == count && r->n_inner == count &&
                   r->unpacked[count - 1] == ((count - 1) & 127)
               ? 0
               : -1;
}

/* -- serial deframer: frames of 0..2 payload bytes -- */

static uint8_t ser_buf[VW_SERIAL_REFERENCE_BUF_MIN];

static void unit_sframe(struct out *o, size_t k)
{
    size_t len = k % 3;
    put_u8(o, (uint8_t)len);
    put_u8(o, 0);
    for (size_t i = 0; i < len; i++)
        put_u8(o, (uint8_t)(k + i));
}

static void b_sframes(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_sframe);
}

static int ser_run(enum vw_serial_policy pol, const uint8_t *p, size_t n, size_t count)
{
    struct vw_serial_deframer d;
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.policy = pol;
    if (pol == VW_SERIAL_POLICY_REFERENCE) {
        cfg.buf = ser_buf;
        cfg.buf_cap = sizeof ser_buf;
    }
    if (vw_serial_deframer_init(&d, &cfg) != VW_OK)
        return -1;
    size_t pos = 0, frames = 0;
    for (;;) {
        struct vw_serial_event ev;
        size_t used;
        vw_status st = vw_serial_deframer_feed(&d, p + pos, n - pos, &ev, &used);
        if (st != VW_OK)
            return -1;
        pos += used;
        if (ev.type == VW_SERIAL_EV_FRAME)
            frames++;
        else if (pos == n)
            break;
    }
    return frames == count ? 0 : -1;
}

static int r_ser_resync(const uint8_t *p, size_t n, size_t count)
{
    return ser_run(VW_SERIAL_POLICY_RESYNC, p, n, count);
}

static int r_ser_drop(const uint8_t *p, size_t n, size_t count)
{
    return ser_run(VW_SERIAL_POLICY_DROP, p, n, count);
}

static int r_ser_reference(const uint8_t *p, size_t n, size_t count)
{
    return ser_run(VW_SERIAL_POLICY_REFERENCE, p, n, count);
}

/* Bad frames under DROP: a header announcing 601 bytes (over the default
 * limit) followed by those bytes, each dropped whole. */
static void unit_sbad(struct out *o, size_t k)
{
    uint8_t junk[601];
    memset(junk, (int)(k & 0xff), sizeof junk);
    put_u8(o, 601 & 0xff);
    put_u8(o, 601 >> 8);
    put(o, junk, sizeof junk);
}

static void b_sbad(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_sbad);
}

static int r_sbad(const uint8_t *p, size_t n, size_t count)
{
    struct vw_serial_deframer d;
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.policy = VW_SERIAL_POLICY_DROP;
    if (vw_serial_deframer_init(&d, &cfg) != VW_OK)
        return -1;
    size_t pos = 0;
    for (;;) {
        struct vw_serial_event ev;
        size_t used;
        (void)vw_serial_deframer_feed(&d, p + pos, n - pos, &ev, &used);
        pos += used;
        if (ev.type == VW_SERIAL_EV_NONE && pos == n)
            break;
    }
    return vw_serial_deframer_rejected(&d) == count && vw_serial_deframer_frames(&d) == 0 ? 0 : -1;
}

/* -- crosvm splitter: frames of 0..2 message bytes, fed in 7-byte chunks so
 * that frames also arrive in pieces -- */

static uint8_t split_buf[VW_CROSVM_MAX_MESSAGE];

static void unit_cframe(struct out *o, size_t k)
{
    size_t len = k % 3;
    put_u8(o, (uint8_t)len);
    for (size_t i = 0; i < len; i++)
        put_u8(o, (uint8_t)(k + i));
}

static void b_cframes(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_cframe);
}

static int r_cframes(const uint8_t *p, size_t n, size_t count)
{
    struct vw_crosvm_splitter s;
    if (vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ split_buf, sizeof split_buf, false }) != VW_OK)
        return -1;
    size_t frames = 0;
    for (size_t at = 0; at < n;) {
        size_t chunk = n - at < 7 ? n - at : 7, pos = 0;
        while (pos < chunk) {
            const uint8_t *f;
            size_t fl, used;
            if (vw_crosvm_splitter_feed(&s, p + at + pos, chunk - pos, &f, &fl, &used) != VW_OK)
                return -1;
            pos += used;
            frames += f != NULL;
        }
        at += chunk;
    }
    return frames == count && !vw_crosvm_splitter_pending(&s) ? 0 : -1;
}

/* -- IC: a stream of pipe packets, each a KVP SET (the smallest KVP record is
 * 2600 bytes, so the small size holds one packet) -- */

static void unit_kvp(struct out *o, size_t k)
{
    uint8_t m[2600];
    memset(m, 0, sizeof m);
    static const uint8_t hdr[20] = { 3, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0x14, 0x0a, 0, 0, 0, 0, 0, 3, 0, 0 };
    memcpy(m, hdr, sizeof hdr);
    m[20] = 1;  /* SET */
    m[24] = 1;  /* string */
    m[28] = 10; /* key size */
    m[32] = 12; /* value size */
    memcpy(m + 36, "N\0a\0m\0e\0", 8);
    memcpy(m + 548, "V\0a\0l\0u\0e\0", 10);
    m[36 + 6] = (uint8_t)('a' + k % 26); /* keys differ */
    uint8_t pipe[8] = { 1, 0, 0, 0, 0x28, 0x0a, 0, 0 }; /* type 1, size 2600 */
    put(o, pipe, sizeof pipe);
    put(o, m, sizeof m);
}

static void b_kvp(struct out *o, size_t target, size_t *count)
{
    repeat(o, target, count, unit_kvp);
}

static int r_kvp(const uint8_t *p, size_t n, size_t count)
{
    static struct vw_ic_packet pk;
    size_t k = 0;
    for (size_t at = 0; at < n; at += 2608, k++) {
        size_t off;
        if (vw_ic_packet_decode(p + at, 2608, &pk, &off) != VW_OK)
            return -1;
        if (pk.message.kind != VW_IC_BODY_KVP || pk.message.body.kvp.operation != VW_IC_KVP_OP_SET)
            return -1;
    }
    return k == count ? 0 : -1;
}

/* -- the canary: deliberately superlinear, n + n^2/65536 byte reads, which
 * the measurement must see (ratio about 17), so that this test can fail -- */

static void b_canary(struct out *o, size_t target, size_t *count)
{
    memset(o->p, 0x5a, target);
    o->n = target;
    *count = target;
}

static int r_canary(const uint8_t *p, size_t n, size_t count)
{
    volatile unsigned acc = 0;
    size_t window = n / 65536 + 1; /* n^2/65536 reads in all */
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < window; k++)
            acc += p[(i + k * 4099) % n];
    return count == n && acc != 1 ? 0 : -1;
}

static const struct pattern canary = { "canary: a superlinear loop is seen as one", b_canary, r_canary };

static const struct pattern patterns[] = {
    { "pb: nested sub-message chains (32 deep)", b_chain, r_chain },
    { "pb: one singular sub-message merged again and again", b_merge, r_merge },
    { "pb: long run of unknown fields, every wire type", b_unknown, r_unknown },
    { "pb: one long packed run of 5-byte varints", b_packed, r_packed },
    { "pb: many short packed runs of two fields", b_runs, r_runs },
    { "pb: many tiny repeated elements, strings, sub-messages", b_tiny, r_tiny },
    { "serial deframer (resync): many tiny frames", b_sframes, r_ser_resync },
    { "serial deframer (drop): many tiny frames", b_sframes, r_ser_drop },
    { "serial deframer (reference): many tiny frames", b_sframes, r_ser_reference },
    { "serial deframer (drop): many over-long frames", b_sbad, r_sbad },
    { "crosvm splitter: many tiny frames in 7-byte chunks", b_cframes, r_cframes },
    { "ic: stream of KVP packets", b_kvp, r_kvp },
};

/* ---- timing ------------------------------------------------------------------- */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct input {
    struct out o;
    size_t count;
    unsigned reps; /* runs per sample */
    double best;   /* least ns per run so far */
};

/* One sample: reps runs; returns -1 if a run fails. */
static int sample(const struct pattern *pt, struct input *in)
{
    double t0 = now_ns();
    for (unsigned r = 0; r < in->reps; r++)
        if (pt->run(in->o.p, in->o.n, in->count))
            return -1;
    double t = (now_ns() - t0) / in->reps;
    if (t < in->best)
        in->best = t;
    return 0;
}

static int calibrate(const struct pattern *pt, struct input *in)
{
    in->reps = 1;
    in->best = 1e300;
    for (;;) {
        double t0 = now_ns();
        for (unsigned r = 0; r < in->reps; r++)
            if (pt->run(in->o.p, in->o.n, in->count))
                return -1;
        double t = now_ns() - t0;
        if (t >= SAMPLE_NS || in->reps >= (1u << 24))
            return 0;
        in->reps *= t > 0 ? (t * 4 < SAMPLE_NS ? 4 : 2) : 4;
    }
}

int main(void)
{
    size_t np = sizeof patterns / sizeof patterns[0];
    arena_cap = 96u * LARGE;
    arena_mem = malloc(arena_cap);
    struct input small = { { malloc(8 * SMALL), 0, 8 * SMALL }, 0, 0, 0 };
    struct input large = { { malloc(LARGE), 0, LARGE }, 0, 0, 0 };
    if (!arena_mem || !small.o.p || !large.o.p) {
        printf("Bail out! out of memory\n");
        return 99;
    }
    printf("1..%zu\n", np + 1);
    int failed = 0;
    for (size_t i = 0; i < np; i++) {
        const struct pattern *pt = &patterns[i];
        small.o.n = large.o.n = 0;
        pt->build(&small.o, SMALL, &small.count);
        pt->build(&large.o, LARGE, &large.count);
        double ratio = 0, ps = 0, pl = 0;
        int ok = 0, bad_run = 0;
        for (int attempt = 0; attempt < ATTEMPTS && !ok && !bad_run; attempt++) {
            if (calibrate(pt, &small) || calibrate(pt, &large)) {
                bad_run = 1;
                break;
            }
            for (int s = 0; s < SAMPLES && !bad_run; s++)
                bad_run = sample(pt, &small) || sample(pt, &large);
            ps = small.best / (double)small.o.n;
            pl = large.best / (double)large.o.n;
            ratio = pl / ps;
            ok = ratio <= RATIO_LIMIT;
            if (!ok && !bad_run)
                printf("# %s: ratio %.2f on attempt %d, measuring again\n", pt->name, ratio,
                       attempt + 1);
        }
        if (bad_run) {
            printf("not ok %zu - %s: wrong decode result\n", i + 1, pt->name);
            failed = 1;
            continue;
        }
        printf("%s %zu - %s: %zu B %.2f ns/B, %zu B %.2f ns/B, ratio %.2f (limit %.0f)\n",
               ok ? "ok" : "not ok", i + 1, pt->name, small.o.n, ps, large.o.n, pl, ratio,
               RATIO_LIMIT);
        failed |= !ok;
    }
    /* The canary: one attempt, and it must exceed the limit. */
    small.o.n = large.o.n = 0;
    canary.build(&small.o, SMALL, &small.count);
    canary.build(&large.o, LARGE, &large.count);
    int bad = calibrate(&canary, &small) || calibrate(&canary, &large);
    for (int s = 0; s < SAMPLES && !bad; s++)
        bad = sample(&canary, &small) || sample(&canary, &large);
    double cr = (large.best / (double)large.o.n) / (small.best / (double)small.o.n);
    printf("%s %zu - %s: ratio %.2f (must exceed %.0f)\n", !bad && cr > RATIO_LIMIT ? "ok" : "not ok",
           np + 1, canary.name, cr, RATIO_LIMIT);
    failed |= bad || !(cr > RATIO_LIMIT);
    free(arena_mem);
    free(small.o.p);
    free(large.o.p);
    return failed;
}
