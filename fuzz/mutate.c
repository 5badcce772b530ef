/* Structure-aware custom mutators for the fuzz targets (mutate.h). */
#include "mutate.h"

#include <string.h>

#include "vmwire/crosvm.h"
#include "vmwire/serial.h"

#define below vwfg_below
#define rnd vwfg_rnd

static const struct fzm_target targets[] = {
    { "fuzz_crosvm_seed_main_request", FZM_PB, 0 },
    { "fuzz_crosvm_seed_main_response", FZM_PB, 1 },
    { "fuzz_crosvm_seed_vcpu_request", FZM_PB, 2 },
    { "fuzz_crosvm_seed_vcpu_response", FZM_PB, 3 },
    { "fuzz_crosvm_final_main_request", FZM_PB, 4 },
    { "fuzz_crosvm_final_main_response", FZM_PB, 5 },
    { "fuzz_crosvm_final_vcpu_request", FZM_PB, 6 },
    { "fuzz_crosvm_final_vcpu_response", FZM_PB, 7 },
    { "fuzz_serial_guest_message", FZM_PB, 8 },
    { "fuzz_serial_vmm_config", FZM_PB, 9 },
    { "fuzz_ic_message", FZM_IC_MESSAGE, 0 },
    { "fuzz_ic_packet", FZM_IC_PACKET, 0 },
    { "fuzz_ic_guest", FZM_IC_GUEST, 0 },
    { "fuzz_ic_host", FZM_IC_HOST, 0 },
    { "fuzz_crosvm_main", FZM_CROSVM_MAIN, 0 },
    { "fuzz_serial_deframe", FZM_SERIAL_DEFRAME, 0 },
};
#define NTARGETS (sizeof targets / sizeof targets[0])

const struct fzm_target *fzm_target(const char *name)
{
    for (size_t i = 0; name && i < NTARGETS; i++)
        if (!strcmp(targets[i].name, name))
            return &targets[i];
    return NULL;
}

const struct fzm_target *fzm_target_at(size_t i)
{
    return i < NTARGETS ? &targets[i] : NULL;
}

static const ProtobufCMessageDescriptor *proto_descriptor(int proto)
{
    if (proto >= 0 && proto < 8)
        return vw_crosvm_descriptor((enum vw_crosvm_revision)(proto / 4), (enum vw_crosvm_kind)(proto % 4));
    if (proto == 8)
        return vw_serial_descriptor(VW_SERIAL_GUEST_MESSAGE);
    if (proto == 9)
        return vw_serial_descriptor(VW_SERIAL_VMM_CONFIG);
    return NULL;
}

/* ---- pieces: one message, mutated by the generator that fits it ---------------- */

enum piece { P_BYTES, P_IC_MESSAGE, P_IC_PACKET, P_PB };

/* 1 to 3 mutations of p[0..*n) (room for cap). other: bytes to merge from
 * (must not overlap p). */
static void piece_mutate(struct vwfg_rng *r, struct fzm_work *w, enum piece kind, int proto, uint8_t *p, size_t *n,
                         size_t cap, const uint8_t *other, size_t on)
{
    const ProtobufCMessageDescriptor *d = kind == P_PB ? proto_descriptor(proto) : NULL;
    size_t rounds = 1 + below(r, 3);
    for (size_t k = 0; k < rounds; k++) {
        const char *g = NULL;
        switch (kind) {
        case P_PB:
            if (d && below(r, 10) == 0) {
                /* a fresh message from the schema */
                *n = vwfg_schema_message(r, d, p, cap);
                g = "pb-schema";
            } else if (d && below(r, 10) == 0) {
                /* a schema-built message appended: protobuf merges the two */
                *n += vwfg_schema_message(r, d, p + *n, cap - *n);
                g = "pb-schema-merge";
            } else if (below(r, 6)) {
                g = vwfg_pb_mutate(r, &w->pb, p, n, cap, other, on);
            }
            break;
        case P_IC_MESSAGE:
        case P_IC_PACKET:
            if (below(r, 5))
                g = vwfg_ic_mutate(r, p, n, cap, kind == P_IC_PACKET);
            break;
        default: break;
        }
        if (!g)
            vwfg_bytes_mutate(r, p, n, cap);
    }
}

/* ---- records (config:u8, then op:u8 len:u16le data[len]) ----------------------- */

/* Parse p[0..n) into records (data pointing into p); *tail: the offset of
 * what is past the last record parsed (n when all were). */
