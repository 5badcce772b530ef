/* vw_pb_decode(): one pass over the wire bytes, no heap, Google's semantics.
 *
 * The decoder walks the bytes once, looks every field up by its number
 * (fields[n - 1] checked by id in the common case of dense field numbers,
 * field_ranges otherwise), dispatches on one jump table over (type, label),
 * and writes the protoc-c struct directly. Plain proto3 scalars and bytes
 * are stored in place; sub-messages are entered without recursion (an
 * explicit stack of enclosing messages, VW_PB_MAX_DEPTH deep). Repeated
 * fields grow inside the caller's arena: an array holding n elements always
 * has capacity cap(n) = max(4, next power of two >= n), so the capacity never
 * needs storing, growth copies each element O(1) times on average, and a
 * packed run reserves its whole element count at once. See README.md for the
 * numbered list of semantics (PB-D-*) this file implements. */
#include <string.h>

#include "pb/internal.h"

const ProtobufCMessageUnknownField vw_pb__decoded_marker = { 0, PROTOBUF_C_WIRE_TYPE_VARINT, 0,
                                                             NULL };

/* ---- strings ------------------------------------------------------------ */

char *vw_pb__string_new(struct vw_arena *a, const uint8_t *p, size_t len)
{
    if (len > SIZE_MAX - sizeof(size_t) - 1)
        return NULL;
    unsigned char *b = vw_arena_alloc(a, sizeof(size_t) + len + 1);
    if (!b)
        return NULL;
    memcpy(b, &len, sizeof len);
    if (len)
        memcpy(b + sizeof(size_t), p, len);
    b[sizeof(size_t) + len] = 0;
    return (char *)(b + sizeof(size_t));
}

size_t vw_pb_string_len(const char *s)
{
    size_t n;
    if (!s || s == protobuf_c_empty_string)
        return 0;
    memcpy(&n, s - sizeof(size_t), sizeof n);
    return n;
}

size_t vw_pb__strlen(const ProtobufCMessage *m, const char *s)
{
    if (!s)
        return 0;
    if (m->unknown_fields == &vw_pb__decoded_marker)
        return vw_pb_string_len(s);
    return strlen(s);
}

/* ---- UTF-8 (PB-D-12) ------------------------------------------------------ */

int vw_pb__utf8_valid(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else {
            return 0; /* stray continuation, C0/C1 overlong, F5..FF */
        }
        if (n > len - i - 1)
            return 0;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
        i += n + 1;
    }
    return 1;
}

/* ---- field lookup --------------------------------------------------------- */

static inline const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *desc,
                                                         uint32_t id)
{
    const ProtobufCIntRange *r = desc->field_ranges;
    unsigned nr = desc->n_field_ranges;
    if (nr == 0)
        return NULL;
    /* Fast path: the first range (most schemas number fields 1..n). */
    uint32_t rel = id - (uint32_t)r[0].start_value;
    if (rel < r[1].orig_index - r[0].orig_index)
        return &desc->fields[r[0].orig_index + rel];
    /* Binary search for the last range starting at or below id. */
    unsigned lo = 0, hi = nr;
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if ((int64_t)r[mid].start_value <= (int64_t)id)
            lo = mid;
        else
            hi = mid;
    }
    if ((int64_t)id < (int64_t)r[lo].start_value)
        return NULL;
    uint64_t off = (uint64_t)((int64_t)id - (int64_t)r[lo].start_value);
    if (off >= r[lo + 1].orig_index - r[lo].orig_index)
        return NULL;
    return &desc->fields[r[lo].orig_index + off];
}

const ProtobufCFieldDescriptor *vw_pb__field_by_id(const ProtobufCMessageDescriptor *desc,
                                                   uint32_t id)
{
    return find_field(desc, id);
}

#if defined(__GNUC__)
#define VW_COLD __attribute__((noinline, cold))
#define VW_NOINLINE __attribute__((noinline))
#define VW_LIKELY(x) __builtin_expect(!!(x), 1)
#define VW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define VW_COLD
#define VW_NOINLINE
#define VW_LIKELY(x) (x)
#define VW_UNLIKELY(x) (x)
#endif

/* ---- decoder state -------------------------------------------------------- */

struct dec {
    struct vw_arena *arena;
    const uint8_t *base; /* start of the caller's buffer, for fault offsets */
    const uint8_t *lim;  /* its end: bytes below it may be read (never past) */
    size_t fault;
    /* vw_pb_decode() only: the arena's used and needed at the start, and the
     * caller's result pointers, for the out-of-line failure path. */
    size_t used0, needed0;
    ProtobufCMessage **out;
    size_t *off;
};

