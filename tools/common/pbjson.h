/* Tools only: protobuf's canonical proto3 JSON mapping for protoc-c messages,
 * and the decode/encode request handlers the crosvm and serial testee
 * handlers share. Tools may allocate; messages built from JSON live in the
 * caller's vw_arena. */
#ifndef VWT_PBJSON_H
#define VWT_PBJSON_H

#include <stddef.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "vmwire/arena.h"
#include "vmwire/pb.h"

/* Canonical proto3 JSON of @p m (a new object; NULL on allocation failure):
 * lowerCamelCase names (protobuf's ToJsonName, so `errno_` is `errno`),
 * 64-bit integers as decimal strings, bytes as padded standard base64, enums
 * by name (unknown values as numbers), floats as numbers or "NaN",
 * "Infinity", "-Infinity"; proto3 default values and empty repeated fields
 * are left out, a set oneof member is always shown. */
json_t *vwt_pb_to_json(const ProtobufCMessage *m);

/* Build a message of type @p desc from its proto3 JSON @p json, allocating
 * from @p arena (strings are length-prefixed, so embedded NULs survive
 * vw_pb_encode()). Accepts what Google's JSON parser accepts for these types:
 * field names in lowerCamelCase or as in the .proto, numbers or numeric
 * strings for integers, enum names or numbers, null for "not set", standard
 * or URL-safe base64 with or without padding. Returns 0, or -1 with a reason
 * in @p err (@p errlen bytes). */
int vwt_pb_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json,
                     struct vw_arena *arena, ProtobufCMessage **msg, char *err, size_t errlen);

/* Testee handler for `decode`: req.input is hex; answers valid + JSON of the
 * decoded message, or invalid + the decoder's status. */
json_t *vwt_pb_decode_request(const ProtobufCMessageDescriptor *d, const json_t *req);

/* Testee handler for `encode`: req.input is the message's JSON; answers
 * valid + hex of vw_pb_encode(), or skipped when the JSON does not describe
 * a message of type @p d. */
json_t *vwt_pb_encode_request(const ProtobufCMessageDescriptor *d, const json_t *req);

/* An encoder with vw_pb_encode()'s contract (vw_pb_encode, vw_crosvm_encode). */
typedef vw_status (*vwt_pb_encoder)(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                                    size_t *written);

/* vwt_pb_encode_request() with the bytes written by @p enc: a protocol's own
 * entry point, so that the vectors reach the encoders it uses. Unless @p enc
 * is vw_pb_encode, the message is also encoded by vw_pb_encode(), whose
 * result every encoder of the library must give (src/pb/README.md); when
 * status, size or bytes differ, the answer is skipped, naming the
 * disagreement, so the vectors check both encoders. */
json_t *vwt_pb_encode_request_with(const ProtobufCMessageDescriptor *d, const json_t *req,
                                   vwt_pb_encoder enc);

/* Find the descriptor named @p full_name ("pkg.Msg" or "pkg.Msg.Nested")
 * among @p roots and every message type reachable from their fields. */
const ProtobufCMessageDescriptor *vwt_pb_find_descriptor(const ProtobufCMessageDescriptor *const *roots,
                                                         size_t n, const char *full_name);

#endif /* VWT_PBJSON_H */
