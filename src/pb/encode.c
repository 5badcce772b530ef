/* vw_pb_encode(), vw_pb_encoded_size(): canonical protobuf output, the bytes
 * Google's serializers produce for the same message (README.md, PB-E-*).
 *
 * One pass into the caller's buffer, no separate size walk. Each field costs
 * one switch on its type after the presence test (a oneof case compare, a
 * zero test of a proto3 value, or the proto2 rules on a cold path). Scalars
 * are written without per-byte checks whenever 15 bytes are left (a tag and
 * a varint take at most that); near the end of the buffer they take an
 * exact, checked path. A sub-message or a packed varint run gets a one-byte length
 * prefix and its body is written right behind it; the rare body of 128 bytes
 * or more is then moved up to make room for the longer prefix. Packed varint
 * runs are written eight bytes per varint when the buffer has room for their
 * largest possible size; otherwise their exact size is computed first.
 * Nothing is written past the end of the output, and on failure the buffer
 * is cleared. Only when the buffer is too small is the size computed
 * separately, to report it (PB-E-7). */
#include <string.h>

#include "pb/internal.h"

#if defined(__GNUC__)
#define VW_NOINLINE __attribute__((noinline))
#define VW_COLD __attribute__((noinline, cold))
#define VW_LIKELY(x) __builtin_expect(!!(x), 1)
#define VW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define VW_NOINLINE
#define VW_COLD
#define VW_LIKELY(x) (x)
#define VW_UNLIKELY(x) (x)
#endif

#if defined(VW_PB_LE_HOST) && defined(__GNUC__)
#define VW_SWAR_VARINT 1 /* varints built in a 64-bit register, stored 8 bytes at once */
#endif
#ifdef VW_PB_LE_HOST
#define VW_LE_HOST 1
#endif

#define wt_of vw_pb__wire_type
#define esize vw_pb__elem_size
/* the writers shared with the generated encoders (pb/internal.h) */
#define vsize vw_pb__vsize
#define wv vw_pb__wv
#define w32 vw_pb__w32
#define w64 vw_pb__w64
#define copy_bytes vw_pb__copy_bytes

/* ---- varint and fixed-width primitives ------------------------------------ */

#ifdef VW_SWAR_VARINT
/* The low 56 bits of @p x spread into 7-bit groups, one per byte (byte i
 * holds bits 7i..7i+6), high bits of the bytes clear: pack7() of the decoder
 * run backwards. */
static inline uint64_t spread7(uint64_t x)
{
    x = (x & UINT64_C(0x000000000fffffff)) | ((x & UINT64_C(0x00fffffff0000000)) << 4);
    x = (x & UINT64_C(0x00003fff00003fff)) | ((x & UINT64_C(0x0fffc0000fffc000)) << 2);
    x = (x & UINT64_C(0x007f007f007f007f)) | ((x & UINT64_C(0x3f803f803f803f80)) << 1);
    return x;
}
#endif

/* A varint written with whole-word stores: besides its own bytes it may
 * overwrite the 7 bytes that follow it (which must be writable, and which a
 * later write must cover before the encoder returns). */
static inline uint8_t *wv_wide(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
#ifdef VW_SWAR_VARINT
    size_t n = vsize(v);
    uint64_t x = spread7(v & UINT64_C(0x00ffffffffffffff));
    if (n <= 8) {
        /* continuation bits on bytes 0..n-2 */
        x |= UINT64_C(0x0080808080808080) >> (64 - 8 * n);
        memcpy(p, &x, 8);
    } else {
        x |= UINT64_C(0x8080808080808080);
        memcpy(p, &x, 8);
        p[8] = (uint8_t)(v >> 56); /* bits 56..62, and bit 63 as the continuation bit */
        p[9] = 1;                  /* bit 63 itself (overwritten when n is 9) */
    }
    return p + n;
#else
    return wv(p, v);
#endif
}