static vw_status fail(struct dec *d, vw_status st, const uint8_t *at)
{
    d->fault = (size_t)(at - d->base);
    return st;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VW_SWAR_VARINT 1
/* The 7-bit groups of the bytes of @p x (high bits already clear), packed
 * into one number: byte 0 gives bits 0..6, byte 1 bits 7..13, and so on. */
static inline uint64_t pack7(uint64_t x)
{
    x = (x & UINT64_C(0x007f007f007f007f)) | ((x & UINT64_C(0x7f007f007f007f00)) >> 1);
    x = (x & UINT64_C(0x00003fff00003fff)) | ((x & UINT64_C(0x3fff00003fff0000)) >> 2);
    x = (x & UINT64_C(0x000000000fffffff)) | ((x & UINT64_C(0x0fffffff00000000)) >> 4);
    return x;
}

/* A varint read 8 bytes at a time. The caller guarantees that p[0..8) may be
 * read and that the varint ends within its first 10 bytes or that p[8] and
 * p[9] may be read. NULL for a varint longer than 10 bytes. */
static inline const uint8_t *swar_varint(const uint8_t *p, uint64_t *v)
{
    uint64_t w;
    memcpy(&w, p, 8); /* little-endian: p[0] is the low byte */
    uint64_t stop = ~w & UINT64_C(0x8080808080808080);
    if (stop) {
        /* stop ^ (stop - 1): every bit up to the first end bit */
        *v = pack7(w & (stop ^ (stop - 1)) & UINT64_C(0x7f7f7f7f7f7f7f7f));
        return p + ((unsigned)__builtin_ctzll(stop) >> 3) + 1;
    }
    uint64_t r = pack7(w & UINT64_C(0x7f7f7f7f7f7f7f7f));
    uint64_t b = p[8];
    r |= (b & 0x7f) << 56;
    if (b < 0x80) {
        *v = r;
        return p + 9;
    }
    b = p[9];
    r |= b << 63; /* bits above 63 are dropped (PB-D-5) */
    if (b < 0x80) {
        *v = r;
        return p + 10;
    }
    return NULL;
}
#endif

/* Varint of at most 10 bytes; bits beyond 64 are dropped (PB-D-5). */
static inline const uint8_t *get_varint(struct dec *d, const uint8_t *p, const uint8_t *end,
                                        uint64_t *v, vw_status *st)
{
    if (p < end && p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    uint64_t r = 0;
#ifdef VW_SWAR_VARINT
    if ((size_t)(d->lim - p) >= 10) {
        /* Ten bytes of the buffer may be read, even if the message ends
         * sooner: a varint that ends past @p end, or not within ten bytes,
         * is then truncated at end, as a byte-wise read would find. */
        const uint8_t *q = swar_varint(p, v);
        if (VW_LIKELY(q && q <= end))
            return q;
        if (end - p >= 10) {
            *st = fail(d, VW_E_BAD_VARINT, p);
            return NULL;
        }
        *st = fail(d, VW_E_TRUNCATED, end);
        return NULL;
    }
#endif
    if (end - p >= 10) {
        /* No bounds check needed: the compiler unrolls this. */
        for (unsigned i = 0; i < 10; i++) {
            uint8_t b = p[i];
            r |= (uint64_t)(b & 0x7f) << (7 * i);
            if (b < 0x80) {
                *v = r;
                return p + i + 1;
            }
        }
        *st = fail(d, VW_E_BAD_VARINT, p);
        return NULL;
    }
    for (unsigned i = 0; i < 10; i++) {
        if (i >= (size_t)(end - p)) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        uint8_t b = p[i];
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = r;
            return p + i + 1;
        }
    }
    *st = fail(d, VW_E_BAD_VARINT, p);
    return NULL;
}

/* Tag: at most 5 bytes, value kept modulo 2^32 as C++ does (PB-D-7). */
static inline const uint8_t *get_tag(struct dec *d, const uint8_t *p, const uint8_t *end,
                                     uint32_t *tag, vw_status *st)
{
    if (p[0] < 0x80) {
        *tag = p[0];
        return p + 1;
    }
    uint32_t r = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (i >= (size_t)(end - p)) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        uint8_t b = p[i];
        r |= (uint32_t)((uint64_t)(b & 0x7f) << (7 * i));
        if (b < 0x80) {
            *tag = r;
            return p + i + 1;
        }
    }
    *st = fail(d, VW_E_BAD_VARINT, p);
    return NULL;
}

/* Length prefix: at most 5 bytes, below 2^31, and it must fit (PB-D-6). */
static inline const uint8_t *get_len(struct dec *d, const uint8_t *p, const uint8_t *end,
                                     size_t *len, vw_status *st)
{
    const uint8_t *start = p;
    uint64_t v;
    if (p < end && p[0] < 0x80) {
        v = p[0];
        p++;
    } else {
        v = 0;
        for (unsigned i = 0;; i++) {
            if (i >= (size_t)(end - p)) {
                *st = fail(d, VW_E_TRUNCATED, end);
                return NULL;
            }
            uint8_t b = p[i];
            if (i == 4 && b >= 8) {
                *st = fail(d, VW_E_BAD_VARINT, start);
                return NULL;
            }
            v |= (uint64_t)(b & 0x7f) << (7 * i);
            if (b < 0x80) {
                p += i + 1;
                break;
            }
        }
    }
    if (v > (uint64_t)(end - p)) {
        *st = fail(d, VW_E_TRUNCATED, end);
        return NULL;
    }
    *len = (size_t)v;
    return p;
}

/* Skip a group whose start tag (field @p fn) was just read; @p depth is the
 * group's own nesting level (PB-D-9). Iterative: a stack of field numbers. */