static size_t rec_parse(const uint8_t *p, size_t n, struct fzm_rec *out, size_t *tail)
{
    size_t i = n ? 1 : 0, k = 0;
    while (i < n && k < FZM_RECORDS) {
        uint8_t op = p[i++];
        size_t want = 0;
        if (i < n)
            want = p[i++];
        if (i < n)
            want |= (size_t)p[i++] << 8;
        size_t len = want < n - i ? want : n - i;
        out[k].op = op;
        out[k].p = p + i;
        out[k].len = (uint32_t)len;
        k++;
        i += len;
    }
    *tail = i;
    return k;
}

/* Write config, records, tail into out[0..max); records that do not fit
 * are left out. */
static size_t rec_write(uint8_t config, const struct fzm_rec *r, size_t k, const uint8_t *tail, size_t tn,
                        uint8_t *out, size_t max)
{
    if (!max)
        return 0;
    size_t o = 0;
    out[o++] = config;
    for (size_t i = 0; i < k; i++) {
        size_t len = r[i].len > 0xffff ? 0xffff : r[i].len;
        if (o + 3 + len > max)
            return o;
        out[o++] = r[i].op;
        out[o++] = (uint8_t)len;
        out[o++] = (uint8_t)(len >> 8);
        memmove(out + o, r[i].p, len);
        o += len;
    }
    if (tn && o + tn <= max) {
        memmove(out + o, tail, tn);
        o += tn;
    }
    return o;
}

/* What a record of this op carries, in this target and configuration. */
static enum piece rec_piece(const struct fzm_target *t, uint8_t config, uint8_t op, int *proto)
{
    *proto = -1;
    switch (t->format) {
    case FZM_IC_GUEST:
        return op % 4 == 0 || op % 4 == 3 ? P_IC_PACKET : P_BYTES;
    case FZM_IC_HOST:
        return op % 5 == 0 ? P_IC_PACKET : op % 5 == 3 ? P_IC_MESSAGE : P_BYTES;
    case FZM_CROSVM_MAIN: {
        /* the host end receives MainRequest and sends MainResponse; the
         * plugin end the other way round */
        int plugin = config & 1, rev = (config >> 1) & 1;
        if (op % 4 > 1)
            return P_BYTES;
        int received = op % 4 == 0;
        int kind = (plugin ^ !received) ? VW_CROSVM_MAIN_RESPONSE : VW_CROSVM_MAIN_REQUEST;
        *proto = rev * 4 + kind;
        return P_PB;
    }
    default: return P_BYTES;
    }
}

/* A control record with no data: drain the engine's output. */
static uint8_t drain_op(const struct fzm_target *t, struct vwfg_rng *r)
{
    switch (t->format) {
    case FZM_IC_GUEST: return (uint8_t)(1 + 4 * below(r, 64));
    case FZM_IC_HOST: return (uint8_t)(below(r, 3) ? 2 + 5 * below(r, 2) : 1);
    default: return (uint8_t)(2 + 4 * below(r, 64));
    }
}

static size_t records_mutate(const struct fzm_target *t, struct vwfg_rng *r, struct fzm_work *w, uint8_t *data,
                             size_t size, size_t max, const uint8_t *other, size_t on)
{
    memcpy(w->in, data, size);
    size_t tail, otail;
    size_t k = rec_parse(w->in, size, w->r1, &tail);
    size_t ok = other ? rec_parse(other, on, w->r2, &otail) : 0;
    uint8_t config = size ? w->in[0] : (uint8_t)rnd(r);
    struct fzm_rec *rs = w->r1;
    size_t pick = below(r, k);
    unsigned what = (unsigned)below(r, 16);
    if (!k && what < 12)
        what = 12;
    switch (what) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
        /* a record's data, by the generator of what it carries; a record
         * without data gets a drain op or a new op instead */
        int proto;
        enum piece pc = rec_piece(t, config, rs[pick].op, &proto);
        if (pc == P_BYTES && below(r, 2)) {
            rs[pick].op = (uint8_t)rnd(r);
            break;
        }
        size_t n = rs[pick].len;
        memcpy(w->rec, rs[pick].p, n);
        const struct fzm_rec *o = ok ? &w->r2[below(r, ok)] : NULL;
        piece_mutate(r, w, pc, proto, w->rec, &n, 0xffff, o ? o->p : NULL, o ? o->len : 0);
        rs[pick].p = w->rec;
        rs[pick].len = (uint32_t)n;
        break;
    }
    case 7: /* drop */
        memmove(&rs[pick], &rs[pick + 1], (k - pick - 1) * sizeof *rs);
        k--;
        break;
    case 8: /* repeat */
        if (k < FZM_RECORDS) {
            memmove(&rs[pick + 1], &rs[pick], (k - pick) * sizeof *rs);
            k++;
        }
        break;
    case 9: /* swap with the next */
        if (pick + 1 < k) {
            struct fzm_rec x = rs[pick];
            rs[pick] = rs[pick + 1];
            rs[pick + 1] = x;
        }
        break;
    case 10: /* another op (its type, or its fds, split point or clock) */
        rs[pick].op = below(r, 2) ? (uint8_t)rnd(r) : (uint8_t)(rs[pick].op ^ (1u << below(r, 8)));
        break;
    case 11: /* the configuration */
        config = below(r, 2) ? (uint8_t)rnd(r) : (uint8_t)(config ^ (1u << below(r, 8)));
        break;
    default: {
        /* a record added: one of the other input's, a drain, or (crosvm) a
         * message built from the schema of the direction, then a drain */
        if (k + 2 > FZM_RECORDS)
            break;
        size_t at = below(r, k + 1);
        struct fzm_rec add[2];
        size_t na = 1;
        unsigned how = (unsigned)below(r, 3);
        if (how == 0 && ok) {
            add[0] = w->r2[below(r, ok)];
        } else if (how == 1 && t->format == FZM_CROSVM_MAIN) {
            int proto;
            uint8_t op = (uint8_t)(4 * below(r, 64) + below(r, 2));
            rec_piece(t, config, op, &proto);
            add[0].op = op;
            add[0].p = w->rec;
            add[0].len = (uint32_t)vwfg_schema_message(r, proto_descriptor(proto), w->rec, 4096);
            add[1].op = drain_op(t, r);
            add[1].p = w->rec;
            add[1].len = 0;
            na = 2;
        } else {
            add[0].op = drain_op(t, r);
            add[0].p = w->rec;
            add[0].len = 0;
        }
        memmove(&rs[at + na], &rs[at], (k - at) * sizeof *rs);
        memcpy(&rs[at], add, na * sizeof *add);
        k += na;
        break;
    }
    }
    return rec_write(config, rs, k, w->in + tail, size - tail, data, max);
}