static size_t sadd(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t smul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* ---- field values ---------------------------------------------------------- */

/* The wire value of a scalar at @p v (varint types: the varint; fixed: the bits). */
static inline uint64_t scalar_bits(ProtobufCType t, const void *v)
{
    uint32_t u32;
    uint64_t u64;
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_ENUM:
        memcpy(&u32, v, 4);
        return (uint64_t)(int64_t)(int32_t)u32; /* negative: 10 bytes (PB-E-4) */
    case PROTOBUF_C_TYPE_SINT32:
        memcpy(&u32, v, 4);
        return (uint32_t)((u32 << 1) ^ (0u - (u32 >> 31)));
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        memcpy(&u32, v, 4);
        return u32;
    case PROTOBUF_C_TYPE_SINT64:
        memcpy(&u64, v, 8);
        return (u64 << 1) ^ (0 - (u64 >> 63));
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, v, sizeof b);
        return b != 0;
    }
    default:
        memcpy(&u64, v, 8);
        return u64;
    }
}

/* Length of string @p s of message @p m, @p marked telling whether @p m
 * came from vw_pb_decode() (the length is stored before the characters). */
static inline size_t str_len(int marked, const char *s)
{
    if (!s)
        return 0;
    if (marked)
        return vw_pb_string_len(s);
    return strlen(s);
}

static inline int is_marked(const ProtobufCMessage *m)
{
    return m->unknown_fields == &vw_pb__decoded_marker;
}

/* Is a proto2 (required or optional) singular field present? (oneof members
 * and proto3 fields are tested inline by the callers) */
static VW_NOINLINE int p2_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const char *member = (const char *)m + f->offset;
    const char *q = (const char *)m + f->quantifier_offset;
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const void *p;
        memcpy(&p, member, sizeof p);
        return p != NULL;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, member, sizeof s);
        if (!s)
            return 0;
        if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
            return s != f->default_value;
        return 1;
    }
    default:
        break;
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
        protobuf_c_boolean h;
        memcpy(&h, q, sizeof h);
        return h != 0;
    }
    return 1; /* required */
}

/* Run BODY once per element of the array @p arr of @p n elements of a
 * varint type @p t, with v holding the element's wire value. */
#define FOR_VARINTS(t, arr, n, BODY)                                                        \
    do {                                                                                    \
        size_t i_;                                                                          \
        switch (t) {                                                                        \
        case PROTOBUF_C_TYPE_INT64:                                                         \
        case PROTOBUF_C_TYPE_UINT64:                                                        \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                uint64_t v;                                                                 \
                memcpy(&v, (arr) + i_ * 8, 8);                                              \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        case PROTOBUF_C_TYPE_SINT64:                                                        \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                uint64_t x;                                                                 \
                memcpy(&x, (arr) + i_ * 8, 8);                                              \
                uint64_t v = (x << 1) ^ (0 - (x >> 63));                                    \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        case PROTOBUF_C_TYPE_UINT32:                                                        \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                uint32_t x;                                                                 \
                memcpy(&x, (arr) + i_ * 4, 4);                                              \
                uint64_t v = x;                                                             \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        case PROTOBUF_C_TYPE_SINT32:                                                        \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                uint32_t x;                                                                 \
                memcpy(&x, (arr) + i_ * 4, 4);                                              \
                uint64_t v = (uint32_t)((x << 1) ^ (0u - (x >> 31)));                       \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        case PROTOBUF_C_TYPE_BOOL:                                                          \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                protobuf_c_boolean x;                                                       \
                memcpy(&x, (arr) + i_ * sizeof x, sizeof x);                                \
                uint64_t v = x != 0;                                                        \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        default: /* INT32, ENUM */                                                          \
            for (i_ = 0; i_ < (n); i_++) {                                                  \
                int32_t x;                                                                  \
                memcpy(&x, (arr) + i_ * 4, 4);                                              \
                uint64_t v = (uint64_t)(int64_t)x;                                          \
                BODY;                                                                       \
            }                                                                               \
            break;                                                                          \
        }                                                                                   \
    } while (0)