static VW_COLD const uint8_t *skip_group(struct dec *d, const uint8_t *p, const uint8_t *end, uint32_t fn,
                                 unsigned depth, vw_status *st)
{
    uint32_t stack[VW_PB_MAX_DEPTH + 1];
    unsigned sp = 0;
    const uint8_t *tag_at = p;
    if (depth > VW_PB_MAX_DEPTH) {
        *st = fail(d, VW_E_TOO_DEEP, p);
        return NULL;
    }
    stack[sp++] = fn;
    while (sp) {
        uint32_t tag;
        uint64_t v;
        size_t len;
        if (p >= end) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        tag_at = p;
        if (!(p = get_tag(d, p, end, &tag, st)))
            return NULL;
        uint32_t f = tag >> 3;
        if (f == 0) {
            *st = fail(d, VW_E_BAD_FIELD_NUMBER, tag_at);
            return NULL;
        }
        switch (tag & 7) {
        case 0:
            if (!(p = get_varint(d, p, end, &v, st)))
                return NULL;
            break;
        case 1:
            if ((size_t)(end - p) < 8) {
                *st = fail(d, VW_E_TRUNCATED, end);
                return NULL;
            }
            p += 8;
            break;
        case 2:
            if (!(p = get_len(d, p, end, &len, st)))
                return NULL;
            p += len;
            break;
        case 3:
            if (depth + sp > VW_PB_MAX_DEPTH) {
                *st = fail(d, VW_E_TOO_DEEP, tag_at);
                return NULL;
            }
            stack[sp++] = f;
            break;
        case 4:
            if (stack[sp - 1] != f) {
                *st = fail(d, VW_E_BAD_WIRE_TYPE, tag_at);
                return NULL;
            }
            sp--;
            break;
        case 5:
            if ((size_t)(end - p) < 4) {
                *st = fail(d, VW_E_TRUNCATED, end);
                return NULL;
            }
            p += 4;
            break;
        default:
            *st = fail(d, VW_E_BAD_WIRE_TYPE, tag_at);
            return NULL;
        }
    }
    return p;
}

/* ---- values --------------------------------------------------------------- */

#define wire_type_of vw_pb__wire_type
#define elem_size vw_pb__elem_size

/* get_varint() out of line, for the rare varints of three bytes or more. */
static VW_NOINLINE const uint8_t *varint_slow(struct dec *d, const uint8_t *p,
                                              const uint8_t *end, uint64_t *v, vw_status *st)
{
    return get_varint(d, p, end, v, st);
}

/* A varint of one or two bytes inline, anything longer (or truncated) through
 * varint_slow(). */
static inline const uint8_t *read_varint(struct dec *d, const uint8_t *p, const uint8_t *end,
                                         uint64_t *v, vw_status *st)
{
    if (VW_LIKELY(p < end) && p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    if (end - p >= 2 && p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    return varint_slow(d, p, end, v, st);
}

/* A length prefix of one byte inline, longer ones through get_len(). */
static inline const uint8_t *read_len(struct dec *d, const uint8_t *p, const uint8_t *end,
                                      size_t *len, vw_status *st)
{
    if (VW_LIKELY(p < end) && p[0] < 0x80) {
        size_t n = p[0];
        p++;
        if (VW_UNLIKELY(n > (size_t)(end - p))) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        *len = n;
        return p;
    }
    return get_len(d, p, end, len, st);
}

/* Store a varint-typed value (PB-D-4, PB-D-5, PB-D-13). */
static inline void store_varint(void *dst, ProtobufCType t, uint64_t v)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_ENUM: {
        uint32_t x = (uint32_t)v;
        memcpy(dst, &x, 4);
        break;
    }
    case PROTOBUF_C_TYPE_SINT32: {
        uint32_t x = (uint32_t)v;
        x = (x >> 1) ^ (0u - (x & 1));
        memcpy(dst, &x, 4);
        break;
    }
    case PROTOBUF_C_TYPE_SINT64:
        v = (v >> 1) ^ (0 - (v & 1));
        memcpy(dst, &v, 8);
        break;
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b = v != 0;
        memcpy(dst, &b, sizeof b);
        break;
    }
    default: /* INT64, UINT64 */
        memcpy(dst, &v, 8);
        break;
    }
}

static inline void store_fixed(void *dst, const uint8_t *p, int wt)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(dst, p, wt == 5 ? 4 : 8); /* the wire order is the host order */
    return;
#endif
    if (wt == 5) {
        uint32_t x = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        memcpy(dst, &x, 4);
    } else {
        uint64_t x = 0;
        for (int i = 7; i >= 0; i--)
            x = x << 8 | p[i];
        memcpy(dst, &x, 8);
    }
}

/* Capacity of an array of n elements: 0 for 0, else max(4, next power of two
 * >= n). Callers keep n below SIZE_MAX / 4, so the shift cannot overflow. */
static inline size_t cap_of(size_t n)
{
    if (n <= 4)
        return n ? 4 : 0;
#if defined(__GNUC__)
    return (size_t)1 << (64 - __builtin_clzll((unsigned long long)(n - 1)));
#else
    size_t c = 8;
    while (c < n)
        c <<= 1;
    return c;
#endif
}

/* Arena bump without the zero fill, for blocks the decoder writes before it
 * reads them (message structs, which message_init() assigns; arrays, whose
 * first n elements are always written). Same accounting as vw_arena_alloc().
 * The decoder only calls it while arena->needed == arena->used and
 * arena->used <= arena->cap (vw_pb_decode() checks this before the first
 * block; the first failed request ends the decode), so the fast path needs
 * one comparison. */
static inline void *bump(struct vw_arena *a, size_t size)
{
    size_t r = (size + (VW_ARENA_ALIGN - 1)) & ~(size_t)(VW_ARENA_ALIGN - 1);
    if (VW_UNLIKELY(r < size || r > a->cap - a->used))
        return vw_arena_alloc(a, size); /* failure path: let the arena count it */
    void *p = a->base + a->used;
    a->used += r;
    a->needed += r;
    return p;
}

static inline ProtobufCMessage *new_msg(struct dec *d, const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = bump(d->arena, desc->sizeof_message);
    if (VW_UNLIKELY(!m))
        return NULL;
    desc->message_init(m);
    vw_pb__mark(m);
    return m;
}

/* Make room for @p k more elements of repeated field @p f; returns the first
 * free slot (the element count is not changed). */
