/* The public form of the string helpers the protobuf engine keeps internal
 * (src/pb/internal.h), for code outside libvmwire that builds messages
 * vw_pb_encode() writes with their true string lengths (tools/common/pbjson.c). */
#include "pb/internal.h"

char *vw_pb_string_new(struct vw_arena *a, const uint8_t *p, size_t len)
{
    return vw_pb__string_new(a, p, len);
}

void vw_pb_message_mark(ProtobufCMessage *m)
{
    if (m)
        vw_pb__mark(m);
}

size_t vw_pb_message_string_len(const ProtobufCMessage *m, const char *s)
{
    return vw_pb__strlen(m, s);
}