/* Payload size of a packed run of varints. */
static size_t run_size(ProtobufCType t, const char *arr, size_t n)
{
    size_t s = 0;
    FOR_VARINTS(t, arr, n, s += vsize(v));
    return s;
}

/* Write the varints of a packed run at @p q. The first @p nwide elements are
 * written with whole-word stores (so 8 bytes past each of them must be
 * writable); the rest byte by byte. Returns the end of the run. */
static uint8_t *run_write(ProtobufCType t, uint8_t *q, const char *arr, size_t n, size_t nwide)
{
    FOR_VARINTS(t, arr, nwide, q = wv_wide(q, v));
    arr += nwide * esize(t);
    FOR_VARINTS(t, arr, n - nwide, q = wv(q, v));
    return q;
}

/* ---- sizes (vw_pb_encoded_size(), the size query, nospace) ----------------- */

/* Size of message @p m, or SIZE_MAX when it does not fit a size_t; *bad is
 * set for a message nested too deep or with a field of an unknown type. */
static size_t msg_size(const ProtobufCMessage *m, unsigned depth, int *bad);

static VW_NOINLINE size_t rep_size(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                                   unsigned depth, int *bad)
{
    size_t n, total = 0;
    const char *arr;
    memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
    if (n == 0)
        return 0;
    ProtobufCType t = f->type;
    int wt = wt_of(t);
    size_t ts = vsize((uint64_t)f->id << 3);
    if (wt == 7) {
        *bad = 1;
        return 0;
    }
    if (wt != 2 && (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED)) {
        size_t pl = wt == 5 ? 4 * n : wt == 1 ? 8 * n : run_size(t, arr, n);
        return sadd(ts + vsize(pl), pl);
    }
    switch (t) {
    case PROTOBUF_C_TYPE_MESSAGE:
        for (size_t k = 0; k < n; k++) {
            const ProtobufCMessage *sub;
            memcpy(&sub, arr + k * sizeof sub, sizeof sub);
            size_t b = sub ? msg_size(sub, depth + 1, bad) : 0;
            if (*bad)
                return 0;
            total = sadd(total, sadd(ts + vsize(b), b));
        }
        return total;
    case PROTOBUF_C_TYPE_STRING: {
        int marked = is_marked(m);
        for (size_t k = 0; k < n; k++) {
            const char *s;
            memcpy(&s, arr + k * sizeof s, sizeof s);
            size_t b = str_len(marked, s);
            total = sadd(total, sadd(ts + vsize(b), b));
        }
        return total;
    }
    case PROTOBUF_C_TYPE_BYTES:
        for (size_t k = 0; k < n; k++) {
            ProtobufCBinaryData b;
            memcpy(&b, arr + k * sizeof b, sizeof b);
            total = sadd(total, sadd(ts + vsize(b.len), b.len));
        }
        return total;
    default:
        break;
    }
    /* unpacked scalars: a tag per element */
    if (wt == 5)
        return smul(n, ts + 4);
    if (wt == 1)
        return smul(n, ts + 8);
    return sadd(run_size(t, arr, n), smul(n, ts));
}