static void *rep_reserve(struct dec *d, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                         size_t k, vw_status *st, const uint8_t *at)
{
    size_t *np = (size_t *)(void *)((char *)msg + f->quantifier_offset);
    void **ap = (void **)(void *)((char *)msg + f->offset);
    size_t es = elem_size(f->type), n = *np;
    if (VW_LIKELY(k <= cap_of(n) - n))
        return (char *)*ap + n * es; /* room left in the current array */
    if (k > (SIZE_MAX / es) - n) {
        *st = fail(d, VW_E_NOMEM, at);
        return NULL;
    }
    size_t c = cap_of(n + k);
    if (c > SIZE_MAX / es) {
        *st = fail(d, VW_E_NOMEM, at);
        return NULL;
    }
    void *na = bump(d->arena, c * es);
    if (!na) {
        *st = fail(d, VW_E_NOMEM, at);
        return NULL;
    }
    if (n)
        memcpy(na, *ap, n * es);
    *ap = na;
    return (char *)na + n * es;
}

/* rep_reserve() for one element of size @p es: inline while the array has
 * room, that is unless n is 0 or a power of two >= 4. */
static inline void *rep_next(struct dec *d, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                             size_t es, vw_status *st, const uint8_t *at)
{
    size_t n = *(size_t *)(void *)((char *)msg + f->quantifier_offset);
    if (VW_LIKELY(n != 0 && (n < 4 || (n & (n - 1)) != 0)))
        return *(char **)(void *)((char *)msg + f->offset) + n * es;
    return rep_reserve(d, msg, f, 1, st, at);
}

/* The message that an occurrence of message field @p f of @p msg decodes into:
 * a new element, a new message, or the one already there (PB-D-10, PB-D-11). */
static inline ProtobufCMessage *sub_msg(struct dec *d, ProtobufCMessage *msg,
                                        const ProtobufCFieldDescriptor *f, const uint8_t *p,
                                        vw_status *st)
{
    const ProtobufCMessageDescriptor *sub = f->descriptor;
    char *member = (char *)msg + f->offset;
    void *casep = (void *)((char *)msg + f->quantifier_offset);
    ProtobufCMessage *m;
    if (VW_UNLIKELY(f->label == PROTOBUF_C_LABEL_REPEATED)) {
        ProtobufCMessage **slot = rep_next(d, msg, f, sizeof *slot, st, p);
        if (!slot)
            return NULL;
        if (!(m = new_msg(d, sub))) {
            *st = fail(d, VW_E_NOMEM, p);
            return NULL;
        }
        *slot = m;
        (*(size_t *)casep)++;
        return m;
    }
    memcpy(&m, member, sizeof m);
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        if (m && *(uint32_t *)casep == f->id)
            return m; /* merge (PB-D-10) */
        *(uint32_t *)casep = f->id;
    } else if (m) {
        return m;
    }
    if (!(m = new_msg(d, sub))) {
        *st = fail(d, VW_E_NOMEM, p);
        return NULL;
    }
    memcpy(member, &m, sizeof m);
    return m;
}

/* A string or bytes value of known field @p f at p[0..len). */
static vw_status dec_ld(struct dec *d, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                        const uint8_t *p, size_t len)
{
    vw_status st = VW_OK;
    char *member = (char *)msg + f->offset;
    int oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    void *casep = (void *)((char *)msg + f->quantifier_offset);

    if (f->type == PROTOBUF_C_TYPE_STRING) {
        if (!vw_pb__utf8_valid(p, len))
            return fail(d, VW_E_BAD_UTF8, p);
        char *s = vw_pb__string_new(d->arena, p, len);
        if (!s)
            return fail(d, VW_E_NOMEM, p);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            char **slot = rep_next(d, msg, f, sizeof *slot, &st, p);
            if (!slot)
                return st;
            *slot = s;
            (*(size_t *)casep)++;
        } else {
            memcpy(member, &s, sizeof s);
            if (oneof)
                *(uint32_t *)casep = f->id;
        }
        return VW_OK;
    }
    /* BYTES: point into the input (PB-D-14). */
    ProtobufCBinaryData bd;
    bd.len = len;
    bd.data = (uint8_t *)(uintptr_t)p;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        ProtobufCBinaryData *slot = rep_next(d, msg, f, sizeof *slot, &st, p);
        if (!slot)
            return st;
        *slot = bd;
        (*(size_t *)casep)++;
    } else {
        memcpy(member, &bd, sizeof bd);
        if (oneof)
            *(uint32_t *)casep = f->id;
        else if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
            *(protobuf_c_boolean *)casep = 1;
    }
    return VW_OK;
}

/* Where a scalar occurrence of a field that is not a plain proto3 field goes:
 * the next element of a repeated field, or the member of a oneof or proto2
 * field (which is marked as set). NULL when the arena is exhausted. */
static VW_NOINLINE void *scalar_slot(struct dec *d, ProtobufCMessage *msg,
                                     const ProtobufCFieldDescriptor *f, vw_status *st,
                                     const uint8_t *at)
{
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        void *dst = rep_next(d, msg, f, elem_size(f->type), st, at);
        if (dst)
            (*(size_t *)(void *)((char *)msg + f->quantifier_offset))++;
        return dst;
    }
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)(void *)((char *)msg + f->quantifier_offset) = f->id;
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
        *(protobuf_c_boolean *)(void *)((char *)msg + f->quantifier_offset) = 1;
    return (char *)msg + f->offset;
}

