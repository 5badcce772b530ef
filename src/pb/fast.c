/* Run-time pieces of the generated decoders (fast.h; the decoders themselves
 * are written by src/pb/gen_fast.c into fast_gen.c in the build tree).
 *
 * The generated code decodes the common field kinds of its schema: at
 * anything else (a tag byte without a case, a tag of two bytes or more, a
 * malformed or truncated value, a block the arena cannot give, nesting at
 * the limit) it hands the decode over to the generic decoder at the start of
 * that field, with dec_msg()'s stack of enclosing messages
 * (vw_pb__decode_resume()), so that every result, failures included, is the
 * generic decoder's. What it does for the fields it decodes must therefore be
 * exactly what dec_msg() does for the same bytes: the same stores, the same
 * arena requests in the same order (PB-M-2), the same merge and oneof rules
 * (PB-D-10, PB-D-11), and nothing at all for a field it hands over.
 * fuzz/fuzz_pb_fast.c and tests/test_pb_fast.c check that. */
#include <string.h>

#include "pb/fast.h"

const uint8_t *vw_pb__fvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
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

const uint8_t *vw_pb__flen(const uint8_t *p, const uint8_t *end, size_t *n)
{
    uint64_t v = 0;
    for (unsigned i = 0;; i++) {
        if (p >= end || (i == 4 && *p >= 8))
            return NULL;
        uint64_t b = *p++;
        v |= (b & 0x7f) << (7 * i);
        if (b < 0x80)
            break;
    }
    *n = (size_t)v;
    return p;
}

static size_t align_up(size_t n)
{
    return (n + (VW_ARENA_ALIGN - 1)) & ~(size_t)(VW_ARENA_ALIGN - 1);
}

ProtobufCMessage **vw_pb__fgrow(struct vw_pb_fctx *c, ProtobufCMessage **arr, size_t n,
                                size_t msg_size)
{
    struct vw_arena *a = c->a;
    size_t cap = 4; /* cap_of(n + 1) of decode.c */
    while (cap < n + 1)
        cap <<= 1;
    if (cap > (SIZE_MAX / 2) / sizeof *arr)
        return NULL;
    size_t r = align_up(cap * sizeof *arr);
    if (r > a->cap - a->used || msg_size > a->cap - a->used - r)
        return NULL;
    ProtobufCMessage **na = (ProtobufCMessage **)(void *)(a->base + a->used);
    a->used += r;
    a->needed += r;
    if (n)
        memcpy(na, arr, n * sizeof *na);
    return na;
}

char *vw_pb__fstring(struct vw_pb_fctx *c, const uint8_t *p, size_t n)
{
    /* vw_pb__string_new()'s block: length, characters, NUL (n is below 2^31,
     * PB-D-6, so this cannot overflow) */
    size_t r = align_up(n + sizeof(size_t) + 1);
    if (!vw_pb__utf8_valid(p, n) || r > c->a->cap - c->a->used)
        return NULL;
    return vw_pb__string_new(c->a, p, n);
}

vw_status vw_pb__fresume(struct vw_pb_fctx *c, const ProtobufCMessageDescriptor *desc,
                         const uint8_t *buf, size_t len, ProtobufCMessage *root,
                         ProtobufCMessage **out, size_t *off)
{
    return vw_pb__decode_resume(desc, buf, len, c->a, c->used0, c->needed0, root, c->stack, c->sp,
                                c->msg, c->p, c->end, out, off);
}

uint8_t *vw_pb__fsub_long(struct vw_pb__enc *e, uint8_t *p, uint8_t *body, uint8_t *q)
{
    size_t len = (size_t)(q - body), ls = vw_pb__vsize(len);
    if ((size_t)(e->end - q) < ls - 1)
        return NULL;
    memmove(p + ls, body, len);
    vw_pb__wv(p, len);
    return p + ls + len;
}