static size_t msg_size(const ProtobufCMessage *m, unsigned depth, int *bad)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (depth > VW_PB_MAX_DEPTH || !d) {
        *bad = 1;
        return 0;
    }
    size_t total = 0;
    const ProtobufCFieldDescriptor *const fields = d->fields;
    for (unsigned i = 0, nf = d->n_fields; i < nf; i++) {
        const ProtobufCFieldDescriptor *f = &fields[i];
        const char *member = (const char *)m + f->offset;
        int force = 0;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t c;
            memcpy(&c, (const char *)m + f->quantifier_offset, 4);
            if (c != f->id)
                continue;
            force = 1;
        } else if (VW_UNLIKELY(f->label != PROTOBUF_C_LABEL_NONE)) {
            if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                total = sadd(total, rep_size(m, f, depth, bad));
                if (*bad)
                    return 0;
                continue;
            }
            if (!p2_present(m, f))
                continue;
            force = 1;
        }
        size_t ts = vsize((uint64_t)f->id << 3), b;
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_BOOL: {
            uint64_t v = scalar_bits(f->type, member);
            if (!v && !force)
                continue;
            total = sadd(total, ts + vsize(v));
            continue;
        }
        case PROTOBUF_C_TYPE_FIXED32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_FLOAT: {
            uint32_t x;
            memcpy(&x, member, 4);
            if (!x && !force)
                continue;
            total = sadd(total, ts + 4);
            continue;
        }
        case PROTOBUF_C_TYPE_FIXED64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_DOUBLE: {
            uint64_t x;
            memcpy(&x, member, 8);
            if (!x && !force)
                continue;
            total = sadd(total, ts + 8);
            continue;
        }
        case PROTOBUF_C_TYPE_BYTES: {
            ProtobufCBinaryData bd;
            memcpy(&bd, member, sizeof bd);
            if (!bd.len && !force)
                continue;
            b = bd.len;
            break;
        }
        case PROTOBUF_C_TYPE_STRING: {
            const char *s;
            memcpy(&s, member, sizeof s);
            b = str_len(is_marked(m), s);
            if (!b && !force)
                continue;
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessage *sub;
            memcpy(&sub, member, sizeof sub);
            if (!sub && !force)
                continue;
            b = sub ? msg_size(sub, depth + 1, bad) : 0;
            if (*bad)
                return 0;
            break;
        }
        default:
            *bad = 1;
            return 0;
        }
        total = sadd(total, sadd(ts + vsize(b), b));
    }
    return total;
}

size_t vw_pb_encoded_size(const ProtobufCMessage *msg)
{
    if (!msg || !msg->descriptor)
        return 0;
    int bad = 0;
    size_t n = msg_size(msg, 0, &bad);
    return bad ? SIZE_MAX : n;
}

/* ---- the encoder ------------------------------------------------------------ */

#define ERR_NOSPACE VW_PB__ENC_NOSPACE
#define ERR_INVALID VW_PB__ENC_INVALID
#define enc vw_pb__enc /* struct enc: pb/internal.h */

/* The largest tag and varint value together (5 + 10 bytes): with this much
 * room left, a scalar field is written without further checks. */
#define SCALAR_ROOM 15

static VW_COLD uint8_t *stop(struct enc *e, int err)
{
    e->err = err;
    return NULL;
}

/* Tag @p tag and value @p v (a varint when @p fixed is 0, else the low
 * @p fixed bytes of @p v), checked against the end of the buffer. */
static VW_COLD uint8_t *put_scalar_checked(struct enc *e, uint8_t *p, uint64_t tag, uint64_t v,
                                           size_t fixed)
{
    size_t need = vsize(tag) + (fixed ? fixed : vsize(v));
    if ((size_t)(e->end - p) < need)
        return stop(e, ERR_NOSPACE);
    p = wv(p, tag);
    if (fixed == 4)
        return w32(p, (uint32_t)v);
    if (fixed == 8)
        return w64(p, v);
    return wv(p, v);
}

/* Tag @p tag, length @p n and @p n bytes of @p data. */
static inline uint8_t *put_ld(struct enc *e, uint8_t *p, uint64_t tag, const void *data, size_t n)
{
    size_t room = (size_t)(e->end - p);
    if (VW_UNLIKELY(room < SCALAR_ROOM || room - SCALAR_ROOM < n)) {
        size_t need = vsize(tag) + vsize(n);
        if (room < need || room - need < n)
            return stop(e, ERR_NOSPACE);
    }
    p = wv(p, tag);
    p = wv(p, n);
    copy_bytes(p, data, n);
    return p + n;
}