/* A varint inside a packed run whose last byte is known to end a varint, so
 * no bounds check is needed: every byte read one at a time lies at or before
 * that end, and whole words are read only below @p lim, the end of the
 * caller's buffer. NULL for a varint longer than 10 bytes (PB-D-5). */
static inline const uint8_t *run_varint(const uint8_t *p, const uint8_t *lim, uint64_t *v)
{
    uint64_t b = p[0];
    if (b < 0x80) {
        *v = b;
        return p + 1;
    }
#ifdef VW_SWAR_VARINT
    if (VW_LIKELY((size_t)(lim - p) >= 8))
        return swar_varint(p, v);
#else
    (void)lim;
#endif
    uint64_t r = b & 0x7f;
    for (unsigned i = 1; i < 10; i++) {
        b = p[i];
        r |= (b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = r;
            return p + i + 1;
        }
    }
    return NULL;
}

/* Decode the varints of the packed run p[0..end) into @p slot as elements of
 * CTYPE, counting them in k. The run's last byte ends a varint. */
#define RUN_VARINTS(CTYPE, CONV)                                                           \
    do {                                                                                   \
        while (p < end) {                                                                  \
            const uint8_t *at = p;                                                         \
            uint64_t v;                                                                    \
            if (VW_UNLIKELY(!(p = run_varint(p, lim, &v))))                                \
                return fail(d, VW_E_BAD_VARINT, at); /* over-long varint in the run */    \
            CTYPE x = CONV;                                                                \
            memcpy(slot + k * sizeof x, &x, sizeof x);                                     \
            k++;                                                                           \
        }                                                                                  \
    } while (0)

/* The varints of packed run p[0..end) (its last byte ends a varint) into
 * @p slot as elements of @p type; their number in @p *k. */
static vw_status run_varints(struct dec *d, ProtobufCType type, const uint8_t *p,
                             const uint8_t *end, char *slot, size_t *kp)
{
    const uint8_t *lim = d->lim;
    size_t k = 0;
    switch (type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        RUN_VARINTS(uint64_t, v);
        break;
    case PROTOBUF_C_TYPE_SINT32:
        RUN_VARINTS(uint32_t, ((uint32_t)v >> 1) ^ (0u - ((uint32_t)v & 1)));
        break;
    case PROTOBUF_C_TYPE_SINT64:
        RUN_VARINTS(uint64_t, (v >> 1) ^ (0 - (v & 1)));
        break;
    case PROTOBUF_C_TYPE_BOOL:
        RUN_VARINTS(protobuf_c_boolean, v != 0);
        break;
    default: /* INT32, UINT32, ENUM */
        RUN_VARINTS(uint32_t, (uint32_t)v);
        break;
    }
    *kp = k;
    return VW_OK;
}

/* A packed run of repeated scalar field @p f at p[0..len) (PB-D-3). */
static vw_status dec_packed(struct dec *d, ProtobufCMessage *msg,
                            const ProtobufCFieldDescriptor *f, const uint8_t *p, size_t len)
{
    vw_status st = VW_OK;
    const uint8_t *end = p + len;
    int wt = wire_type_of(f->type);
    size_t es = elem_size(f->type), k;
    size_t *np = (size_t *)(void *)((char *)msg + f->quantifier_offset);
    char **ap = (char **)(void *)((char *)msg + f->offset);
    char *slot;
    if (len == 0)
        return VW_OK;
    if (wt != 0) {
        size_t w = wt == 5 ? 4 : 8;
        if (len % w)
            return fail(d, VW_E_BAD_LENGTH, p);
        k = len / w;
        if (!(slot = rep_reserve(d, msg, f, k, &st, p)))
            return st;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(slot, p, len); /* the wire order is the host order */
#else
        for (size_t i = 0; i < k; i++, p += w)
            store_fixed(slot + i * w, p, wt);
#endif
        *np += k;
        return VW_OK;
    }
    if (end[-1] >= 0x80)
        return fail(d, VW_E_TRUNCATED, end); /* the last varint runs past the run */
    /* Every varint now ends inside the run, and there are at most len of
     * them. Where room for len elements is known to exist, decode straight
     * into place and count on the way: into the free part of the current
     * array, or, for a new array, into the arena's free space above its last
     * block, which then becomes the array's block (the same block that
     * rep_reserve() would take for k elements, at the same address). */
    size_t n = *np;
    struct vw_arena *a = d->arena;
    if (n == 0) {
        size_t room = (a->cap - a->used) / 8; /* elements of the largest size */
        if (len <= room && cap_of(len) <= room) {
            slot = (char *)a->base + a->used;
            if ((st = run_varints(d, f->type, p, end, slot, &k)) != VW_OK)
                return st;
            if (bump(a, cap_of(k) * es) != slot)
                return fail(d, VW_E_NOMEM, p); /* cannot happen: the room was there */
            *ap = slot;
            *np = k;
            return VW_OK;
        }
    } else if (len <= cap_of(n) - n) {
        if ((st = run_varints(d, f->type, p, end, *ap + n * es, &k)) != VW_OK)
            return st;
        *np = n + k;
        return VW_OK;
    }
    /* Otherwise count the varints first (the bytes without the continuation
     * bit) and reserve room for exactly that many. */
    size_t i = 0;
    k = 0;
    while (len - i >= 8) {
        /* Per-byte counters in one word: 31 words keep their sum below 256,
         * so one multiplication adds the eight counters up. */
        size_t nw = (len - i) / 8;
        uint64_t acc = 0;
        if (nw > 31)
            nw = 31;
        for (size_t j = 0; j < nw; j++, i += 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            acc += (~w >> 7) & UINT64_C(0x0101010101010101);
        }
        k += (size_t)((acc * UINT64_C(0x0101010101010101)) >> 56);
    }
    for (; i < len; i++)
        k += p[i] < 0x80;
    if (!(slot = rep_reserve(d, msg, f, k, &st, p)))
        return st;
    if ((st = run_varints(d, f->type, p, end, slot, &k)) != VW_OK)
        return st;
    *np += k;
    return VW_OK;
}

