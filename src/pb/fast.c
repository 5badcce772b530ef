/* vw_pb__decode_fast(): vw_pb_decode() for the schemas with generated tag
 * tables (fast.h, gen_fast.c). Per field one table load and one jump on the
 * entry's kind; varints and lengths read inline. It decodes the common field
 * kinds only: at anything else (a tag byte without an entry, a tag of two
 * bytes or more, a malformed or truncated value, a block the arena cannot
 * give, nesting at the limit) it hands the decode over to the generic
 * decoder at the start of that field, with the same stack of enclosing
 * messages (vw_pb__decode_resume()), so that every result, failures
 * included, is the generic decoder's. What it does for the fields it decodes
 * must therefore be exactly what dec_msg() does for the same bytes: the same
 * stores, the same arena requests in the same order (PB-M-2), the same merge
 * and oneof rules (PB-D-10, PB-D-11), and nothing at all for a field it
 * hands over. fuzz/fuzz_pb_fast.c and
 * tests/test_pb_fast.c check that. */
#include <string.h>

#include "pb/fast.h"
#include "pb/pb_internal.h"

#if defined(__GNUC__)
#define F_LIKELY(x) __builtin_expect(!!(x), 1)
#define F_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define F_LIKELY(x) (x)
#define F_UNLIKELY(x) (x)
#endif

/* dec_msg()'s bump() and new_msg() for a message of table @p t (its size
 * already rounded up to VW_ARENA_ALIGN), without the failure path: NULL (the
 * arena untouched) when the block does not fit, and the caller falls back. */
static inline ProtobufCMessage *fnew(struct vw_arena *a, const ProtobufCMessageDescriptor *desc,
                                     const struct vw_pb_ftab *t)
{
    size_t r = t->size;
    if (F_UNLIKELY(r > a->cap - a->used))
        return NULL;
    ProtobufCMessage *m = (ProtobufCMessage *)(void *)(a->base + a->used);
    a->used += r;
    a->needed += r;
    desc->message_init(m);
    vw_pb__mark(m);
    return m;
}

/* An array block of @p size bytes (a repeated field's), as bump(). */
static inline void *fbump(struct vw_arena *a, size_t size)
{
    size_t r = (size + (VW_ARENA_ALIGN - 1)) & ~(size_t)(VW_ARENA_ALIGN - 1);
    if (F_UNLIKELY(r < size || r > a->cap - a->used))
        return NULL;
    void *p = a->base + a->used;
    a->used += r;
    a->needed += r;
    return p;
}

/* A varint of at most 10 bytes ending before @p end (bits above 63 dropped,
 * PB-D-5), or NULL. */
static inline const uint8_t *fvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (F_LIKELY(p < end) && p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    uint64_t r = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (p >= end)
            return NULL;
        uint64_t b = *p++;
        r |= (b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = r;
            return p;
        }
    }
    return NULL;
}

/* A length prefix (PB-D-6) whose bytes fit before @p end, or NULL. */
static inline const uint8_t *flen(const uint8_t *p, const uint8_t *end, size_t *len)
{
    uint64_t v;
    if (F_LIKELY(p < end) && p[0] < 0x80) {
        v = p[0];
        p++;
    } else {
        v = 0;
        for (unsigned i = 0;; i++) {
            if (p >= end || (i == 4 && *p >= 8))
                return NULL;
            uint64_t b = *p++;
            v |= (b & 0x7f) << (7 * i);
            if (b < 0x80)
                break;
        }
    }
    if (F_UNLIKELY(v > (uint64_t)(end - p)))
        return NULL;
    *len = (size_t)v;
    return p;
}

/* Capacity of a repeated field's array of n elements (decode.c's cap_of()). */
static inline size_t fcap(size_t n)
{
    size_t c = 4;
    while (c < n)
        c <<= 1;
    return n ? c : 0;
}