static uint8_t *enc_msg(struct enc *e, uint8_t *p, const ProtobufCMessage *m, unsigned depth);

/* Tag @p tag and sub-message @p sub (NULL: an empty one) nested at
 * @p depth. The body is written behind a one-byte length prefix and moved up
 * when its length needs more bytes (PB-E-6). */
static uint8_t *put_sub(struct enc *e, uint8_t *p, uint64_t tag, const ProtobufCMessage *sub,
                        unsigned depth)
{
    size_t room = (size_t)(e->end - p);
    if (VW_UNLIKELY(room < 6) && room < vsize(tag) + 1)
        return stop(e, ERR_NOSPACE);
    p = wv(p, tag);
    uint8_t *body = p + 1, *q = body;
    if (sub && !(q = enc_msg(e, body, sub, depth)))
        return NULL;
    size_t len = (size_t)(q - body);
    if (VW_LIKELY(len < 0x80)) {
        *p = (uint8_t)len;
        return q;
    }
    size_t ls = vsize(len);
    if ((size_t)(e->end - q) < ls - 1)
        return stop(e, ERR_NOSPACE);
    memmove(p + ls, body, len);
    wv(p, len);
    return p + ls + len;
}

/* Largest element count for which n * 10 + 32 cannot overflow. */
#define RUN_MAX_COUNT ((SIZE_MAX - 32) / 10)

/* Packed run of @p n scalars of type @p t at @p arr, with tag @p tag (PB-E-5). */
static VW_NOINLINE uint8_t *enc_packed(struct enc *e, uint8_t *p, ProtobufCType t, uint64_t tag,
                                       const char *arr, size_t n)
{
    size_t room = (size_t)(e->end - p), len, need;
    int wt = wt_of(t);
    if (wt != 0) {
        size_t w = wt == 5 ? 4 : 8;
        len = n * w; /* the size of the array itself: no overflow */
        need = vsize(tag) + vsize(len);
        if (room < need || room - need < len)
            return stop(e, ERR_NOSPACE);
        p = wv(p, tag);
        p = wv(p, len);
#ifdef VW_LE_HOST
        memcpy(p, arr, len); /* host order is the wire order */
        return p + len;
#else
        for (size_t i = 0; i < n; i++) {
            uint64_t x = scalar_bits(t, arr + i * w);
            p = w == 4 ? w32(p, (uint32_t)x) : w64(p, x);
        }
        return p;
#endif
    }
    /* With room for the largest run (plus 8 bytes of slack for the
     * whole-word stores), write the run straight behind a one-byte prefix;
     * the last five elements are written byte by byte, so that the word
     * stores never reach past the run's end (each element takes a byte at
     * least, and a wide store reaches at most 5 bytes past a varint of 3 or
     * more bytes). Only varint types get here (wire type 0), for which
     * vw_pb__max_varint() is never 0. */
    if (VW_LIKELY(n <= RUN_MAX_COUNT) && n * vw_pb__max_varint(t) + 24 <= room) {
        p = wv(p, tag);
        uint8_t *body = p + 1;
        uint8_t *q = run_write(t, body, arr, n, n > 5 ? n - 5 : 0);
        len = (size_t)(q - body);
        if (len < 0x80) {
            *p = (uint8_t)len;
            return q;
        }
        size_t ls = vsize(len); /* room: the 24 spare bytes cover the longer prefix */
        memmove(p + ls, body, len);
        wv(p, len);
        return p + ls + len;
    }
    /* Near the end of the buffer: size the run first, then write it exactly. */
    len = run_size(t, arr, n);
    need = vsize(tag) + vsize(len);
    if (room < need || room - need < len)
        return stop(e, ERR_NOSPACE);
    p = wv(p, tag);
    p = wv(p, len);
    return run_write(t, p, arr, n, 0);
}