/* Skip the value of an unknown field whose tag (at @p tag_at) was just read. */
static VW_COLD const uint8_t *skip_field(struct dec *d, const uint8_t *p, const uint8_t *end,
                                         const uint8_t *tag_at, uint32_t fn, int wt,
                                         unsigned depth, vw_status *st)
{
    uint64_t v;
    size_t len;
    switch (wt) {
    case 0:
        return get_varint(d, p, end, &v, st);
    case 1:
        if ((size_t)(end - p) < 8) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        return p + 8;
    case 2:
        if (!(p = get_len(d, p, end, &len, st)))
            return NULL;
        return p + len;
    case 3:
        return skip_group(d, p, end, fn, depth + 1, st);
    case 5:
        if ((size_t)(end - p) < 4) {
            *st = fail(d, VW_E_TRUNCATED, end);
            return NULL;
        }
        return p + 4;
    default: /* 4: end-group outside a group; 6, 7: invalid (PB-D-8) */
        *st = fail(d, VW_E_BAD_WIRE_TYPE, tag_at);
        return NULL;
    }
}

/* Field of @p desc with number @p fn, outside the dense fast path of dec_msg()
 * (or NULL). Field number 0 is refused here (PB-D-7). */
static VW_NOINLINE const ProtobufCFieldDescriptor *
slow_field(struct dec *d, const ProtobufCMessageDescriptor *desc, uint32_t fn,
           const uint8_t *tag_at, vw_status *st)
{
    if (fn == 0) {
        *st = fail(d, VW_E_BAD_FIELD_NUMBER, tag_at);
        return NULL;
    }
    *st = VW_OK;
    return find_field(desc, fn);
}

/* Dispatch key of a field: its type and its label. Proto3 fields have label
 * NONE; those in a oneof (flag ONEOF) are not plain and take the slow store. */
#define KEY(type, label) ((unsigned)(type) * 4u + (unsigned)(label))
#define NONE_ PROTOBUF_C_LABEL_NONE
#define REQ_ PROTOBUF_C_LABEL_REQUIRED
#define OPT_ PROTOBUF_C_LABEL_OPTIONAL
#define REP_ PROTOBUF_C_LABEL_REPEATED
#define ALL_LABELS(type) \
    case KEY(type, NONE_): case KEY(type, REQ_): case KEY(type, OPT_): case KEY(type, REP_)
#define OTHER_LABELS(type) case KEY(type, REQ_): case KEY(type, OPT_): case KEY(type, REP_)

