/* Differential check of vmwire's protobuf engine against protobuf-c's own
 * unpack (see pb_scan.h for which inputs are compared): on a clean input
 * both decoders accept or both reject, and when both accept, the canonical
 * encodings (vw_pb_encode) of the two decoded structs are equal. */
#ifndef VW_FUZZ_PB_DIFF_H
#define VW_FUZZ_PB_DIFF_H

#include "vmwire/pb.h"

#include "fuzz.h"
#include "pb_scan.h"

static inline void fuzz_pb_differential(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                                        size_t size, struct vw_arena *arena, uint8_t *e1,
                                        uint8_t *e2, size_t cap)
{
    struct pbscan sc = pbscan(desc, data, size);
    if (sc.dirty)
        return;
    ProtobufCMessage *m = NULL;
    size_t off = 0;
    vw_status st = vw_pb_decode(desc, data, size, arena, &m, &off);
    FUZZ_CHECK(fuzz_status_known(st));
    if (st == VW_E_NOMEM)
        return;
    ProtobufCMessage *pc = protobuf_c_message_unpack(desc, NULL, size, data);
    if ((pc != NULL) != (st == VW_OK))
        FUZZ_FAIL("vw_pb_decode says %s, protobuf-c %s", vw_status_name(st),
                  pc ? "accepts" : "rejects");
    if (sc.malformed)
        FUZZ_CHECK(st != VW_OK);
    if (pc) {
        /* A message of up to 64 KiB of input can need more than the
         * harness's buffers: then the two sizes needed are compared. */
        size_t n1 = 0, n2 = 0;
        vw_status s1 = vw_pb_encode(m, e1, cap, &n1);
        if (s1 != VW_OK && s1 != VW_E_NOSPACE)
            FUZZ_FAIL("vw_pb_encode of the decoded message: %s", vw_status_name(s1));
        FUZZ_CHECK_STATUS(vw_pb_encode(pc, e2, cap, &n2), s1);
        FUZZ_CHECK(n1 == n2);
        if (s1 == VW_OK)
            FUZZ_CHECK_BYTES(e1, n1, e2, n2);
        protobuf_c_message_free_unpacked(pc, NULL);
    }
}

#endif /* VW_FUZZ_PB_DIFF_H */
