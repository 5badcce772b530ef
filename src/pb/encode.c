/* vw_pb_encode(), vw_pb_encoded_size(): canonical protobuf output, the bytes
 * Google's serializers produce for the same message (README.md, PB-E-*).
 *
 * One pass into the caller's buffer: a sub-message's length prefix is first
 * given one byte; when the body turns out to need a longer prefix, the body
 * is moved up (rare for the small messages of VM protocols). Only when the
 * buffer is too small is the size computed separately, to report it. */
#include <string.h>

#include "pb/pb_internal.h"

struct wr {
    uint8_t *p;
    uint8_t *end;
    int over;  /* the buffer is too small */
    int deep;  /* nesting beyond VW_PB_MAX_DEPTH */
};

static size_t varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline void put_varint(struct wr *w, uint64_t v)
{
    if (v < 0x80 && w->p < w->end) {
        *w->p++ = (uint8_t)v;
        return;
    }
    if ((size_t)(w->end - w->p) < 10 && (size_t)(w->end - w->p) < varint_size(v)) {
        w->over = 1;
        return;
    }
    while (v >= 0x80) {
        *w->p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *w->p++ = (uint8_t)v;
}

static inline void put_fixed(struct wr *w, uint64_t v, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->over = 1;
        return;
    }
    for (size_t i = 0; i < n; i++, v >>= 8)
        *w->p++ = (uint8_t)v;
}

static inline void put_bytes(struct wr *w, const void *p, size_t n)
{
    if ((size_t)(w->end - w->p) < n) {
        w->over = 1;
        return;
    }
    if (n)
        memcpy(w->p, p, n);
    w->p += n;
}

#define wt_of vw_pb__wire_type
#define esize vw_pb__elem_size

/* The wire value of a scalar at @p v (varint types: the varint; fixed: the bits). */
static uint64_t scalar_bits(ProtobufCType t, const void *v)
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

static size_t scalar_size(ProtobufCType t, uint64_t bits)
{
    switch (wt_of(t)) {
    case 5:
        return 4;
    case 1:
        return 8;
    default:
        return varint_size(bits);
    }
}

/* Is singular field @p f present, i.e. written (PB-E-2, PB-E-3)? */
static int present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const char *member = (const char *)m + f->offset;
    const char *q = (const char *)m + f->quantifier_offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t c;
        memcpy(&c, q, 4);
        return c == f->id;
    }
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
        if (f->label == PROTOBUF_C_LABEL_NONE)
            return vw_pb__strlen(m, s) != 0;
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
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return 1;
    if (f->type == PROTOBUF_C_TYPE_BYTES) {
        ProtobufCBinaryData b;
        memcpy(&b, member, sizeof b);
        return b.len != 0;
    }
    return scalar_bits(f->type, member) != 0;
}

static size_t msg_size(const ProtobufCMessage *m, unsigned depth);

/* Size of one value (without tag) of field @p f at @p v, inside message @p m. */
static size_t value_size(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                         const void *v, unsigned depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub;
        memcpy(&sub, v, sizeof sub);
        size_t n = sub ? msg_size(sub, depth + 1) : 0;
        if (n == SIZE_MAX)
            return SIZE_MAX;
        return varint_size(n) + n;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, v, sizeof s);
        size_t n = vw_pb__strlen(m, s);
        return varint_size(n) + n;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, v, sizeof b);
        return varint_size(b.len) + b.len;
    }
    default:
        return scalar_size(f->type, scalar_bits(f->type, v));
    }
}

static size_t sadd(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t packed_payload(const ProtobufCFieldDescriptor *f, const char *arr, size_t n)
{
    int wt = wt_of(f->type);
    if (wt == 5)
        return 4 * n;
    if (wt == 1)
        return 8 * n;
    size_t es = esize(f->type), t = 0;
    for (size_t i = 0; i < n; i++)
        t += varint_size(scalar_bits(f->type, arr + i * es));
    return t;
}

static size_t msg_size(const ProtobufCMessage *m, unsigned depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    size_t total = 0;
    if (depth > VW_PB_MAX_DEPTH)
        return SIZE_MAX;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t tag = varint_size((uint64_t)f->id << 3);
        const char *member = (const char *)m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n;
            const char *arr;
            memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
            memcpy(&arr, member, sizeof arr);
            if (n == 0)
                continue;
            if ((f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) && wt_of(f->type) != 2) {
                size_t pl = packed_payload(f, arr, n);
                total = sadd(total, tag + varint_size(pl) + pl);
            } else {
                size_t es = esize(f->type);
                for (size_t k = 0; k < n; k++)
                    total = sadd(total, sadd(tag, value_size(m, f, arr + k * es, depth)));
            }
        } else if (present(m, f)) {
            total = sadd(total, sadd(tag, value_size(m, f, member, depth)));
        }
    }
    return total;
}