static vw_status dec_msg(struct dec *d, struct vw_pb__frame *stack, unsigned sp,
                         ProtobufCMessage *msg, const uint8_t *p, const uint8_t *end)
{
    /* Sub-messages are entered without recursion: the enclosing messages wait
     * on the caller's stack (VW_PB_MAX_DEPTH frames, the first sp in use);
     * sp is also the nesting depth of msg (PB-D-15). A message's descriptor
     * is msg->descriptor (message_init() set it). */
    vw_status st = VW_OK;
    const ProtobufCFieldDescriptor *fields;
    uint32_t nf;
enter:
    /* protoc-c sorts fields by number: with fields numbered 1..n, field fn
     * is fields[fn - 1] (checked by its id); other numbers are searched. */
    fields = msg->descriptor->fields;
    nf = msg->descriptor->n_fields;
    for (;;) {
        if (VW_UNLIKELY(p >= end)) {
            if (sp == 0)
                return VW_OK;
            sp--;
            msg = stack[sp].msg;
            end = stack[sp].end;
            goto enter;
        }
        const uint8_t *tag_at = p;
        uint32_t tag;
        if (VW_LIKELY(p[0] < 0x80)) {
            tag = p[0];
            p++;
        } else if (!(p = get_tag(d, p, end, &tag, &st))) {
            return st;
        }
        uint32_t fn = tag >> 3;
        int wt = (int)(tag & 7);
        const ProtobufCFieldDescriptor *f;
        uint32_t idx = fn - 1;
        if (VW_LIKELY(idx < nf) && VW_LIKELY(fields[idx].id == fn)) {
            f = fields + idx;
        } else {
            f = slow_field(d, msg->descriptor, fn, tag_at, &st);
            if (st != VW_OK)
                return st;
            if (!f)
                goto unknown;
        }
        uint64_t v;
        size_t len;
        void *dst;
        switch (KEY(f->type, f->label)) {
        case KEY(PROTOBUF_C_TYPE_INT32, NONE_):
        case KEY(PROTOBUF_C_TYPE_UINT32, NONE_):
        case KEY(PROTOBUF_C_TYPE_ENUM, NONE_): {
            if (VW_UNLIKELY(wt != 0))
                goto other_wire_type;
            if (!(p = read_varint(d, p, end, &v, &st)))
                return st;
            if (VW_UNLIKELY(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                goto varint_slot;
            uint32_t x = (uint32_t)v; /* PB-D-5 */
            memcpy((char *)msg + f->offset, &x, 4);
            continue;
        }
        case KEY(PROTOBUF_C_TYPE_INT64, NONE_):
        case KEY(PROTOBUF_C_TYPE_UINT64, NONE_):
            if (VW_UNLIKELY(wt != 0))
                goto other_wire_type;
            if (!(p = read_varint(d, p, end, &v, &st)))
                return st;
            if (VW_UNLIKELY(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                goto varint_slot;
            memcpy((char *)msg + f->offset, &v, 8);
            continue;
        case KEY(PROTOBUF_C_TYPE_SINT32, NONE_):
        case KEY(PROTOBUF_C_TYPE_SINT64, NONE_):
        case KEY(PROTOBUF_C_TYPE_BOOL, NONE_):
            if (VW_UNLIKELY(wt != 0))
                goto other_wire_type;
            if (!(p = read_varint(d, p, end, &v, &st)))
                return st;
            if (VW_UNLIKELY(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                goto varint_slot;
            store_varint((char *)msg + f->offset, f->type, v);
            continue;
        OTHER_LABELS(PROTOBUF_C_TYPE_INT32):
        OTHER_LABELS(PROTOBUF_C_TYPE_UINT32):
        OTHER_LABELS(PROTOBUF_C_TYPE_ENUM):
        OTHER_LABELS(PROTOBUF_C_TYPE_SINT32):
        OTHER_LABELS(PROTOBUF_C_TYPE_INT64):
        OTHER_LABELS(PROTOBUF_C_TYPE_UINT64):
        OTHER_LABELS(PROTOBUF_C_TYPE_SINT64):
        OTHER_LABELS(PROTOBUF_C_TYPE_BOOL):
            if (VW_UNLIKELY(wt != 0))
                goto other_wire_type;
            if (!(p = read_varint(d, p, end, &v, &st)))
                return st;
        varint_slot:
            if (!(dst = scalar_slot(d, msg, f, &st, tag_at)))
                return st;
            store_varint(dst, f->type, v);
            continue;
        ALL_LABELS(PROTOBUF_C_TYPE_FIXED32):
        ALL_LABELS(PROTOBUF_C_TYPE_SFIXED32):
        ALL_LABELS(PROTOBUF_C_TYPE_FLOAT):
            if (VW_UNLIKELY(wt != 5))
                goto other_wire_type;
            if ((size_t)(end - p) < 4)
                return fail(d, VW_E_TRUNCATED, end);
            if (f->label == PROTOBUF_C_LABEL_NONE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                dst = (char *)msg + f->offset;
            else if (!(dst = scalar_slot(d, msg, f, &st, tag_at)))
                return st;
            store_fixed(dst, p, 5);
            p += 4;
            continue;
        ALL_LABELS(PROTOBUF_C_TYPE_FIXED64):
        ALL_LABELS(PROTOBUF_C_TYPE_SFIXED64):
        ALL_LABELS(PROTOBUF_C_TYPE_DOUBLE):
            if (VW_UNLIKELY(wt != 1))
                goto other_wire_type;
            if ((size_t)(end - p) < 8)
                return fail(d, VW_E_TRUNCATED, end);
            if (f->label == PROTOBUF_C_LABEL_NONE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                dst = (char *)msg + f->offset;
            else if (!(dst = scalar_slot(d, msg, f, &st, tag_at)))
                return st;
            store_fixed(dst, p, 1);
            p += 8;
            continue;
        ALL_LABELS(PROTOBUF_C_TYPE_MESSAGE): {
            ProtobufCMessage *m;
            if (VW_UNLIKELY(wt != 2))
                goto unknown;
            if (!(p = read_len(d, p, end, &len, &st)))
                return st;
            if (VW_UNLIKELY(sp >= VW_PB_MAX_DEPTH))
                return fail(d, VW_E_TOO_DEEP, p);
            if (!(m = sub_msg(d, msg, f, p, &st)))
                return st;
            stack[sp].msg = msg;
            stack[sp].end = end;
            sp++;
            msg = m;
            end = p + len;
            goto enter;
        }
        case KEY(PROTOBUF_C_TYPE_BYTES, NONE_):
            if (VW_UNLIKELY(wt != 2))
                goto unknown;
            if (!(p = read_len(d, p, end, &len, &st)))
                return st;
            if (VW_LIKELY(!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))) {
                ProtobufCBinaryData bd; /* points into the input (PB-D-14) */
                bd.len = len;
                bd.data = (uint8_t *)(uintptr_t)p;
                memcpy((char *)msg + f->offset, &bd, sizeof bd);
            } else if ((st = dec_ld(d, msg, f, p, len)) != VW_OK) {
                return st;
            }
            p += len;
            continue;
        OTHER_LABELS(PROTOBUF_C_TYPE_BYTES):
        ALL_LABELS(PROTOBUF_C_TYPE_STRING):
            if (VW_UNLIKELY(wt != 2))
                goto unknown;
            if (!(p = read_len(d, p, end, &len, &st)))
                return st;
            if ((st = dec_ld(d, msg, f, p, len)) != VW_OK)
                return st;
            p += len;
            continue;
        default:
            goto unknown;
        }
    other_wire_type:
        /* A repeated scalar accepts its packed form (PB-D-3); any other wire
         * type than its own makes it an unknown field (PB-D-2). */
        if (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!(p = read_len(d, p, end, &len, &st)))
                return st;
            if ((st = dec_packed(d, msg, f, p, len)) != VW_OK)
                return st;
            p += len;
            continue;
        }
    unknown:
        /* Unknown field: skip it (PB-D-1). */
        if (!(p = skip_field(d, p, end, tag_at, fn, wt, sp, &st)))
            return st;
    }
}

/* ---- arena bound after exhaustion ----------------------------------------- */

static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* An upper bound of the arena bytes the decoder allocates for p[0..end),
 * stopping quietly at the first malformed byte (the decoder fails there).
 * Per occurrence: a message struct, a string copy; a repeated occurrence of
 * k elements of size es costs at most 4*k*es + 8*es + 16 over the life of its
 * array (capacities double from 4, each allocation is 16-aligned). */
static size_t bound_msg(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
                        const uint8_t *end, unsigned depth)
{
    struct dec scratch = { NULL, p, end, 0, 0, 0, NULL, NULL };
    vw_status st;
    size_t total = 0;
    if (depth > VW_PB_MAX_DEPTH)
        return 0;
    while (p < end) {
        uint32_t tag;
        uint64_t v;
        size_t len;
        if (!(p = get_tag(&scratch, p, end, &tag, &st)))
            break;
        uint32_t fn = tag >> 3;
        int wt = (int)(tag & 7);
        if (fn == 0)
            break;
        const ProtobufCFieldDescriptor *f = find_field(desc, fn);
        if (wt == 0) {
            if (!(p = get_varint(&scratch, p, end, &v, &st)))
                break;
            len = 0;
        } else if (wt == 1 || wt == 5) {
            size_t w = wt == 5 ? 4 : 8;
            if ((size_t)(end - p) < w)
                break;
            p += w;
            len = w;
        } else if (wt == 2) {
            if (!(p = get_len(&scratch, p, end, &len, &st)))
                break;
            p += len;
        } else if (wt == 3) {
            if (!(p = skip_group(&scratch, p, end, fn, depth + 1, &st)))
                break;
            continue;
        } else {
            break;
        }
        if (!f)
            continue;
        size_t es = elem_size(f->type), k = 1, add = 0;
        if (wt == 2 && f->type == PROTOBUF_C_TYPE_MESSAGE) {
            add = sat_add(align16(((const ProtobufCMessageDescriptor *)f->descriptor)->sizeof_message),
                          bound_msg(f->descriptor, p - len, p, depth + 1));
        } else if (wt == 2 && f->type == PROTOBUF_C_TYPE_STRING) {
            add = align16(sat_add(len, sizeof(size_t) + 1));
        } else if (wt == 2 && wire_type_of(f->type) != 2) {
            k = len; /* at least the element count of a packed run */
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t arr = k > SIZE_MAX / (4 * es) ? SIZE_MAX : 4 * k * es;
            add = sat_add(add, sat_add(arr, 8 * es + 16));
        }
        total = sat_add(total, add);
    }
    return total;
}

/* ---- entry point ----------------------------------------------------------- */

/* The failure paths of vw_pb_decode(), out of line so that the successful
 * call stays short. */
static VW_COLD vw_status decode_bad_arg(ProtobufCMessage **out, size_t *off)
{
    if (out)
        *out = NULL;
    if (off)
        *off = 0;
    return VW_E_INVALID_ARG;
}

static VW_COLD vw_status decode_failed(const struct dec *d, const ProtobufCMessageDescriptor *desc,
                                       vw_status st)
{
    struct vw_arena *arena = d->arena;
    *d->out = NULL;
    *d->off = d->fault;
    if (st == VW_E_NOMEM) {
        /* Charge the rest of an upper bound so that vw_arena_needed() is
         * enough for a retry; the arena refuses every request from now on. */
        size_t want = sat_add(align16(desc->sizeof_message), bound_msg(desc, d->base, d->lim, 0));
        size_t have = arena->needed - d->needed0;
        if (want > have)
            (void)vw_arena_alloc(arena, want - have);
    } else {
        /* Give back what the failed decode took. */
        arena->used = d->used0;
        arena->needed = d->needed0;
    }
    return st;
}

vw_status vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       struct vw_arena *arena, ProtobufCMessage **out, size_t *off)
{
    static const uint8_t empty[1] = { 0 };
    if (VW_UNLIKELY(!desc || !arena || !out || !off || (!buf && len) ||
                    desc->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC))
        return decode_bad_arg(out, off);
    if (VW_UNLIKELY(!buf))
        buf = empty;
    struct dec d = { arena, buf, buf + len, 0, arena->used, arena->needed, out, off };
    vw_status st = VW_E_NOMEM;
    ProtobufCMessage *m;
    /* bump() relies on an arena that has not failed yet (needed == used) and
     * is consistent (used <= cap); any other arena refuses every request. */
    struct vw_pb__frame stack[VW_PB_MAX_DEPTH];
    if (VW_LIKELY(d.needed0 == d.used0 && d.used0 <= arena->cap) &&
        VW_LIKELY((m = new_msg(&d, desc)) != NULL) &&
        VW_LIKELY((st = dec_msg(&d, stack, 0, m, buf, buf + len)) == VW_OK)) {
        *out = m;
        *off = len;
        return VW_OK;
    }
    return decode_failed(&d, desc, st);
}

vw_status vw_pb__decode_resume(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                               size_t len, struct vw_arena *arena, size_t used0, size_t needed0,
                               ProtobufCMessage *root, struct vw_pb__frame *stack, unsigned sp,
                               ProtobufCMessage *msg, const uint8_t *p, const uint8_t *end,
                               ProtobufCMessage **out, size_t *off)
{
    struct dec d = { arena, buf, buf + len, 0, used0, needed0, out, off };
    vw_status st = dec_msg(&d, stack, sp, msg, p, end);
    if (VW_LIKELY(st == VW_OK)) {
        *out = root;
        *off = len;
        return VW_OK;
    }
    return decode_failed(&d, desc, st);
}