/* ---- the deframer's input (config:u8, plan_len:u8, plan, stream) ---------------- */

struct deframe_in {
    uint8_t config;
    const uint8_t *plan, *stream;
    size_t pl, sn;
};

static void deframe_parse(const uint8_t *p, size_t n, struct deframe_in *d)
{
    d->config = n ? p[0] : 0;
    size_t want = n > 1 ? p[1] : 0;
    size_t left = n > 2 ? n - 2 : 0;
    d->pl = want < left ? want : left;
    d->plan = p + (n > 2 ? 2 : n);
    d->stream = d->plan + d->pl;
    d->sn = left - d->pl;
}

static size_t deframe_write(const struct deframe_in *d, uint8_t *out, size_t max)
{
    if (max < 2)
        return 0;
    size_t pl = d->pl < max - 2 ? d->pl : max - 2;
    size_t sn = d->sn < max - 2 - pl ? d->sn : max - 2 - pl;
    out[0] = d->config;
    out[1] = (uint8_t)pl;
    memmove(out + 2, d->plan, pl);
    memmove(out + 2 + pl, d->stream, sn);
    return 2 + pl + sn;
}

static size_t deframe_mutate(struct vwfg_rng *r, struct fzm_work *w, uint8_t *data, size_t size, size_t max,
                             const uint8_t *other, size_t on)
{
    memcpy(w->in, data, size);
    struct deframe_in d, od;
    deframe_parse(w->in, size, &d);
    memset(&od, 0, sizeof od);
    if (other && on)
        deframe_parse(other, on, &od);
    uint8_t plan[255];
    switch (below(r, 8)) {
    case 0: /* the configuration: policy, check, limit */
        d.config = below(r, 2) ? (uint8_t)rnd(r) : (uint8_t)(d.config ^ (1u << below(r, 8)));
        break;
    case 1: { /* the chunk plan: none (byte by byte), random, or one chunk changed */
        size_t pl = below(r, 3) == 0 ? 0 : 1 + below(r, 32);
        if (below(r, 2) && d.pl) {
            memcpy(plan, d.plan, d.pl);
            pl = d.pl;
            plan[below(r, pl)] = (uint8_t)rnd(r);
        } else {
            for (size_t i = 0; i < pl; i++)
                plan[i] = (uint8_t)rnd(r);
        }
        d.plan = plan;
        d.pl = pl;
        break;
    }
    default: { /* the stream, frame by frame */
        size_t n = d.sn, cap = max > 2 + d.pl ? max - 2 - d.pl : 0;
        if (cap > FZM_MAX)
            cap = FZM_MAX;
        if (n > cap)
            n = cap;
        memcpy(w->rec, d.stream, n);
        size_t rounds = 1 + below(r, 2);
        for (size_t i = 0; i < rounds; i++)
            vwfg_stream_mutate(r, w->rec, &n, cap, od.stream, od.sn);
        d.stream = w->rec;
        d.sn = n;
        break;
    }
    }
    return deframe_write(&d, data, max);
}