/* Repeated field @p f of @p m (PB-E-5). */
static VW_NOINLINE uint8_t *enc_repeated(struct enc *e, uint8_t *p, const ProtobufCMessage *m,
                                         const ProtobufCFieldDescriptor *f, unsigned depth)
{
    size_t n;
    const char *arr;
    memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
    if (n == 0)
        return p;
    ProtobufCType t = f->type;
    int wt = wt_of(t);
    uint64_t tag = (uint64_t)f->id << 3 | (uint64_t)wt;
    if (wt == 7)
        return stop(e, ERR_INVALID);
    if (wt != 2 && (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED))
        return enc_packed(e, p, t, (uint64_t)f->id << 3 | 2, arr, n);
    switch (t) {
    case PROTOBUF_C_TYPE_MESSAGE:
        for (size_t k = 0; k < n; k++) {
            const ProtobufCMessage *sub;
            memcpy(&sub, arr + k * sizeof sub, sizeof sub);
            if (!(p = put_sub(e, p, tag, sub, depth + 1)))
                return NULL;
        }
        return p;
    case PROTOBUF_C_TYPE_STRING: {
        int marked = is_marked(m);
        for (size_t k = 0; k < n; k++) {
            const char *s;
            memcpy(&s, arr + k * sizeof s, sizeof s);
            if (!(p = put_ld(e, p, tag, s, str_len(marked, s))))
                return NULL;
        }
        return p;
    }
    case PROTOBUF_C_TYPE_BYTES:
        for (size_t k = 0; k < n; k++) {
            ProtobufCBinaryData b;
            memcpy(&b, arr + k * sizeof b, sizeof b);
            if (!(p = put_ld(e, p, tag, b.data, b.len)))
                return NULL;
        }
        return p;
    default:
        break;
    }
    /* [packed = false] scalars: a tag per element */
    size_t es = esize(t), fixed = wt == 5 ? 4 : wt == 1 ? 8 : 0;
    for (size_t k = 0; k < n; k++) {
        uint64_t v = scalar_bits(t, arr + k * es);
        if (VW_UNLIKELY((size_t)(e->end - p) < SCALAR_ROOM)) {
            if (!(p = put_scalar_checked(e, p, tag, v, fixed)))
                return NULL;
            continue;
        }
        p = wv(p, tag);
        p = fixed == 4 ? w32(p, (uint32_t)v) : fixed == 8 ? w64(p, v) : wv(p, v);
    }
    return p;
}

/* Field @p f of message @p m at @p p (absent: nothing written, @p p
 * returned); NULL with e->err set when it cannot be written. */
