/* Structure-aware generators shared by the runner's differential fuzzer and
 * the fuzz targets' custom mutators (fuzzgen.h). No allocation, no state. */
#include "conformance/fuzzgen.h"

#include <string.h>

/* ---- PRNG (splitmix64) ---------------------------------------------------- */

uint64_t vwfg_rnd(struct vwfg_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t vwfg_below(struct vwfg_rng *r, size_t n)
{
    return n ? (size_t)(vwfg_rnd(r) % n) : 0;
}

#define rnd vwfg_rnd
#define below vwfg_below

static const uint64_t limits64[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 31, 32, 33, 63, 64, 100, 101, 127, 128, 255, 256, 599, 600, 601,
    0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000ull, 0xffffffffull, 0x100000000ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
};
#define NLIMITS (sizeof limits64 / sizeof limits64[0])

static const size_t lens[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 257, 511, 599, 600, 601 };
#define NLENS (sizeof lens / sizeof lens[0])

uint64_t vwfg_limit(struct vwfg_rng *r)
{
    uint64_t v = limits64[below(r, NLIMITS)];
    switch (below(r, 8)) {
    case 0: return v - 1;
    case 1: return v + 1;
    case 2: return rnd(r);
    default: return v;
    }
}

size_t vwfg_len(struct vwfg_rng *r)
{
    return lens[below(r, NLENS)];
}

#define limit vwfg_limit

static void put_le(uint8_t *p, size_t w, uint64_t v)
{
    for (size_t i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t w)
{
    uint64_t v = 0;
    for (size_t i = 0; i < w; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- bytes ---------------------------------------------------------------------- */

const char *vwfg_bytes_mutate(struct vwfg_rng *r, uint8_t *p, size_t *np, size_t cap)
{
    size_t n = *np;
    const char *g;
    switch (below(r, 6)) {
    case 0:
        g = "truncate";
        if (n)
            n = below(r, 3) == 0 ? n - 1 : below(r, n);
        break;
    case 1:
        g = "bitflip";
        if (n)
            p[below(r, n)] ^= (uint8_t)(1u << below(r, 8));
        break;
    case 2: {
        static const uint8_t interesting[] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12 };
        g = "byte";
        if (n)
            p[below(r, n)] = interesting[below(r, sizeof interesting)];
        break;
    }
    case 3: {
        g = "insert";
        size_t at = below(r, n + 1), k = 1 + below(r, 8);
        if (n + k > cap)
            k = cap - n;
        memmove(p + at + k, p + at, n - at);
        for (size_t i = 0; i < k; i++)
            p[at + i] = (uint8_t)rnd(r);
        n += k;
        break;
    }
    case 4: {
        g = "delete";
        if (n) {
            size_t at = below(r, n), k = 1 + below(r, n - at < 8 ? n - at : 8);
            memmove(p + at, p + at + k, n - at - k);
            n -= k;
        }
        break;
    }
    default: {
        g = "le-field";
        size_t w = (size_t)1 << below(r, 4);
        if (n >= w) {
            size_t at = below(r, n / w) * w;
            if (at + w > n)
                at = 0;
            put_le(p + at, w, limit(r));
        }
        break;
    }
    }
    *np = n;
    return g;
}

/* ---- IC layouts ------------------------------------------------------------- */

void vwfg_ic_fix_sizes(uint8_t *p, size_t n, bool packet)
{
    size_t base = packet ? 8 : 0;
    if (n >= base + 20)
        put_le(p + base + 10, 2, n - base - 20 > 0xffff ? 0xffff : n - base - 20);
    if (packet && n >= 8)
        put_le(p + 4, 4, n - 8);
}

const char *vwfg_ic_mutate(struct vwfg_rng *r, uint8_t *p, size_t *np, size_t cap, bool packet)
{
    size_t base = packet ? 8 : 0, n = *np;
    const char *g;
    static const struct {
        uint8_t off, w;
    } fields[] = { { 0, 2 }, { 2, 2 }, { 4, 2 }, { 6, 2 }, { 8, 2 }, { 10, 2 }, { 12, 4 }, { 16, 1 }, { 17, 1 }, { 18, 2 } };
    switch (below(r, 6)) {
    case 0: { /* a header field around its limits or among the small values */
        size_t k = below(r, sizeof fields / sizeof fields[0]);
        size_t at = base + fields[k].off;
        if (at + fields[k].w <= n) {
            uint64_t v = below(r, 2) ? below(r, 7) : limit(r);
            put_le(p + at, fields[k].w, v);
        }
        return "ic-header-field";
    }
    case 1: /* the pipe header */
        if (packet && n >= 8) {
            if (below(r, 2))
                put_le(p, 4, below(r, 2) ? below(r, 6) : limit(r));
            else
                put_le(p + 4, 4, (uint64_t)(n - 8) + (uint64_t)(long)(below(r, 5)) - 2);
            return "ic-pipe-field";
        }
        /* fall through */
    case 2: { /* the body grown or cut, sizes kept consistent */
        size_t hdr = base + 20;
        size_t want = hdr + lens[below(r, NLENS)];
        if (below(r, 2) && n > hdr)
            want = n + below(r, 9) - 4;
        if (want < hdr)
            want = hdr;
        if (want > cap)
            want = cap;
        while (n < want)
            p[n++] = below(r, 2) ? 0 : (uint8_t)rnd(r);
        n = want;
        vwfg_ic_fix_sizes(p, n, packet);
        g = "ic-body-size";
        break;
    }
    case 3: /* negotiation: counts and versions */
        if (n >= base + 28 && get_le(p + base + 4, 2) == 0) {
            size_t body = base + 20;
            size_t F = below(r, 4), M = below(r, 5);
            if (below(r, 8) == 0)
                F = below(r, 2) ? 100 : 101;
            size_t nv = F + M > 12 ? 12 : F + M;
            if (body + 8 + 4 * nv > cap)
                return "ic-negotiate";
            n = body + 8;
            put_le(p + body, 2, F);
            put_le(p + body + 2, 2, M);
            for (size_t i = 0; i < nv; i++) {
                put_le(p + n, 2, below(r, 7));
                put_le(p + n + 2, 2, below(r, 4));
                n += 4;
            }
            if (below(r, 4))
                vwfg_ic_fix_sizes(p, n, packet);
            g = "ic-negotiate";
            break;
        }
        /* fall through */
    case 4: { /* a body field (u16/u32 aligned) around its limits */
        size_t w = below(r, 2) ? 2 : 4;
        if (n >= base + 20 + w) {
            size_t at = base + 20 + below(r, (n - base - 20) / w) * w;
            put_le(p + at, w, below(r, 2) ? below(r, 7) : limit(r));
        }
        return "ic-body-field";
    }
    default:
        vwfg_bytes_mutate(r, p, &n, cap);
        g = "ic-bytes";
        break;
    }
    *np = n;
    return g;
}

/* ---- serial frame streams ----------------------------------------------------- */

const char *vwfg_stream_mutate(struct vwfg_rng *r, uint8_t *p, size_t *np, size_t cap, const uint8_t *other,
                               size_t on)
{
    size_t n = *np;
    switch (below(r, 4)) {
    case 0: {
        /* a frame length (u16 LE at a frame start) around the limits */
        size_t at = 0, starts[64], ns = 0;
        while (at + 2 <= n && ns < 64) {
            starts[ns++] = at;
            at += 2 + get_le(p + at, 2);
        }
        if (ns) {
            static const uint64_t fl[] = { 0, 1, 2, 599, 600, 601, 0xffff };
            size_t st = starts[below(r, ns)];
            uint64_t v = below(r, 2) ? fl[below(r, 7)] : get_le(p + st, 2) + below(r, 3) - 1;
            put_le(p + st, 2, v);
        }
        return "frame-length";
    }
    case 1: {
        /* a frame of a limit length appended */
        size_t fl = lens[below(r, NLENS)];
        if (n + 2 + fl <= cap) {
            put_le(p + n, 2, fl);
            n += 2;
            for (size_t q = 0; q < fl; q++)
                p[n++] = q % 2 ? 0x01 : 0x08;
            *np = n;
        }
        return "frame-append";
    }
    case 2: {
        /* the other stream appended (frames back to back) */
        size_t k = on < cap - n ? on : cap - n;
        if (k && other)
            memcpy(p + n, other, k);
        *np = n + k;
        return "stream-concat";
    }
    default: return vwfg_bytes_mutate(r, p, np, cap);
    }
}

/* ---- protobuf field trees ------------------------------------------------------ */

/* Node kinds: what a node's payload is. */
enum {
    K_RAW,    /* base[off, off + len): a fixed or LEN payload as read */
    K_SUB,    /* LEN: the children's encoding */
    K_FILL,   /* LEN: want bytes, base[off + i % len] ('a' when len is 0) */
    K_INLINE, /* in[0, nin) */
};

static int32_t node_new(struct vwfg_pb_work *w)
{
    if (w->nn >= VWFG_PB_NODES)
        return -1;
    struct vwfg_pb_node *x = &w->node[w->nn];
    memset(x, 0, sizeof *x);
    x->first = x->next = -1;
    return w->nn++;
}

static bool rd_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned s = 0; s < 70; s += 7) {
        if (*i >= n)
            return false;
        uint8_t c = p[(*i)++];
        if (s == 63 && c > 1)
            return false;
        x |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* Parse base[off, off + n) as a message: the index of its first field (-1
 * for none) in *first. False when the bytes are not a clean message or the
 * node pool is exhausted. A LEN payload that parses is a K_SUB node. */
static bool pb_parse(struct vwfg_pb_work *w, const uint8_t *base, size_t off, size_t n, int depth, int32_t *first)
{
    const uint8_t *p = base + off;
    size_t i = 0;
    int32_t *tail = first;
    *first = -1;
    while (i < n) {
        uint64_t tag, v;
        if (!rd_varint(p, n, &i, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
            return false;
        int32_t k = node_new(w);
        if (k < 0)
            return false;
        struct vwfg_pb_node *f = &w->node[k];
        f->base = base;
        f->num = (uint32_t)(tag >> 3);
        f->wt = tag & 7;
        switch (f->wt) {
        case 0:
            if (!rd_varint(p, n, &i, &f->v))
                return false;
            break;
        case 1:
        case 5: {
            size_t fw = f->wt == 1 ? 8 : 4;
            if (n - i < fw)
                return false;
            f->kind = K_RAW;
            f->off = (uint32_t)(off + i);
            f->len = (uint32_t)fw;
            i += fw;
            break;
        }
        case 2: {
            if (!rd_varint(p, n, &i, &v) || v > n - i)
                return false;
            f->kind = K_RAW;
            f->off = (uint32_t)(off + i);
            f->len = (uint32_t)v;
            if (depth < 8 && v) {
                int32_t nn = w->nn, sub;
                if (pb_parse(w, base, off + i, (size_t)v, depth + 1, &sub)) {
                    f = &w->node[k];
                    f->kind = K_SUB;
                    f->first = sub;
                } else {
                    w->nn = nn; /* not a message: keep it raw */
                }
            }
            i += (size_t)v;
            break;
        }
        default: return false;
        }
        *tail = k;
        tail = &w->node[k].next;
    }
    return true;
}

static size_t varint_size(uint64_t v)
{
    size_t k = 1;
    while (v >= 0x80) {
        v >>= 7;
        k++;
    }
    return k;
}

static size_t list_size(const struct vwfg_pb_work *w, int32_t first);

static size_t payload_size(const struct vwfg_pb_work *w, const struct vwfg_pb_node *f)
{
    switch (f->kind) {
    case K_SUB: return list_size(w, f->first);
    case K_FILL: return f->want;
    case K_INLINE: return f->nin;
    default: return f->len;
    }
}

static uint64_t written_len(size_t payload, int32_t lie)
{
    long long l = (long long)payload + lie;
    return l < 0 ? 0 : (uint64_t)l;
}

static size_t node_size(const struct vwfg_pb_work *w, const struct vwfg_pb_node *f)
{
    size_t k = varint_size(((uint64_t)f->num << 3) | f->wt);
    switch (f->wt) {
    case 0: return k + varint_size(f->v);
    case 1:
    case 5: return k + payload_size(w, f);
    case 2: {
        size_t pl = payload_size(w, f);
        return k + varint_size(written_len(pl, f->lie)) + pl;
    }
    default: return k; /* groups and invalid wire types: the tag alone */
    }
}

static size_t list_size(const struct vwfg_pb_work *w, int32_t first)
{
    size_t s = 0;
    for (int32_t i = first; i >= 0; i = w->node[i].next)
        s += node_size(w, &w->node[i]);
    return s;
}

static uint8_t *put_varint(uint8_t *o, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        *o++ = c | (v ? 0x80 : 0);
    } while (v);
    return o;
}

static uint8_t *write_list(const struct vwfg_pb_work *w, int32_t first, uint8_t *o);

static uint8_t *write_payload(const struct vwfg_pb_work *w, const struct vwfg_pb_node *f, uint8_t *o)
{
    switch (f->kind) {
    case K_SUB: return write_list(w, f->first, o);
    case K_FILL:
        for (uint32_t i = 0; i < f->want; i++)
            *o++ = f->len ? f->base[f->off + i % f->len] : 'a';
        return o;
    case K_INLINE:
        memcpy(o, f->in, f->nin);
        return o + f->nin;
    default:
        memcpy(o, f->base + f->off, f->len);
        return o + f->len;
    }
}

static uint8_t *write_list(const struct vwfg_pb_work *w, int32_t first, uint8_t *o)
{
    for (int32_t i = first; i >= 0; i = w->node[i].next) {
        const struct vwfg_pb_node *f = &w->node[i];
        o = put_varint(o, ((uint64_t)f->num << 3) | f->wt);
        switch (f->wt) {
        case 0: o = put_varint(o, f->v); break;
        case 1:
        case 5: o = write_payload(w, f, o); break;
        case 2:
            o = put_varint(o, written_len(payload_size(w, f), f->lie));
            o = write_payload(w, f, o);
            break;
        default: break;
        }
    }
    return o;
}

/* Every field of the tree (pre-order), as the link that points at it, and
 * the head link of the message that holds it. */
static void pb_refs(struct vwfg_pb_work *w, int32_t *head, int32_t **out, int32_t **heads, size_t *n, size_t max)
{
    for (int32_t *l = head; *l >= 0 && *n < max; l = &w->node[*l].next) {
        heads[*n] = head;
        out[(*n)++] = l;
        if (w->node[*l].kind == K_SUB)
            pb_refs(w, &w->node[*l].first, out, heads, n, max);
    }
}

static size_t list_count(const struct vwfg_pb_work *w, int32_t first)
{
    size_t k = 0;
    for (int32_t i = first; i >= 0; i = w->node[i].next)
        k++;
    return k;
}

static int32_t *list_at(struct vwfg_pb_work *w, int32_t *link, size_t at)
{
    while (at-- && *link >= 0)
        link = &w->node[*link].next;
    return link;
}

/* A copy of node k (sharing its children: the tree is written once) put
 * at *link. */
static bool insert_copy(struct vwfg_pb_work *w, int32_t *link, int32_t k)
{
    int32_t c = node_new(w);
    if (c < 0)
        return false;
    w->node[c] = w->node[k];
    w->node[c].next = *link;
    *link = c;
    return true;
}

/* The payload of a node as flat bytes into the node itself (a K_SUB that
 * becomes a plain payload keeps its bytes as read). */
static void set_raw(struct vwfg_pb_node *f)
{
    if (f->kind == K_SUB) {
        f->kind = K_RAW;
        f->first = -1;
    }
}

static uint8_t payload_byte(const struct vwfg_pb_node *f, size_t i)
{
    switch (f->kind) {
    case K_INLINE: return i < f->nin ? f->in[i] : 0;
    case K_FILL: return i < f->want ? (f->len ? f->base[f->off + i % f->len] : 'a') : 0;
    default: return i < f->len ? f->base[f->off + i] : 0;
    }
}

static size_t payload_len(const struct vwfg_pb_node *f)
{
    return f->kind == K_INLINE ? f->nin : f->kind == K_FILL ? f->want : f->len;
}

static const char *pb_tree_mutate(struct vwfg_rng *r, struct vwfg_pb_work *w, int32_t oroot)
{
    int32_t *refs[512], *heads[512];
    size_t nr = 0;
    pb_refs(w, &w->root, refs, heads, &nr, 512);
    unsigned which = (unsigned)below(r, 12);
    if (!nr && which != 5 && which != 9)
        which = 5;
    size_t pick = nr ? below(r, nr) : 0;
    int32_t *ref = nr ? refs[pick] : &w->root;
    struct vwfg_pb_node *f = nr ? &w->node[*ref] : NULL;
    switch (which) {
    case 0:
        if (f->wt == 0) {
            f->v = limit(r);
            return "pb-varint-limit";
        }
        /* fall through */
    case 1:
        if (f->wt == 2) {
            set_raw(f);
            size_t want = lens[below(r, NLENS)];
            if (below(r, 2))
                want = payload_len(f) + 1;
            if (f->kind == K_INLINE) { /* only unknown fields are inline; small */
                f->kind = K_FILL;
                f->base = NULL;
                f->len = 0;
            }
            if (f->kind == K_RAW)
                f->kind = K_FILL;
            f->want = (uint32_t)want;
            return "pb-length-limit";
        }
        if (f->wt == 1 || f->wt == 5) {
            uint64_t v = limit(r);
            size_t fw = payload_len(f);
            f->kind = K_INLINE;
            f->nin = (uint8_t)(fw > 8 ? 8 : fw);
            put_le(f->in, f->nin, v);
            return "pb-fixed-limit";
        }
        f->v = limit(r);
        return "pb-varint-limit";
    case 2:
        *ref = f->next;
        return "pb-drop-field";
    case 3: {
        static const size_t counts[] = { 1, 2, 3, 4, 5, 7, 8, 16, 17, 32, 33, 100, 101 };
        size_t k = counts[below(r, sizeof counts / sizeof counts[0])];
        int32_t at = *ref;
        for (size_t j = 0; j < k; j++)
            if (!insert_copy(w, &w->node[at].next, at))
                break;
        return "pb-repeat-field";
    }
    case 4:
        f->num = below(r, 2) ? f->num + 1 : (f->num > 1 ? f->num - 1 : 2);
        return "pb-field-number";
    case 5: {
        static const uint32_t nums[] = { 1, 2, 3, 15, 16, 19, 100, 1000, 19000, 0x1fffffff };
        /* into the message holding the chosen field (the root when there is none) */
        int32_t *list = nr ? heads[pick] : &w->root;
        size_t cnt = list_count(w, *list);
        int32_t u = node_new(w);
        if (u < 0)
            return NULL;
        int32_t *at = list_at(w, list, below(r, cnt + 1));
        struct vwfg_pb_node *x = &w->node[u];
        x->num = nums[below(r, sizeof nums / sizeof nums[0])];
        x->wt = (uint8_t)((below(r, 4) == 0 ? 1 : below(r, 3) * 2 + (below(r, 2) ? 0 : 1)) & 7);
        if (x->wt == 3)
            x->wt = 2;
        x->v = limit(r);
        x->kind = K_INLINE;
        if (x->wt == 1 || x->wt == 5)
            for (size_t i = 0; i < (x->wt == 1 ? 8u : 4u); i++)
                x->in[x->nin++] = (uint8_t)rnd(r);
        if (x->wt == 2)
            for (size_t i = below(r, 6); i > 0; i--)
                x->in[x->nin++] = (uint8_t)rnd(r);
        x->next = *at;
        *at = u;
        return "pb-unknown-field";
    }
    case 6: {
        static const unsigned wts[] = { 0, 1, 2, 5, 3, 4, 6, 7 };
        unsigned nw = wts[below(r, below(r, 4) ? 4 : 8)];
        if (nw == f->wt)
            nw = (f->wt + 2) % 6;
        set_raw(f);
        if (f->wt == 0 && (nw == 1 || nw == 5 || nw == 2)) {
            f->kind = K_INLINE;
            f->nin = (uint8_t)(nw == 1 ? 8u : nw == 5 ? 4u : 1u);
            put_le(f->in, f->nin, f->v);
        } else if (nw == 0) {
            f->v = payload_len(f) ? payload_byte(f, 0) : 0;
        } else if (nw == 1 || nw == 5) {
            size_t fw = nw == 1 ? 8 : 4;
            uint8_t b[8];
            for (size_t i = 0; i < fw; i++)
                b[i] = i < payload_len(f) ? payload_byte(f, i) : 0;
            memcpy(f->in, b, fw);
            f->nin = (uint8_t)fw;
            f->kind = K_INLINE;
        }
        f->wt = (uint8_t)nw;
        return "pb-wire-type";
    }
    case 7:
        if (f->wt == 2) {
            static const int32_t lies[] = { -1, 1, 2, -2, 127, 0x7fffffff };
            f->lie = lies[below(r, sizeof lies / sizeof lies[0])];
            return "pb-corrupt-length";
        }
        f->v = limit(r);
        return "pb-varint-limit";
    case 8:
        if (f->next >= 0) {
            int32_t a = *ref, b = f->next;
            w->node[a].next = w->node[b].next;
            w->node[b].next = a;
            *ref = b;
            return "pb-swap-fields";
        }
        /* fall through */
    case 9:
    default:
        if (oroot >= 0) {
            /* merge: a member of another input (a second oneof member, a
             * repeated element, a sub-message merged) */
            size_t on = list_count(w, oroot);
            int32_t src = *list_at(w, &oroot, below(r, on));
            size_t cnt = list_count(w, w->root);
            if (!insert_copy(w, list_at(w, &w->root, below(r, cnt + 1)), src))
                return NULL;
            return "pb-merge";
        }
        if (f && f->kind == K_SUB && f->first >= 0) {
            size_t sn = list_count(w, f->first);
            int32_t src = *list_at(w, &f->first, below(r, sn));
            if (!insert_copy(w, list_at(w, &f->first, below(r, sn + 1)), src))
                return NULL;
            return "pb-merge";
        }
        return "pb-none";
    }
}

const char *vwfg_pb_mutate(struct vwfg_rng *r, struct vwfg_pb_work *w, uint8_t *p, size_t *n, size_t cap,
                           const uint8_t *other, size_t on)
{
    if (*n > VWFG_PB_MAX)
        return NULL;
    memcpy(w->src, p, *n);
    w->nn = 0;
    if (!pb_parse(w, w->src, 0, *n, 0, &w->root))
        return NULL;
    int32_t oroot = -1;
    if (other && on) {
        int32_t mark = w->nn;
        if (!pb_parse(w, other, 0, on, 0, &oroot)) {
            w->nn = mark;
            oroot = -1;
        }
    }
    const char *g = pb_tree_mutate(r, w, oroot);
    if (!g)
        return NULL;
    size_t need = list_size(w, w->root);
    if (need > cap)
        return NULL;
    *n = (size_t)(write_list(w, w->root, p) - p);
    return g;
}

long vwfg_pb_count(struct vwfg_pb_work *w, const uint8_t *p, size_t n)
{
    if (n > VWFG_PB_MAX)
        return -1;
    memcpy(w->src, p, n);
    w->nn = 0;
    if (!pb_parse(w, w->src, 0, n, 0, &w->root))
        return -1;
    int32_t *refs[512], *heads[512];
    size_t nr = 0;
    pb_refs(w, &w->root, refs, heads, &nr, 512);
    return (long)nr;
}

bool vwfg_pb_simplify(struct vwfg_pb_work *w, const uint8_t *p, size_t n, size_t i, int op, uint8_t *out,
                      size_t *on)
{
    if (vwfg_pb_count(w, p, n) < 0)
        return false;
    int32_t *refs[512], *heads[512];
    size_t nr = 0;
    pb_refs(w, &w->root, refs, heads, &nr, 512);
    if (i >= nr)
        return false;
    struct vwfg_pb_node *f = &w->node[*refs[i]];
    if (op == 0) {
        *refs[i] = f->next;
    } else if (op == 1 && f->wt == 2 && (f->kind == K_SUB || f->len)) {
        f->kind = K_RAW;
        f->first = -1;
        f->len = 0;
    } else if (op == 2 && f->wt == 0 && f->v) {
        f->v = 0;
    } else {
        return false;
    }
    *on = (size_t)(write_list(w, w->root, out) - out);
    return true;
}

/* ---- messages built from the protobuf-c descriptors ----------------------------- */

struct out {
    uint8_t *p;
    size_t n, cap;
    bool full;
};

static void o_put(struct out *o, const void *p, size_t n)
{
    if (o->full || n > o->cap - o->n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

static void o_varint(struct out *o, uint64_t v)
{
    uint8_t b[10];
    o_put(o, b, (size_t)(put_varint(b, v) - b));
}

/* A LEN field whose payload the caller writes next: reserves 3 length bytes
 * (payloads stay below 2 MiB); o_close moves the payload down. */
static size_t o_open(struct out *o, uint32_t id)
{
    o_varint(o, ((uint64_t)id << 3) | 2);
    size_t at = o->n;
    o_put(o, "\0\0\0", 3);
    return at;
}

static void o_close(struct out *o, size_t at)
{
    if (o->full)
        return;
    size_t len = o->n - at - 3;
    uint8_t b[10];
    size_t k = (size_t)(put_varint(b, len) - b);
    if (k > 3) {
        o->full = true;
        return;
    }
    memmove(o->p + at + k, o->p + at + 3, len);
    memcpy(o->p + at, b, k);
    o->n = at + k + len;
}

static uint64_t schema_scalar(struct vwfg_rng *r, const ProtobufCFieldDescriptor *f)
{
    if (f->type == PROTOBUF_C_TYPE_ENUM && f->descriptor && below(r, 4)) {
        const ProtobufCEnumDescriptor *e = f->descriptor;
        if (e->n_values)
            return (uint64_t)(int64_t)e->values[below(r, e->n_values)].value;
    }
    if (f->type == PROTOBUF_C_TYPE_BOOL && below(r, 4))
        return below(r, 2);
    return below(r, 2) ? below(r, 6) : limit(r);
}

static void schema_value(struct vwfg_rng *r, const ProtobufCFieldDescriptor *f, struct out *o, int depth);

static void schema_fields(struct vwfg_rng *r, const ProtobufCMessageDescriptor *d, struct out *o, int depth)
{
    size_t start = o->n;
    for (unsigned i = 0; i < d->n_fields && o->n - start < 4096 && !o->full; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            /* the members of one oneof share quantifier_offset: choose one of them */
            unsigned first = i, n = 0;
            while (i + n < d->n_fields && (d->fields[i + n].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                   d->fields[i + n].quantifier_offset == f->quantifier_offset)
                n++;
            i = first + n - 1;
            size_t picks = below(r, 6) == 0 ? 2 : below(r, 6) == 0 ? 0 : 1;
            for (size_t k = 0; k < picks; k++)
                schema_value(r, &d->fields[first + below(r, n)], o, depth);
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            static const size_t counts[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17 };
            size_t k = below(r, 3) ? below(r, 4) : counts[below(r, sizeof counts / sizeof counts[0])];
            bool scalar = f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_BYTES &&
                          f->type != PROTOBUF_C_TYPE_MESSAGE;
            if (scalar && k && below(r, 2)) { /* packed */
                size_t at = o_open(o, f->id);
                for (size_t j = 0; j < k; j++) {
                    uint64_t v = schema_scalar(r, f);
                    uint8_t x[8];
                    if (f->type == PROTOBUF_C_TYPE_FIXED32 || f->type == PROTOBUF_C_TYPE_SFIXED32 ||
                        f->type == PROTOBUF_C_TYPE_FLOAT) {
                        put_le(x, 4, v);
                        o_put(o, x, 4);
                    } else if (f->type == PROTOBUF_C_TYPE_FIXED64 || f->type == PROTOBUF_C_TYPE_SFIXED64 ||
                               f->type == PROTOBUF_C_TYPE_DOUBLE) {
                        put_le(x, 8, v);
                        o_put(o, x, 8);
                    } else {
                        o_varint(o, v);
                    }
                }
                o_close(o, at);
            } else {
                for (size_t j = 0; j < k; j++)
                    schema_value(r, f, o, depth);
            }
            continue;
        }
        if (below(r, 3))
            schema_value(r, f, o, depth);
    }
}

static void schema_value(struct vwfg_rng *r, const ProtobufCFieldDescriptor *f, struct out *o, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT: {
        uint8_t x[4];
        put_le(x, 4, schema_scalar(r, f));
        o_varint(o, ((uint64_t)f->id << 3) | 5);
        o_put(o, x, 4);
        break;
    }
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: {
        uint8_t x[8];
        put_le(x, 8, schema_scalar(r, f));
        o_varint(o, ((uint64_t)f->id << 3) | 1);
        o_put(o, x, 8);
        break;
    }
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES: {
        size_t n = below(r, 2) ? below(r, 6) : lens[below(r, NLENS)];
        if (below(r, 3) == 0)
            n = 32 + below(r, 3) - 1; /* around SER-CAP-1 */
        o_varint(o, ((uint64_t)f->id << 3) | 2);
        o_varint(o, n);
        for (size_t i = 0; i < n; i++) {
            uint8_t c = f->type == PROTOBUF_C_TYPE_STRING ? (uint8_t)('a' + i % 26) : (uint8_t)rnd(r);
            o_put(o, &c, 1);
        }
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        size_t at = o_open(o, f->id);
        if (depth < 4 && f->descriptor)
            schema_fields(r, f->descriptor, o, depth + 1);
        o_close(o, at);
        break;
    }
    default: /* varints: int32/64, uint32/64, sint32/64, bool, enum */
        o_varint(o, ((uint64_t)f->id << 3));
        o_varint(o, schema_scalar(r, f));
        break;
    }
}

size_t vwfg_schema_message(struct vwfg_rng *r, const ProtobufCMessageDescriptor *d, uint8_t *p, size_t cap)
{
    struct out o = { p, 0, cap, false };
    schema_fields(r, d, &o, 0);
    if (!o.full)
        return o.n;
    /* cut short: keep the longest prefix of whole fields */
    size_t i = 0, good = 0;
    while (i < o.n) {
        uint64_t tag, v;
        if (!rd_varint(p, o.n, &i, &tag))
            break;
        unsigned wt = tag & 7;
        if (wt == 0 && !rd_varint(p, o.n, &i, &v))
            break;
        if (wt == 1 || wt == 5) {
            size_t fw = wt == 1 ? 8 : 4;
            if (o.n - i < fw)
                break;
            i += fw;
        }
        if (wt == 2) {
            if (!rd_varint(p, o.n, &i, &v) || v > o.n - i)
                break;
            i += (size_t)v;
        }
        good = i;
    }
    return good;
}
