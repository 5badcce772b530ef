/**
 * @file pb.h
 * @brief vmwire's protobuf engine over protobuf-c descriptors.
 *
 * A single-pass decoder and a canonical encoder for messages described by
 * protobuf-c's generated descriptors, writing and reading the very structs
 * that protoc-c generates. Unlike protobuf-c's own unpack, decoding follows
 * Google's protobuf semantics on every input (see spec/crosvm.md, rules
 * CV-PB-*): wrong wire types and groups are skipped as unknown fields,
 * repeated occurrences of a sub-message merge, the last oneof member wins,
 * packed and unpacked repeated scalars are both accepted, strings must be
 * valid UTF-8 and keep embedded NULs, and field number 0 is refused.
 *
 * Memory: no heap. Every block the decoder needs (the message structs,
 * repeated-field arrays, string copies) comes from the caller's ::vw_arena;
 * `bytes` fields point into the input buffer, which must outlive the message.
 * Strings are copied into the arena NUL-terminated, with their exact length
 * kept just before the characters (see vw_pb_string_len()).
 */
#ifndef VMWIRE_PB_H
#define VMWIRE_PB_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "vmwire/arena.h"
#include "vmwire/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Deepest message nesting vw_pb_decode() accepts (Google's default limit). */
#define VW_PB_MAX_DEPTH 100

/**
 * @brief Decode one protobuf message with Google's semantics.
 * @param desc descriptor of the message type (from protoc-c's output).
 * @param buf the encoded message; `bytes` fields of the result point into it.
 * @param len length of @p buf.
 * @param arena caller memory for the message; on ::VW_E_NOMEM,
 *        vw_arena_needed() says how much a retry needs (an upper bound: an
 *        arena of that size lets the same decode succeed). On other failures
 *        the arena is left as it was before the call.
 * @param out receives the message (valid until the arena is reset); NULL on failure.
 * @param off receives the bytes consumed on success, the offset of the fault otherwise
 *        (for ::VW_E_TRUNCATED, the end of the buffer or of the enclosing sub-message).
 *
 * The exact semantics, numbered PB-D-1.. and PB-M-1.., are listed in src/pb/README.md.
 * @return ::VW_OK, or ::VW_E_TRUNCATED, ::VW_E_BAD_VARINT, ::VW_E_BAD_WIRE_TYPE,
 *         ::VW_E_BAD_FIELD_NUMBER, ::VW_E_BAD_UTF8, ::VW_E_BAD_LENGTH, ::VW_E_TOO_DEEP,
 *         ::VW_E_NOMEM, ::VW_E_INVALID_ARG.
 */
vw_status vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       struct vw_arena *arena, ProtobufCMessage **out, size_t *off);

/**
 * @brief Encode a message canonically (fields in number order, packed repeated scalars).
 * @param msg the message (a protoc-c struct, or one vw_pb_decode() made).
 * @param out output buffer (may be NULL when @p cap is 0, to ask for the size).
 * @param cap size of @p out.
 * @param written receives the bytes written, or on ::VW_E_NOSPACE the size needed
 *        (then @p out is zeroed: no partial output).
 * @return ::VW_OK, ::VW_E_NOSPACE, or ::VW_E_INVALID_ARG (NULL arguments, or
 *         messages nested deeper than ::VW_PB_MAX_DEPTH, such as a pointer cycle).
 *
 * The output is byte for byte what Google's serializers produce (src/pb/README.md,
 * PB-E-1..): proto3 defaults of non-oneof fields left out, a set oneof member
 * always written. Strings of a message vw_pb_decode() produced are written with
 * their decoded length (embedded NULs kept); other strings are measured with strlen().
 */
vw_status vw_pb_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap, size_t *written);

/**
 * @brief Exact encoded size of @p msg as vw_pb_encode() writes it.
 * @param msg the message.
 * @return size in bytes.
 */
size_t vw_pb_encoded_size(const ProtobufCMessage *msg);

/**
 * @brief Length in bytes of a string field of a message vw_pb_decode() produced.
 *
 * protobuf-c strings are `char *`, so an embedded U+0000 would hide the rest
 * of the string from strlen(); vw_pb_decode() records the true length.
 * @param s a string pointer taken from a decoded message (not any other string).
 * @return the string's length in bytes, embedded NULs included.
 */
size_t vw_pb_string_len(const char *s);

/**
 * @brief Copy a string into an arena in the form vw_pb_decode() stores strings.
 *
 * The copy is NUL-terminated and carries its length, so a message marked with
 * vw_pb_message_mark() keeps embedded NULs when vw_pb_encode() writes it.
 * @param a the arena.
 * @param p the bytes (may be NULL when @p len is 0).
 * @param len their number.
 * @return the copy, or NULL when the arena is exhausted.
 */
char *vw_pb_string_new(struct vw_arena *a, const uint8_t *p, size_t len);

/**
 * @brief Mark a caller-built message as holding only vw_pb_string_new() strings.
 *
 * Call after `message_init` and before setting fields; vw_pb_encode() then
 * writes the message's strings with their stored lengths instead of strlen().
 * Uses the message's unknown-field slots (left empty).
 * @param m the message (NULL: nothing).
 */
void vw_pb_message_mark(ProtobufCMessage *m);

/**
 * @brief Length of a string field of @p m.
 * @param m the message holding @p s.
 * @param s the string: its stored length when @p m was decoded by
 *        vw_pb_decode() or marked with vw_pb_message_mark(), strlen() otherwise.
 * @return the length in bytes; 0 for NULL.
 */
size_t vw_pb_message_string_len(const ProtobufCMessage *m, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_PB_H */