/* ---- entry points --------------------------------------------------------------- */

static uint64_t mix(uint64_t seed, size_t size)
{
    return seed * 0x100000001b3ull ^ (uint64_t)size * 0x9e3779b97f4a7c15ull;
}

size_t fzm_mutate(const struct fzm_target *t, struct fzm_work *w, uint8_t *data, size_t size, size_t max,
                  uint64_t seed)
{
    if (size > FZM_MAX || max > FZM_MAX)
        max = FZM_MAX < max ? FZM_MAX : max;
    if (size > max || !t)
        return 0;
    struct vwfg_rng r = { mix(seed, size) };
    switch (t->format) {
    case FZM_PB: {
        /* merges come from the input itself (a member repeated, a second
         * oneof member spliced in) */
        memcpy(w->other, data, size);
        size_t n = size;
        piece_mutate(&r, w, P_PB, t->proto, data, &n, max, w->other, size);
        return n;
    }
    case FZM_IC_MESSAGE:
    case FZM_IC_PACKET: {
        size_t n = size;
        piece_mutate(&r, w, t->format == FZM_IC_PACKET ? P_IC_PACKET : P_IC_MESSAGE, -1, data, &n, max, NULL, 0);
        return n;
    }
    case FZM_SERIAL_DEFRAME:
        memcpy(w->other, data, size);
        return deframe_mutate(&r, w, data, size, max, w->other, size);
    default:
        memcpy(w->other, data, size);
        return records_mutate(t, &r, w, data, size, max, w->other, size);
    }
}

size_t fzm_crossover(const struct fzm_target *t, struct fzm_work *w, const uint8_t *d1, size_t s1,
                     const uint8_t *d2, size_t s2, uint8_t *out, size_t max, uint64_t seed)
{
    if (max > FZM_MAX)
        max = FZM_MAX;
    if (!t || s1 > FZM_MAX || s2 > FZM_MAX)
        return 0;
    struct vwfg_rng r = { mix(seed, s1 + s2) };
    switch (t->format) {
    case FZM_PB: {
        /* d1 with a member of d2 merged in, or d1 then d2 (a protobuf merge) */
        size_t n = s1 < max ? s1 : max;
        memcpy(out, d1, n);
        memcpy(w->other, d2, s2);
        if (below(&r, 2)) {
            size_t k = s2 < max - n ? s2 : max - n;
            memcpy(out + n, w->other, k);
            return n + k;
        }
        if (!vwfg_pb_mutate(&r, &w->pb, out, &n, max, w->other, s2))
            vwfg_bytes_mutate(&r, out, &n, max);
        return n;
    }
    case FZM_IC_MESSAGE:
    case FZM_IC_PACKET: {
        /* d1's headers, d2's body */
        bool packet = t->format == FZM_IC_PACKET;
        size_t hdr = packet ? 28 : 20;
        size_t h = s1 < hdr ? s1 : hdr, b = s2 > hdr ? s2 - hdr : 0;
        if (h + b > max)
            b = max > h ? max - h : 0;
        if (h > max)
            h = max;
        memcpy(out, d1, h);
        memcpy(out + h, d2 + (s2 - (s2 > hdr ? s2 - hdr : 0)), b);
        if (below(&r, 4))
            vwfg_ic_fix_sizes(out, h + b, packet);
        return h + b;
    }
    case FZM_SERIAL_DEFRAME: {
        /* d1's config, plan and first frames, then d2's last frames */
        memcpy(w->in, d1, s1);
        memcpy(w->other, d2, s2);
        struct deframe_in a, b;
        deframe_parse(w->in, s1, &a);
        deframe_parse(w->other, s2, &b);
        size_t cut = below(&r, a.sn + 1), from = below(&r, b.sn + 1);
        size_t n = cut + (b.sn - from);
        if (n > FZM_MAX)
            n = FZM_MAX;
        memcpy(w->rec, a.stream, cut);
        memcpy(w->rec + cut, b.stream + from, n - cut);
        a.stream = w->rec;
        a.sn = n;
        return deframe_write(&a, out, max);
    }
    default: {
        /* d1's config and first records, then d2's last records */
        memcpy(w->in, d1, s1);
        memcpy(w->other, d2, s2);
        size_t t1, t2;
        size_t k1 = rec_parse(w->in, s1, w->r1, &t1);
        size_t k2 = rec_parse(w->other, s2, w->r2, &t2);
        size_t cut = below(&r, k1 + 1), from = below(&r, k2 + 1);
        size_t k = cut;
        for (size_t i = from; i < k2 && k < FZM_RECORDS; i++)
            w->r1[k++] = w->r2[i];
        return rec_write(s1 ? w->in[0] : 0, w->r1, k, NULL, 0, out, max);
    }
    }
}
