/* Internal to libvmwire: the per-schema fast decoder (src/pb/fast.c) and the
 * tag tables that src/pb/gen_fast.c generates at build time from protoc-c's
 * descriptors of the crosvm and serial schemas (README.md, "Generated tag
 * tables"). The generic vw_pb_decode() is the fallback and the oracle. */
#ifndef VW_PB_FAST_H
#define VW_PB_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "vmwire/pb.h"

/* What the fast decoder does with one tag byte of a message. Every kind
 * names the wire type the tag byte carries; VW_PB_FK_GENERIC hands the whole
 * decode to vw_pb_decode() (unknown fields, other wire types, field 0, oneof
 * scalars, repeated scalars, anything unusual). */
enum vw_pb_fast_kind {
    VW_PB_FK_GENERIC = 0,
    VW_PB_FK_V32,       /* int32, uint32, enum: wire type 0, low 32 bits stored */
    VW_PB_FK_V64,       /* int64, uint64: wire type 0 */
    VW_PB_FK_BOOL,      /* bool: wire type 0, stored as v != 0 */
    VW_PB_FK_S32,       /* sint32: wire type 0, zig-zag of the low 32 bits */
    VW_PB_FK_S64,       /* sint64: wire type 0, zig-zag */
    VW_PB_FK_F32,       /* fixed32, sfixed32, float: wire type 5 */
    VW_PB_FK_F64,       /* fixed64, sfixed64, double: wire type 1 */
    VW_PB_FK_BYTES,     /* bytes, not in a oneof: pointer into the input */
    VW_PB_FK_BYTES_ONEOF, /* bytes, oneof member: also sets the case */
    VW_PB_FK_STRING,    /* string, not in a oneof: UTF-8 checked, copied */
    VW_PB_FK_MSG,       /* singular message, not in a oneof: merged when present */
    VW_PB_FK_MSG_ONEOF, /* message, oneof member: merged when it is the case */
    VW_PB_FK_MSG_REP    /* repeated message: one element appended */
};

struct vw_pb_ftab;

/* One tag byte's entry. */
struct vw_pb_fent {
    const struct vw_pb_ftab *sub; /* message kinds: the sub-message's table */
    uint16_t off;                 /* the member (repeated: its array pointer) */
    uint16_t qoff;                /* oneof case, or repeated count */
    uint8_t kind;                 /* enum vw_pb_fast_kind */
    uint8_t fidx;                 /* index of the field in the descriptor */
    uint16_t spare;
};

/* The table of one message type: entries for the tag bytes 0..n-1 (n <= 128;
 * a tag byte at or above n is handed to vw_pb_decode()). */
struct vw_pb_ftab {
    const struct vw_pb_fent *ent;
    uint32_t n;
    uint32_t size; /* sizeof_message rounded up to VW_ARENA_ALIGN */
};

/* Generated (fast_tables.c in the build tree): the tables of the crosvm
 * top-level messages, [revision][kind] as enum vw_crosvm_revision and
 * enum vw_crosvm_kind, and of the serial messages, [enum vw_serial_kind]. */
extern const struct vw_pb_ftab *const vw_pb__fast_crosvm[2][4];
extern const struct vw_pb_ftab *const vw_pb__fast_serial[2];

/* vw_pb_decode() of @p desc through its generated table @p tab: the same
 * result, status, offset, message and arena accounting in every case. The
 * caller has checked the arguments (desc, arena, out, off non-NULL, buf
 * non-NULL or len 0). Falls back to vw_pb_decode() from the start on any
 * input the table does not cover, and on every failure. */
vw_status vw_pb__decode_fast(const ProtobufCMessageDescriptor *desc, const struct vw_pb_ftab *tab,
                             const uint8_t *buf, size_t len, struct vw_arena *arena,
                             ProtobufCMessage **out, size_t *off);

#endif /* VW_PB_FAST_H */