size_t vw_pb_encoded_size(const ProtobufCMessage *msg)
{
    if (!msg || !msg->descriptor)
        return 0;
    return msg_size(msg, 0);
}

static void enc_msg(struct wr *w, const ProtobufCMessage *m, unsigned depth);

static void enc_value(struct wr *w, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                      const void *v, unsigned depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub;
        memcpy(&sub, v, sizeof sub);
        if (w->p == w->end) {
            w->over = 1;
            return;
        }
        uint8_t *lenp = w->p++;
        if (sub)
            enc_msg(w, sub, depth + 1);
        if (w->over || w->deep)
            return;
        size_t body = (size_t)(w->p - lenp - 1);
        size_t vs = varint_size(body);
        if (vs > 1) {
            if ((size_t)(w->end - w->p) < vs - 1) {
                w->over = 1;
                return;
            }
            memmove(lenp + vs, lenp + 1, body);
        }
        w->p = lenp;
        put_varint(w, body);
        w->p += body;
        return;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, v, sizeof s);
        size_t n = vw_pb__strlen(m, s);
        put_varint(w, n);
        put_bytes(w, s, n);
        return;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, v, sizeof b);
        put_varint(w, b.len);
        put_bytes(w, b.data, b.len);
        return;
    }
    default: {
        uint64_t bits = scalar_bits(f->type, v);
        int wt = wt_of(f->type);
        if (wt == 0)
            put_varint(w, bits);
        else
            put_fixed(w, bits, wt == 5 ? 4 : 8);
        return;
    }
    }
}

#if defined(__GNUC__)
#define VW_NOINLINE __attribute__((noinline))
#else
#define VW_NOINLINE
#endif

static VW_NOINLINE void enc_repeated(struct wr *w, const ProtobufCMessage *m,
                                     const ProtobufCFieldDescriptor *f, unsigned depth)
{
    size_t n;
    const char *arr;
    int wt = wt_of(f->type);
    memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
    if (n == 0)
        return;
    size_t es = esize(f->type);
    if ((f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) && wt != 2) {
        put_varint(w, (uint64_t)f->id << 3 | 2);
        put_varint(w, packed_payload(f, arr, n));
        for (size_t k = 0; k < n && !w->over; k++)
            enc_value(w, m, f, arr + k * es, depth);
    } else {
        for (size_t k = 0; k < n && !w->over && !w->deep; k++) {
            put_varint(w, (uint64_t)f->id << 3 | (uint64_t)wt);
            enc_value(w, m, f, arr + k * es, depth);
        }
    }
}

/* Is a proto3 (LABEL_NONE, not in a oneof) field at @p member set? (PB-E-2) */
static inline int p3_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                             const char *member)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const void *p;
        memcpy(&p, member, sizeof p);
        return p != NULL;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, member, sizeof s);
        return s && vw_pb__strlen(m, s) != 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, member, sizeof b);
        return b.len != 0;
    }
    default:
        if (esize(f->type) == 8) {
            uint64_t v;
            memcpy(&v, member, 8);
            return v != 0;
        } else {
            uint32_t v;
            memcpy(&v, member, 4);
            return v != 0;
        }
    }
}

static void enc_msg(struct wr *w, const ProtobufCMessage *m, unsigned depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (depth > VW_PB_MAX_DEPTH || !d) {
        w->deep = 1;
        return;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *member = (const char *)m + f->offset;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t c;
            memcpy(&c, (const char *)m + f->quantifier_offset, 4);
            if (c != f->id)
                continue;
        } else if (f->label == PROTOBUF_C_LABEL_NONE) {
            if (!p3_present(m, f, member))
                continue;
        } else if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            enc_repeated(w, m, f, depth);
            if (w->over | w->deep)
                return;
            continue;
        } else if (!present(m, f)) {
            continue;
        }
        put_varint(w, (uint64_t)f->id << 3 | (uint64_t)wt_of(f->type));
        enc_value(w, m, f, member, depth);
        if (w->over | w->deep)
            return;
    }
}

vw_status vw_pb_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap, size_t *written)
{
    if (!written)
        return VW_E_INVALID_ARG;
    *written = 0;
    if (!msg || !msg->descriptor || (!out && cap))
        return VW_E_INVALID_ARG;
    if (!out) {
        size_t need = msg_size(msg, 0);
        if (need == SIZE_MAX)
            return VW_E_INVALID_ARG;
        *written = need;
        return need ? VW_E_NOSPACE : VW_OK;
    }
    struct wr w = { out, out + cap, 0, 0 };
    enc_msg(&w, msg, 0);
    if (w.deep) {
        memset(out, 0, cap);
        return VW_E_INVALID_ARG;
    }
    if (w.over) {
        memset(out, 0, cap);
        *written = msg_size(msg, 0);
        return VW_E_NOSPACE;
    }
    *written = (size_t)(w.p - out);
    return VW_OK;
}
