/* Body of the crosvm message targets (fuzz_crosvm_<rev>_<kind>.c): one
 * message kind of one schema revision, decoded by vw_crosvm_decode().
 *
 * Properties:
 *  - decode succeeds with off == len, or fails with an input-fault status
 *    (or NOMEM), off <= len and no message;
 *  - NOMEM from a short arena is cured by an arena of vw_arena_needed() bytes;
 *  - encode: the size query, vw_pb_encoded_size() and the bytes written agree;
 *    a buffer one byte short gives NOSPACE with the size needed;
 *  - decode -> encode -> decode -> encode gives the same bytes (the canonical
 *    form is a fixed point) and vw_crosvm_validate() says the same of both;
 *  - a message that validates re-encodes within the kind's size limit;
 *  - differential: on inputs outside the known disagreement classes
 *    (pb_scan.h), protobuf-c's protobuf_c_message_unpack() accepts exactly
 *    when vw_crosvm_decode() does, and both canonical encodings are equal. */
#ifndef VW_FUZZ_CROSVM_MSG_H
#define VW_FUZZ_CROSVM_MSG_H

#include "vmwire/crosvm.h"
#include "vmwire/pb.h"

#include "fuzz.h"
#include "pb_scan.h"

#define FUZZ_ARENA_SIZE (16u << 20)
#define FUZZ_ENC_SIZE (4u << 20)

static unsigned char fuzz_arena_mem[FUZZ_ARENA_SIZE];
static unsigned char fuzz_arena_mem2[FUZZ_ARENA_SIZE];
static uint8_t fuzz_enc1[FUZZ_ENC_SIZE];
static uint8_t fuzz_enc2[FUZZ_ENC_SIZE];

static inline size_t fuzz_encode_checked(const ProtobufCMessage *m, uint8_t *out)
{
    size_t need = 0, wrote = 0;
    vw_status st = vw_crosvm_encode(m, NULL, 0, &need);
    FUZZ_CHECK(st == VW_E_NOSPACE || (st == VW_OK && need == 0));
    FUZZ_CHECK(need == vw_pb_encoded_size(m));
    FUZZ_CHECK(need <= FUZZ_ENC_SIZE);
    if (need > 0) {
        size_t short_need = 0;
        FUZZ_CHECK_STATUS(vw_crosvm_encode(m, out, need - 1, &short_need), VW_E_NOSPACE);
        FUZZ_CHECK(short_need == need);
    }
    FUZZ_CHECK_STATUS(vw_crosvm_encode(m, out, FUZZ_ENC_SIZE, &wrote), VW_OK);
    FUZZ_CHECK(wrote == need);
    return wrote;
}

static inline size_t fuzz_crosvm_limit(enum vw_crosvm_kind kind)
{
    return kind == VW_CROSVM_MAIN_REQUEST ? VW_CROSVM_MAX_MAIN_REQUEST : VW_CROSVM_MAX_MESSAGE;
}

static inline void fuzz_crosvm_message(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind,
                                const uint8_t *data, size_t size)
{
    struct vw_arena a;
    ProtobufCMessage *m = NULL;
    size_t off = (size_t)-1;
    vw_arena_init(&a, fuzz_arena_mem, sizeof fuzz_arena_mem);
    vw_status st = vw_crosvm_decode(rev, kind, data, size, &a, &m, &off);
    FUZZ_CHECK(fuzz_status_known(st));

    /* differential against protobuf-c's own unpack */
    const ProtobufCMessageDescriptor *desc = vw_crosvm_descriptor(rev, kind);
    FUZZ_CHECK(desc != NULL);
    struct pbscan sc = pbscan(desc, data, size);
    ProtobufCMessage *pc = NULL;
    if (!sc.dirty && st != VW_E_NOMEM) {
        pc = protobuf_c_message_unpack(desc, NULL, size, data);
        if ((pc != NULL) != (st == VW_OK))
            FUZZ_FAIL("vw_crosvm_decode says %s, protobuf-c %s", vw_status_name(st),
                      pc ? "accepts" : "rejects");
        if (sc.malformed)
            FUZZ_CHECK(st != VW_OK);
    }

    if (st != VW_OK) {
        FUZZ_CHECK(m == NULL);
        FUZZ_CHECK(off <= size);
        FUZZ_CHECK(fuzz_status_is_input_fault(st) || st == VW_E_NOMEM);
        if (pc)
            protobuf_c_message_free_unpacked(pc, NULL);
        return;
    }
    FUZZ_CHECK(m != NULL);
    FUZZ_CHECK(off == size);

    size_t n1 = fuzz_encode_checked(m, fuzz_enc1);
    if (pc) {
        size_t n3 = fuzz_encode_checked(pc, fuzz_enc2);
        FUZZ_CHECK_BYTES(fuzz_enc1, n1, fuzz_enc2, n3);
        protobuf_c_message_free_unpacked(pc, NULL);
    }

    /* the canonical form is a fixed point */
    struct vw_arena a2;
    ProtobufCMessage *m2 = NULL;
    size_t off2 = 0;
    vw_arena_init(&a2, fuzz_arena_mem2, sizeof fuzz_arena_mem2);
    FUZZ_CHECK_STATUS(vw_crosvm_decode(rev, kind, fuzz_enc1, n1, &a2, &m2, &off2), VW_OK);
    FUZZ_CHECK(off2 == n1);
    size_t n2 = fuzz_encode_checked(m2, fuzz_enc2);
    FUZZ_CHECK_BYTES(fuzz_enc1, n1, fuzz_enc2, n2);

    /* the rules judge the value, not its spelling */
    vw_status v1 = vw_crosvm_validate(rev, kind, m, size);
    vw_status v2 = vw_crosvm_validate(rev, kind, m2, size);
    FUZZ_CHECK(fuzz_status_known(v1));
    FUZZ_CHECK_STATUS(v1, v2);
    if (v1 == VW_OK)
        FUZZ_CHECK(n1 <= fuzz_crosvm_limit(kind));

    /* a short arena fails cleanly and says how much is enough */
    size_t used = vw_arena_used(&a);
    if (used > 0) {
        vw_arena_init(&a2, fuzz_arena_mem2, used / 2);
        m2 = NULL;
        st = vw_crosvm_decode(rev, kind, data, size, &a2, &m2, &off2);
        if (st == VW_E_NOMEM) {
            FUZZ_CHECK(m2 == NULL);
            size_t need = vw_arena_needed(&a2);
            FUZZ_CHECK(need > used / 2 && need <= sizeof fuzz_arena_mem2);
            vw_arena_init(&a2, fuzz_arena_mem2, need);
            FUZZ_CHECK_STATUS(vw_crosvm_decode(rev, kind, data, size, &a2, &m2, &off2), VW_OK);
        } else {
            FUZZ_CHECK_STATUS(st, VW_OK);
        }
        size_t n4 = fuzz_encode_checked(m2, fuzz_enc2);
        FUZZ_CHECK_BYTES(fuzz_enc1, n1, fuzz_enc2, n4);
    }
}

#endif /* VW_FUZZ_CROSVM_MSG_H */
