/* vw_pb_decode(): one pass over the wire bytes, no heap, Google's semantics.
 *
 * The decoder walks the bytes once, looks every field up through the
 * descriptor's field_ranges (a range check and an index in the common case of
 * dense field numbers), and writes the protoc-c struct directly. Plain proto3
 * scalars take a short path; sub-messages are entered without recursion (an
 * explicit stack of enclosing messages, VW_PB_MAX_DEPTH deep). Repeated
 * fields grow inside the caller's arena: an array holding n elements always
 * has capacity cap(n) = max(4, next power of two >= n), so the capacity never
 * needs storing, growth copies each element O(1) times on average, and a
 * packed run reserves its whole element count at once. See README.md for the
 * numbered list of semantics (PB-D-*) this file implements. */
#include <string.h>

#include "pb/pb_internal.h"

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
#else
#define VW_COLD
#endif

/* ---- decoder state -------------------------------------------------------- */

struct dec {
    struct vw_arena *arena;
    const uint8_t *base; /* start of the caller's buffer, for fault offsets */
    size_t fault;
};

static vw_status fail(struct dec *d, vw_status st, const uint8_t *at)
{
    d->fault = (size_t)(at - d->base);
    return st;
}

/* Varint of at most 10 bytes; bits beyond 64 are dropped (PB-D-5). */
static inline const uint8_t *get_varint(struct dec *d, const uint8_t *p, const uint8_t *end,
                                        uint64_t *v, vw_status *st)
{
    if (p < end && p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    uint64_t r = 0;
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

static size_t cap_of(size_t n)
{
    if (n == 0)
        return 0;
    size_t c = 4;
    while (c < n)
        c <<= 1;
    return c;
}

/* Make room for @p k more elements of repeated field @p f; returns the first
 * free slot (the element count is not changed). */
static void *rep_reserve(struct dec *d, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                         size_t k, vw_status *st, const uint8_t *at)
{
    size_t *np = (size_t *)(void *)((char *)msg + f->quantifier_offset);
    void **ap = (void **)(void *)((char *)msg + f->offset);
    size_t es = elem_size(f->type), n = *np;
    if (k > (SIZE_MAX / es) - n) {
        *st = fail(d, VW_E_NOMEM, at);
        return NULL;
    }
    if (n + k > cap_of(n)) {
        size_t c = cap_of(n + k);
        if (c > SIZE_MAX / es) {
            *st = fail(d, VW_E_NOMEM, at);
            return NULL;
        }
        void *na = vw_arena_alloc(d->arena, c * es);
        if (!na) {
            *st = fail(d, VW_E_NOMEM, at);
            return NULL;
        }
        if (n)
            memcpy(na, *ap, n * es);
        *ap = na;
    }
    return (char *)*ap + n * es;
}

/* vw_arena_alloc() without the zero fill, for blocks the caller initialises
 * whole (message structs, which message_init() assigns): same accounting. */
static inline void *bump(struct vw_arena *a, size_t size)
{
    size_t r = (size + (VW_ARENA_ALIGN - 1)) & ~(size_t)(VW_ARENA_ALIGN - 1);
    /* used <= cap always holds; needed == used unless an allocation failed */
    if (r < size || a->needed != a->used || r > a->cap - a->used)
        return vw_arena_alloc(a, size); /* failure path: let the arena count it */
    void *p = a->base + a->used;
    a->used += r;
    a->needed += r;
    return p;
}

static inline ProtobufCMessage *new_msg(struct dec *d, const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *m = bump(d->arena, desc->sizeof_message);
    if (!m)
        return NULL;
    desc->message_init(m);
    vw_pb__mark(m);
    return m;
}

/* The message that an occurrence of message field @p f of @p msg decodes into:
 * a new element, a new message, or the one already there (PB-D-10, PB-D-11). */
static ProtobufCMessage *sub_msg(struct dec *d, ProtobufCMessage *msg,
                                 const ProtobufCFieldDescriptor *f, const uint8_t *p,
                                 vw_status *st)
{
    const ProtobufCMessageDescriptor *sub = f->descriptor;
    char *member = (char *)msg + f->offset;
    void *casep = (void *)((char *)msg + f->quantifier_offset);
    ProtobufCMessage *m;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        ProtobufCMessage **slot = rep_reserve(d, msg, f, 1, st, p);
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
    int oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    memcpy(&m, member, sizeof m);
    if (!m || (oneof && *(uint32_t *)casep != f->id)) {
        if (!(m = new_msg(d, sub))) {
            *st = fail(d, VW_E_NOMEM, p);
            return NULL;
        }
        memcpy(member, &m, sizeof m);
        if (oneof)
            *(uint32_t *)casep = f->id;
    }
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
            char **slot = rep_reserve(d, msg, f, 1, &st, p);
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
        ProtobufCBinaryData *slot = rep_reserve(d, msg, f, 1, &st, p);
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

/* A packed run of repeated scalar field @p f at p[0..len) (PB-D-3). */
static VW_COLD vw_status dec_packed(struct dec *d, ProtobufCMessage *msg,
                            const ProtobufCFieldDescriptor *f, const uint8_t *p, size_t len)
{
    vw_status st = VW_OK;
    const uint8_t *end = p + len;
    int wt = wire_type_of(f->type);
    size_t es = elem_size(f->type), k;
    if (len == 0)
        return VW_OK;
    if (wt == 0) {
        k = 0;
        for (size_t i = 0; i < len; i++)
            k += p[i] < 0x80;
        if (end[-1] >= 0x80)
            return fail(d, VW_E_TRUNCATED, end);
    } else {
        size_t w = wt == 5 ? 4 : 8;
        if (len % w)
            return fail(d, VW_E_BAD_LENGTH, p);
        k = len / w;
    }
    char *slot = rep_reserve(d, msg, f, k, &st, p);
    if (!slot)
        return st;
    size_t *np = (size_t *)(void *)((char *)msg + f->quantifier_offset);
    if (wt == 0) {
        for (size_t i = 0; i < k; i++) {
            uint64_t v;
            if (!(p = get_varint(d, p, end, &v, &st)))
                return st; /* over-long varint inside the run */
            store_varint(slot + i * es, f->type, v);
        }
    } else {
        size_t w = wt == 5 ? 4 : 8;
        for (size_t i = 0; i < k; i++, p += w)
            store_fixed(slot + i * es, p, wt);
    }
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

static vw_status dec_msg(struct dec *d, const ProtobufCMessageDescriptor *desc,
                         ProtobufCMessage *msg, const uint8_t *p, const uint8_t *end,
                         unsigned depth)
{
    /* Sub-messages are entered without recursion: the enclosing messages wait
     * on this stack (PB-D-15 bounds it). */
    struct frame {
        const ProtobufCMessageDescriptor *desc;
        ProtobufCMessage *msg;
        const uint8_t *end;
    } stack[VW_PB_MAX_DEPTH + 1];
    unsigned sp = 0;
    vw_status st = VW_OK;
    uint32_t r0_start, r0_n;
    const ProtobufCFieldDescriptor *r0_f;
enter:
    /* The first range of field numbers, looked up by subtraction. */
    r0_start = 0;
    r0_n = 0;
    r0_f = desc->fields;
    if (desc->n_field_ranges) {
        r0_start = (uint32_t)desc->field_ranges[0].start_value;
        r0_n = desc->field_ranges[1].orig_index - desc->field_ranges[0].orig_index;
        r0_f = desc->fields + desc->field_ranges[0].orig_index;
    }
    for (;;) {
        if (p >= end) {
            if (sp == 0)
                return VW_OK;
            sp--;
            depth--;
            desc = stack[sp].desc;
            msg = stack[sp].msg;
            end = stack[sp].end;
            goto enter;
        }
        const uint8_t *tag_at = p;
        uint32_t tag;
        if (p[0] < 0x80) {
            tag = p[0];
            p++;
        } else if (!(p = get_tag(d, p, end, &tag, &st))) {
            return st;
        }
        uint32_t fn = tag >> 3;
        int wt = (int)(tag & 7);
        const ProtobufCFieldDescriptor *f;
        uint32_t rel = fn - r0_start;
        if (rel < r0_n) {
            f = r0_f + rel;
        } else {
            if (fn == 0)
                return fail(d, VW_E_BAD_FIELD_NUMBER, tag_at); /* PB-D-7 */
            f = find_field(desc, fn);
        }
        /* Hot path: a plain proto3 scalar with its own wire type. */
        if (f && f->label == PROTOBUF_C_LABEL_NONE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
            char *dst = (char *)msg + f->offset;
            uint64_t v;
            switch (f->type) {
            case PROTOBUF_C_TYPE_INT32:
            case PROTOBUF_C_TYPE_UINT32:
            case PROTOBUF_C_TYPE_ENUM:
            case PROTOBUF_C_TYPE_SINT32:
            case PROTOBUF_C_TYPE_INT64:
            case PROTOBUF_C_TYPE_UINT64:
            case PROTOBUF_C_TYPE_SINT64:
            case PROTOBUF_C_TYPE_BOOL:
                if (wt != 0)
                    break;
                if (p < end && p[0] < 0x80)
                    v = *p++;
                else if (!(p = get_varint(d, p, end, &v, &st)))
                    return st;
                store_varint(dst, f->type, v);
                continue;
            case PROTOBUF_C_TYPE_FIXED32:
            case PROTOBUF_C_TYPE_SFIXED32:
            case PROTOBUF_C_TYPE_FLOAT:
                if (wt != 5)
                    break;
                if ((size_t)(end - p) < 4)
                    return fail(d, VW_E_TRUNCATED, end);
                store_fixed(dst, p, 5);
                p += 4;
                continue;
            case PROTOBUF_C_TYPE_FIXED64:
            case PROTOBUF_C_TYPE_SFIXED64:
            case PROTOBUF_C_TYPE_DOUBLE:
                if (wt != 1)
                    break;
                if ((size_t)(end - p) < 8)
                    return fail(d, VW_E_TRUNCATED, end);
                store_fixed(dst, p, 1);
                p += 8;
                continue;
            default:
                break;
            }
        }
        if (f) {
            int want = wire_type_of(f->type);
            if (wt == want) {
                uint64_t v;
                size_t len;
                void *dst;
                if (want == 2) {
                    if (!(p = get_len(d, p, end, &len, &st)))
                        return st;
                    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                        ProtobufCMessage *m;
                        if (depth + 1 > VW_PB_MAX_DEPTH)
                            return fail(d, VW_E_TOO_DEEP, p);
                        if (!(m = sub_msg(d, msg, f, p, &st)))
                            return st;
                        stack[sp].desc = desc;
                        stack[sp].msg = msg;
                        stack[sp].end = end;
                        sp++;
                        depth++;
                        desc = f->descriptor;
                        msg = m;
                        end = p + len;
                        goto enter;
                    }
                    if ((st = dec_ld(d, msg, f, p, len)) != VW_OK)
                        return st;
                    p += len;
                    continue;
                }
                if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                    if (!(dst = rep_reserve(d, msg, f, 1, &st, tag_at)))
                        return st;
                } else {
                    dst = (char *)msg + f->offset;
                    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                        *(uint32_t *)(void *)((char *)msg + f->quantifier_offset) = f->id;
                    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
                        *(protobuf_c_boolean *)(void *)((char *)msg + f->quantifier_offset) = 1;
                }
                if (want == 0) {
                    if (!(p = get_varint(d, p, end, &v, &st)))
                        return st;
                    store_varint(dst, f->type, v);
                } else {
                    size_t w = want == 5 ? 4 : 8;
                    if ((size_t)(end - p) < w)
                        return fail(d, VW_E_TRUNCATED, end);
                    store_fixed(dst, p, want);
                    p += w;
                }
                if (f->label == PROTOBUF_C_LABEL_REPEATED)
                    (*(size_t *)(void *)((char *)msg + f->quantifier_offset))++;
                continue;
            }
            if (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED && want != 2) {
                size_t len;
                if (!(p = get_len(d, p, end, &len, &st)))
                    return st;
                if ((st = dec_packed(d, msg, f, p, len)) != VW_OK)
                    return st;
                p += len;
                continue;
            }
            /* Wrong wire type: an unknown field (PB-D-2). */
        }
        /* Unknown field: skip it (PB-D-1). */
        if (!(p = skip_field(d, p, end, tag_at, fn, wt, depth, &st)))
            return st;
    }
    return VW_OK;
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
    struct dec scratch = { NULL, p, 0 };
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

vw_status vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       struct vw_arena *arena, ProtobufCMessage **out, size_t *off)
{
    if (out)
        *out = NULL;
    if (!desc || !arena || !out || !off || (!buf && len) ||
        desc->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC) {
        if (off)
            *off = 0;
        return VW_E_INVALID_ARG;
    }
    static const uint8_t empty[1] = { 0 };
    if (!buf)
        buf = empty;
    size_t used0 = arena->used, needed0 = arena->needed;
    struct dec d = { arena, buf, 0 };
    vw_status st;
    ProtobufCMessage *m = new_msg(&d, desc);
    if (!m) {
        d.fault = 0;
        st = VW_E_NOMEM;
    } else {
        st = dec_msg(&d, desc, m, buf, buf + len, 0);
    }
    if (st == VW_OK) {
        *out = m;
        *off = len;
        return VW_OK;
    }
    *off = d.fault;
    if (st == VW_E_NOMEM) {
        /* Charge the rest of an upper bound so that vw_arena_needed() is
         * enough for a retry; the arena refuses every request from now on. */
        size_t want = sat_add(align16(desc->sizeof_message), bound_msg(desc, buf, buf + len, 0));
        size_t have = arena->needed - needed0;
        if (want > have)
            (void)vw_arena_alloc(arena, want - have);
    } else {
        /* Give back what the failed decode took. */
        arena->used = used0;
        arena->needed = needed0;
    }
    return st;
}
