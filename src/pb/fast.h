/* Internal to libvmwire: the per-schema fast decoders of the crosvm and
 * serial schemas, generated at build time by src/pb/gen_fast.c from
 * protoc-c's descriptors (fast_gen.c in the build tree), and the run-time
 * pieces they share (src/pb/fast.c). See README.md, "Generated decoders".
 * The generic vw_pb_decode() is their fallback and their oracle. */
#ifndef VW_PB_FAST_H
#define VW_PB_FAST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pb/internal.h"
#include "vmwire/arena.h"
#include "vmwire/pb.h"

#if defined(__GNUC__)
#define VW_F_LIKELY(x) __builtin_expect(!!(x), 1)
#define VW_F_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VW_F_MAYBE_UNUSED __attribute__((unused))
#else
#define VW_F_LIKELY(x) (x)
#define VW_F_UNLIKELY(x) (x)
#define VW_F_MAYBE_UNUSED
#endif

/* A generated decoder of one top-level message: vw_pb_decode() of that
 * message's descriptor, the same result in every case (status, offset,
 * message, arena counters). The caller has checked the arguments (arena,
 * out, off non-NULL; buf non-NULL or len 0). */
typedef vw_status (*vw_pb_fast_fn)(const uint8_t *buf, size_t len, struct vw_arena *a,
                                   ProtobufCMessage **out, size_t *off);

/* [enum vw_crosvm_revision][enum vw_crosvm_kind], and [enum vw_serial_kind]. */
extern const vw_pb_fast_fn vw_pb__fast_crosvm[2][4];
extern const vw_pb_fast_fn vw_pb__fast_serial[2];

/* The generated encoders: vw_pb_encode() of @p msg, the same result in
 * every case (status, bytes, *written). One of the crosvm top-level
 * messages (either revision) or of the serial ones is written by the code
 * generated for its type; any other message, a size query (@p out NULL),
 * and every failure are vw_pb_encode()'s. The caller has checked that
 * @p msg and @p written are not NULL. */
vw_status vw_pb__fenc_crosvm(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                             size_t *written);
vw_status vw_pb__fenc_serial(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                             size_t *written);

/* For the generated encoders: a sub-message body of 128 bytes or more at
 * [body, q), written behind a one-byte prefix at @p p, moved up behind its
 * full length prefix (put_sub() of encode.c); the end, or NULL when the
 * longer prefix does not fit. */
uint8_t *vw_pb__fsub_long(struct vw_pb__enc *e, uint8_t *p, uint8_t *body, uint8_t *q);

/* Length of string @p s of message @p m (vw_pb__strlen(), inline). */
static inline size_t vw_pb__fstrlen(const ProtobufCMessage *m, const char *s)
{
    if (!s)
        return 0;
    if (m->unknown_fields == &vw_pb__decoded_marker)
        return vw_pb_string_len(s);
    return strlen(s);
}

/* State of one generated decode. The generated code decodes the fields it
 * knows exactly as dec_msg() does; at any other field it records where it is
 * (the message, the field's tag, the end of the message, and on the way back
 * up the enclosing messages in stack[], dec_msg()'s own stack) and the
 * generic decoder goes on from there (vw_pb__fresume()). */
struct vw_pb_fctx {
    struct vw_arena *a;
    size_t used0, needed0; /* the arena's counters before the decode */
    ProtobufCMessage *msg;
    const uint8_t *p, *end;
    unsigned sp;
    struct vw_pb__frame stack[VW_PB_MAX_DEPTH];
};

/* Out of line: a varint of three bytes or more (at most 10, bits above 63
 * dropped) before @p end, or NULL; a length prefix of two bytes or more (at
 * most 5, below 2^31), or NULL (the caller checks that the length fits). */
const uint8_t *vw_pb__fvarint(const uint8_t *p, const uint8_t *end, uint64_t *v);
const uint8_t *vw_pb__flen(const uint8_t *p, const uint8_t *end, size_t *n);
/* The array of a repeated message field grown for element @p n (rep_reserve()
 * of dec_msg()), or NULL, the arena untouched, when the array and a message
 * block of @p msg_size bytes do not both fit. */
ProtobufCMessage **vw_pb__fgrow(struct vw_pb_fctx *c, ProtobufCMessage **arr, size_t n,
                                size_t msg_size);
/* A checked string copy (PB-D-12, vw_pb__string_new()), or NULL, the arena
 * untouched, for bad UTF-8 or no room. */
char *vw_pb__fstring(struct vw_pb_fctx *c, const uint8_t *p, size_t n);
/* The generic decoder from the recorded point on. */
vw_status vw_pb__fresume(struct vw_pb_fctx *c, const ProtobufCMessageDescriptor *desc,
                         const uint8_t *buf, size_t len, ProtobufCMessage *root,
                         ProtobufCMessage **out, size_t *off);

/* Record the field where the generated code stops. */
static inline const uint8_t *vw_pb__fbail(struct vw_pb_fctx *c, ProtobufCMessage *msg,
                                          const uint8_t *tag_at, const uint8_t *end, unsigned depth)
{
    c->msg = msg;
    c->p = tag_at;
    c->end = end;
    c->sp = depth;
    return NULL;
}

/* Record an enclosing message on the way back up. */
static inline const uint8_t *vw_pb__fup(struct vw_pb_fctx *c, ProtobufCMessage *msg,
                                        const uint8_t *end, unsigned depth)
{
    c->stack[depth].msg = msg;
    c->stack[depth].end = end;
    return NULL;
}

/* For the generated code (a `bail` label in scope): a varint, a length that
 * must fit, a new message of a block of SIZE bytes (sizeof_message rounded up
 * to VW_ARENA_ALIGN) initialised from protoc-c's INIT template. */
#define VW_F_VARINT(P, END, V)                                                       \
    do {                                                                             \
        if (VW_F_LIKELY((P) < (END)) && (P)[0] < 0x80) {                             \
            (V) = (P)[0];                                                            \
            (P)++;                                                                   \
        } else if ((END) - (P) >= 2 && (P)[1] < 0x80) {                              \
            (V) = (uint64_t)((P)[0] & 0x7f) | (uint64_t)(P)[1] << 7;                 \
            (P) += 2;                                                                \
        } else if (!((P) = vw_pb__fvarint((P), (END), &(V)))) {                      \
            goto bail;                                                               \
        }                                                                            \
    } while (0)

#define VW_F_LEN(P, END, N)                                                          \
    do {                                                                             \
        if (VW_F_LIKELY((P) < (END)) && (P)[0] < 0x80) {                             \
            (N) = (P)[0];                                                            \
            (P)++;                                                                   \
        } else if (!((P) = vw_pb__flen((P), (END), &(N)))) {                         \
            goto bail;                                                               \
        }                                                                            \
        if (VW_F_UNLIKELY((N) > (size_t)((END) - (P))))                              \
            goto bail;                                                               \
    } while (0)

#define VW_F_NEW(A, M, SIZE, TYPE, INIT)                                             \
    do {                                                                             \
        struct vw_arena *a_ = (A);                                                   \
        static const TYPE tmpl_ = INIT;                                              \
        if (VW_F_UNLIKELY((size_t)(SIZE) > a_->cap - a_->used))                      \
            goto bail;                                                               \
        (M) = (ProtobufCMessage *)(void *)(a_->base + a_->used);                     \
        a_->used += (SIZE);                                                          \
        a_->needed += (SIZE);                                                        \
        memcpy((M), &tmpl_, sizeof tmpl_);                                           \
        vw_pb__mark(M);                                                              \
    } while (0)

#endif /* VW_PB_FAST_H */