static inline uint8_t *enc_field(struct enc *e, uint8_t *p, const ProtobufCMessage *m,
                                 const ProtobufCFieldDescriptor *f, unsigned depth)
{
    const char *member = (const char *)m + f->offset;
    int force = 0; /* written even when zero: a set oneof member or proto2 field */
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t c;
        memcpy(&c, (const char *)m + f->quantifier_offset, 4);
        if (c != f->id)
            return p;
        force = 1;
    } else if (VW_UNLIKELY(f->label != PROTOBUF_C_LABEL_NONE)) {
        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            return enc_repeated(e, p, m, f, depth);
        if (!p2_present(m, f))
            return p;
        force = 1;
    }
    uint64_t v, tag = (uint64_t)f->id << 3;
    size_t fixed;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t x;
        memcpy(&x, member, 4);
        v = (uint64_t)(int64_t)x; /* negative: 10 bytes (PB-E-4) */
        break;
    }
    case PROTOBUF_C_TYPE_UINT32: {
        uint32_t x;
        memcpy(&x, member, 4);
        v = x;
        break;
    }
    case PROTOBUF_C_TYPE_SINT32: {
        uint32_t x;
        memcpy(&x, member, 4);
        v = (uint32_t)((x << 1) ^ (0u - (x >> 31)));
        break;
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        memcpy(&v, member, 8);
        break;
    case PROTOBUF_C_TYPE_SINT64:
        memcpy(&v, member, 8);
        v = (v << 1) ^ (0 - (v >> 63));
        break;
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, member, sizeof b);
        v = b != 0;
        break;
    }
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT: {
        uint32_t x;
        memcpy(&x, member, 4);
        if (!x && !force)
            return p; /* zero bits: -0.0 is written (PB-E-2) */
        v = x;
        tag |= 5;
        fixed = 4;
        goto fixed_out;
    }
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        memcpy(&v, member, 8);
        if (!v && !force)
            return p;
        tag |= 1;
        fixed = 8;
        goto fixed_out;
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, member, sizeof b);
        if (!b.len && !force)
            return p;
        return put_ld(e, p, tag | 2, b.data, b.len);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, member, sizeof s);
        size_t n = str_len(is_marked(m), s);
        if (!n && !force)
            return p;
        return put_ld(e, p, tag | 2, s, n);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub;
        memcpy(&sub, member, sizeof sub);
        if (!sub && !force)
            return p;
        return put_sub(e, p, tag | 2, sub, depth + 1);
    }
    default:
        return stop(e, ERR_INVALID); /* not a protoc-c type */
    }
    /* a varint field */
    if (!v && !force)
        return p;
    if (VW_UNLIKELY((size_t)(e->end - p) < SCALAR_ROOM))
        return put_scalar_checked(e, p, tag, v, 0);
    p = wv(p, tag);
    return wv(p, v);
fixed_out:
    if (VW_UNLIKELY((size_t)(e->end - p) < SCALAR_ROOM))
        return put_scalar_checked(e, p, tag, v, fixed);
    p = wv(p, tag);
    return fixed == 4 ? w32(p, (uint32_t)v) : w64(p, v);
}

/* Message @p m at @p p, nested @p depth levels below the top; the end of
 * what was written, or NULL with e->err set. */
static uint8_t *enc_msg(struct enc *e, uint8_t *p, const ProtobufCMessage *m, unsigned depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (VW_UNLIKELY(depth > VW_PB_MAX_DEPTH || !d))
        return stop(e, ERR_INVALID);
    const ProtobufCFieldDescriptor *const fields = d->fields;
    for (unsigned i = 0, nf = d->n_fields; i < nf; i++)
        if (!(p = enc_field(e, p, m, &fields[i], depth)))
            return NULL;
    return p;
}

uint8_t *vw_pb__enc_field(struct vw_pb__enc *e, uint8_t *p, const ProtobufCMessage *m,
                          const ProtobufCFieldDescriptor *f, unsigned depth)
{
    return enc_field(e, p, m, f, depth);
}

vw_status vw_pb_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap, size_t *written)
{
    if (!written)
        return VW_E_INVALID_ARG;
    *written = 0;
    if (!msg || !msg->descriptor || (!out && cap))
        return VW_E_INVALID_ARG;
    int bad = 0;
    if (!out) {
        size_t need = msg_size(msg, 0, &bad);
        if (bad)
            return VW_E_INVALID_ARG;
        *written = need;
        return need ? VW_E_NOSPACE : VW_OK;
    }
    struct enc e = { out + cap, 0 };
    uint8_t *p = enc_msg(&e, out, msg, 0);
    if (VW_LIKELY(p != NULL)) {
        *written = (size_t)(p - out);
        return VW_OK;
    }
    memset(out, 0, cap);
    if (e.err == ERR_NOSPACE) {
        /* The rest of the message may still be invalid (too deep): the size
         * walk sees all of it. */
        size_t need = msg_size(msg, 0, &bad);
        if (!bad) {
            *written = need;
            return VW_E_NOSPACE;
        }
    }
    return VW_E_INVALID_ARG;
}