vw_status vw_pb__decode_fast(const ProtobufCMessageDescriptor *desc, const struct vw_pb_ftab *tab,
                             const uint8_t *buf, size_t len, struct vw_arena *a,
                             ProtobufCMessage **out, size_t *off)
{
    /* stack[] is dec_msg()'s stack, so that the generic decoder can take
     * over at any field; tabs[] holds the enclosing messages' tables. */
    struct vw_pb__frame stack[VW_PB_MAX_DEPTH];
    const struct vw_pb_ftab *tabs[VW_PB_MAX_DEPTH];
    unsigned sp = 0;
    size_t used0 = a->used, needed0 = a->needed;
    if (F_UNLIKELY(!buf))
        buf = (const uint8_t *)""; /* len is 0: no arithmetic on NULL */
    const uint8_t *p = buf, *end = buf + len, *tag_at;
    ProtobufCMessage *root, *msg;
    if (F_UNLIKELY(!tab || needed0 != used0 || used0 > a->cap) ||
        F_UNLIKELY(!(root = fnew(a, desc, tab))))
        return vw_pb_decode(desc, buf, len, a, out, off); /* nothing taken */
    msg = root;
    for (;;) {
        if (F_UNLIKELY(p >= end)) {
            if (sp == 0) {
                *out = root;
                *off = len;
                return VW_OK;
            }
            sp--;
            msg = stack[sp].msg;
            end = stack[sp].end;
            tab = tabs[sp];
            continue;
        }
        tag_at = p;
        unsigned t = p[0];
        if (F_UNLIKELY(t >= tab->n))
            goto generic; /* also every tag of two bytes or more (n <= 128) */
        const struct vw_pb_fent *e = &tab->ent[t];
        char *dst = (char *)msg + e->off;
        uint64_t v;
        size_t len1;
        p++;
        switch (e->kind) {
        case VW_PB_FK_V32: {
            if (!(p = fvarint(p, end, &v)))
                goto generic;
            uint32_t x = (uint32_t)v;
            memcpy(dst, &x, 4);
            continue;
        }
        case VW_PB_FK_V64:
            if (!(p = fvarint(p, end, &v)))
                goto generic;
            memcpy(dst, &v, 8);
            continue;
        case VW_PB_FK_BOOL: {
            if (!(p = fvarint(p, end, &v)))
                goto generic;
            protobuf_c_boolean b = v != 0;
            memcpy(dst, &b, sizeof b);
            continue;
        }
        case VW_PB_FK_S32: {
            if (!(p = fvarint(p, end, &v)))
                goto generic;
            uint32_t x = (uint32_t)v;
            x = (x >> 1) ^ (0u - (x & 1));
            memcpy(dst, &x, 4);
            continue;
        }
        case VW_PB_FK_S64:
            if (!(p = fvarint(p, end, &v)))
                goto generic;
            v = (v >> 1) ^ (0 - (v & 1));
            memcpy(dst, &v, 8);
            continue;
        case VW_PB_FK_F32:
            if ((size_t)(end - p) < 4)
                goto generic;
            memcpy(dst, p, 4); /* gen_fast.c emits this kind on little-endian hosts only */
            p += 4;
            continue;
        case VW_PB_FK_F64:
            if ((size_t)(end - p) < 8)
                goto generic;
            memcpy(dst, p, 8);
            p += 8;
            continue;
        case VW_PB_FK_BYTES:
        case VW_PB_FK_BYTES_ONEOF: {
            if (!(p = flen(p, end, &len1)))
                goto generic;
            ProtobufCBinaryData bd; /* points into the input (PB-D-14) */
            bd.len = len1;
            bd.data = (uint8_t *)(uintptr_t)p;
            memcpy(dst, &bd, sizeof bd);
            if (e->kind == VW_PB_FK_BYTES_ONEOF) {
                uint32_t id = t >> 3;
                memcpy((char *)msg + e->qoff, &id, 4);
            }
            p += len1;
            continue;
        }
        case VW_PB_FK_STRING: {
            /* checked first, so that a failure leaves no trace: the generic
             * decoder then reads the field again and reports it */
            if (!(p = flen(p, end, &len1)) || !vw_pb__utf8_valid(p, len1))
                goto generic;
            /* vw_pb__string_new()'s block: length, characters, NUL (len1 is
             * below 2^31, PB-D-6, so this cannot overflow) */
            size_t r = (len1 + sizeof(size_t) + VW_ARENA_ALIGN) & ~(size_t)(VW_ARENA_ALIGN - 1);
            if (r > a->cap - a->used)
                goto generic;
            char *s = vw_pb__string_new(a, p, len1);
            memcpy(dst, &s, sizeof s);
            p += len1;
            continue;
        }
        case VW_PB_FK_MSG:
        case VW_PB_FK_MSG_ONEOF:
        case VW_PB_FK_MSG_REP: {
            ProtobufCMessage *m;
            if (!(p = flen(p, end, &len1)) || F_UNLIKELY(sp >= VW_PB_MAX_DEPTH))
                goto generic;
            const ProtobufCMessageDescriptor *sub = msg->descriptor->fields[e->fidx].descriptor;
            char *qp = (char *)msg + e->qoff;
            if (e->kind == VW_PB_FK_MSG_REP) {
                /* sub_msg()/rep_next()/rep_reserve() of dec_msg(): room in
                 * the array unless n is 0 or a power of two >= 4. Both
                 * blocks are checked before either is taken. */
                size_t n;
                ProtobufCMessage **arr;
                memcpy(&n, qp, sizeof n);
                memcpy(&arr, dst, sizeof arr);
                if (F_UNLIKELY(n == 0 || (n >= 4 && (n & (n - 1)) == 0))) {
                    size_t c = fcap(n + 1);
                    ProtobufCMessage **na;
                    if (c > (SIZE_MAX / 2) / sizeof *na)
                        goto generic;
                    size_t r = (c * sizeof *na + (VW_ARENA_ALIGN - 1)) &
                               ~(size_t)(VW_ARENA_ALIGN - 1);
                    if (r > a->cap - a->used || e->sub->size > a->cap - a->used - r)
                        goto generic;
                    na = fbump(a, c * sizeof *na);
                    if (n)
                        memcpy(na, arr, n * sizeof *na);
                    arr = na;
                    memcpy(dst, &arr, sizeof arr);
                }
                if (!(m = fnew(a, sub, e->sub)))
                    goto generic;
                arr[n] = m;
                n++;
                memcpy(qp, &n, sizeof n);
            } else {
                memcpy(&m, dst, sizeof m);
                if (e->kind == VW_PB_FK_MSG_ONEOF) {
                    uint32_t id = t >> 3, c;
                    memcpy(&c, qp, 4);
                    if (!m || c != id) {
                        /* a new member: taken before the case changes */
                        if (!(m = fnew(a, sub, e->sub)))
                            goto generic;
                        memcpy(qp, &id, 4);
                        memcpy(dst, &m, sizeof m);
                    }
                } else if (!m) {
                    if (!(m = fnew(a, sub, e->sub)))
                        goto generic;
                    memcpy(dst, &m, sizeof m);
                }
            }
            stack[sp].msg = msg;
            stack[sp].end = end;
            tabs[sp] = tab;
            sp++;
            msg = m;
            tab = e->sub;
            end = p + len1;
            continue;
        }
        default:
            goto generic;
        }
    }
generic:
    /* Everything before tag_at was decoded as dec_msg() decodes it, and the
     * field at tag_at has left no trace: the generic decoder goes on there. */
    return vw_pb__decode_resume(desc, buf, len, a, used0, needed0, root, stack, sp, msg, tag_at,
                                end, out, off);
}
