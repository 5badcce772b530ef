/* Internal to libvmwire and its tools: pieces of the protobuf engine that the
 * decoder, the encoder and the JSON mapping (tools/common/pbjson.c) share. */
#ifndef VW_PB_INTERNAL_H
#define VW_PB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vmwire/pb.h"

/* Marker stored in ProtobufCMessage.unknown_fields (with n_unknown_fields 0)
 * of every message vw_pb_decode() (or vw_pb__mark()) produced: it says that
 * every string of the message carries its length just before its first byte
 * (see vw_pb__string_new()). protobuf-c never dereferences unknown_fields
 * when n_unknown_fields is 0. Messages built by other code lack the marker
 * and their strings are measured with strlen(). */
extern const ProtobufCMessageUnknownField vw_pb__decoded_marker;

/* Mark @p m as holding only length-prefixed strings. */
static inline void vw_pb__mark(ProtobufCMessage *m)
{
    m->n_unknown_fields = 0;
    m->unknown_fields = (ProtobufCMessageUnknownField *)(uintptr_t)&vw_pb__decoded_marker;
}

/* Copy @p len bytes into the arena as a NUL-terminated string with its length
 * stored just before it. NULL when the arena is exhausted. */
char *vw_pb__string_new(struct vw_arena *a, const uint8_t *p, size_t len);

/* Length of string @p s of message @p m: the stored length if @p m is marked,
 * strlen() otherwise; 0 for NULL. */
size_t vw_pb__strlen(const ProtobufCMessage *m, const char *s);

/* Wire type of a ProtobufCType (7, invalid, for an unknown type). */
static inline int vw_pb__wire_type(ProtobufCType t)
{
    static const uint8_t tab[17] = { 0, 0, 5, 0, 0, 1, 0, 5, 0, 1, 5, 1, 0, 0, 2, 2, 2 };
    return (unsigned)t < 17 ? tab[t] : 7;
}

/* Size of one element of a ProtobufCType in a protoc-c struct or array. */
static inline size_t vw_pb__elem_size(ProtobufCType t)
{
    static const uint8_t tab[17] = {
        4, 4, 4, 8, 8, 8, 4, 4, 8, 8, 4, 8, sizeof(protobuf_c_boolean), 4, sizeof(char *),
        sizeof(ProtobufCBinaryData), sizeof(ProtobufCMessage *),
    };
    return (unsigned)t < 17 ? tab[t] : 8;
}

/* Most bytes the value of a varint-typed field of type @p t takes; 0 when
 * @p t is not a varint type (fixed-width, length-delimited or unknown).
 * int32 and enum count 10: negative values are sign-extended (PB-E-4). */
static inline size_t vw_pb__max_varint(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_BOOL:
        return 1;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_SINT32:
        return 5;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_SINT64:
        return 10;
    default:
        return 0;
    }
}

/* Field of @p desc with number @p id, or NULL (field_ranges lookup). */
const ProtobufCFieldDescriptor *vw_pb__field_by_id(const ProtobufCMessageDescriptor *desc,
                                                   uint32_t id);

/* 1 if a proto3 UTF-8 check accepts p[0..len). */
int vw_pb__utf8_valid(const uint8_t *p, size_t len);

/* A message the decoder has entered and will return to: the message and
 * the end of its bytes (dec_msg()'s stack, VW_PB_MAX_DEPTH frames). */
struct vw_pb__frame {
    ProtobufCMessage *msg;
    const uint8_t *end;
};

/* Continue a decode that another decoder (src/pb/fast.c) began exactly as
 * vw_pb_decode() would have: @p root is the top-level message, @p msg the
 * message being decoded at @p p (its bytes end at @p end), stack[0..sp) the
 * messages it is nested in, used0/needed0 the arena's counters before the
 * decode. @p buf is not NULL. Same results as vw_pb_decode() from the
 * start, provided that everything up to @p p was decoded as dec_msg() does. */
vw_status vw_pb__decode_resume(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                               size_t len, struct vw_arena *arena, size_t used0, size_t needed0,
                               ProtobufCMessage *root, struct vw_pb__frame *stack, unsigned sp,
                               ProtobufCMessage *msg, const uint8_t *p, const uint8_t *end,
                               ProtobufCMessage **out, size_t *off);

/* ---- writers shared by the generic encoder (encode.c) and the generated
 * ones (fast.h) ---------------------------------------------------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define VW_PB_LE_HOST 1 /* host integers are laid out as the wire's fixed32/fixed64 */
#endif

#include <string.h>

/* Bytes in the varint of @p v (1..10). */
static inline size_t vw_pb__vsize(uint64_t v)
{
#if defined(__GNUC__)
    /* floor(log2 v) = b gives ceil((b + 1) / 7) bytes; (9b + 73) / 64 equals
     * that for every b in 0..63 and needs no division. */
    return (size_t)((((unsigned)63 - (unsigned)__builtin_clzll(v | 1)) * 9u + 73u) >> 6);
#else
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
#endif
}

/* The unchecked writers below store exactly the bytes they return past;
 * the caller has made sure that they fit. */
static inline uint8_t *vw_pb__wv(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *vw_pb__w32(uint8_t *p, uint32_t v)
{
#ifdef VW_PB_LE_HOST
    memcpy(p, &v, 4);
#else
    for (int i = 0; i < 4; i++, v >>= 8)
        p[i] = (uint8_t)v;
#endif
    return p + 4;
}

static inline uint8_t *vw_pb__w64(uint8_t *p, uint64_t v)
{
#ifdef VW_PB_LE_HOST
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
#endif
    return p + 8;
}

/* Copy @p n bytes; short copies are done inline instead of through a call. */
static inline void vw_pb__copy_bytes(uint8_t *p, const uint8_t *s, size_t n)
{
    if (n > 16) {
        memcpy(p, s, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(p, &a, 8);
        memcpy(p + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(p, &a, 4);
        memcpy(p + n - 4, &b, 4);
    } else if (n >= 2) {
        uint16_t a, b;
        memcpy(&a, s, 2);
        memcpy(&b, s + n - 2, 2);
        memcpy(p, &a, 2);
        memcpy(p + n - 2, &b, 2);
    } else if (n) {
        *p = *s;
    }
}


/* State of one encode: the end of the caller's buffer and why the encoder
 * stopped (VW_PB__ENC_NOSPACE or VW_PB__ENC_INVALID). */
struct vw_pb__enc {
    uint8_t *end;
    int err;
};
enum { VW_PB__ENC_NOSPACE = 1, VW_PB__ENC_INVALID = 2 };

/* Field @p f of message @p m (nested @p depth levels below the top) as the
 * generic encoder writes it at @p p: the end of what was written (@p p when
 * the field is absent), or NULL with e->err set. */
uint8_t *vw_pb__enc_field(struct vw_pb__enc *e, uint8_t *p, const ProtobufCMessage *m,
                          const ProtobufCFieldDescriptor *f, unsigned depth);

#endif /* VW_PB_INTERNAL_H */
