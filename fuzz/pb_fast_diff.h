/* The differential check of the generated decoders (src/pb/gen_fast.c)
 * against the generic vw_pb_decode(), its oracle: on the same bytes and two
 * arenas of the same size, both must give the same status, the same fault
 * offset, the same arena counters (used and needed), and, on success,
 * messages that re-encode to the same bytes. Then the generated encoders
 * against vw_pb_encode() on the decoded message: the same status, *written
 * and buffer contents (up to 16 bytes past the capacity: nothing written
 * there) with room to spare, at the exact size, at every shorter capacity
 * (VW_E_NOSPACE: the buffer cleared), for the size query, and with the
 * top-level message unmarked (strings measured with strlen()). Shared by fuzz/fuzz_pb_fast.c
 * and tests/test_pb_fast.c. Root r: 0..7 crosvm (revision r / 4, kind r % 4),
 * 8 and 9 serial GuestMessage and VmmConfig. */
#ifndef VW_FUZZ_PB_FAST_DIFF_H
#define VW_FUZZ_PB_FAST_DIFF_H

#include <stdio.h>
#include <string.h>

#include "pb/fast.h"
#include "vmwire/crosvm.h"
#include "vmwire/pb.h"
#include "vmwire/serial.h"

#define PBF_ROOTS 10u
#define PBF_MEM (1u << 20)

static unsigned char pbf_mem1[PBF_MEM], pbf_mem2[PBF_MEM];
static uint8_t pbf_enc1[PBF_MEM], pbf_enc2[PBF_MEM];

static inline const ProtobufCMessageDescriptor *pbf_desc(unsigned r, vw_pb_fast_fn *tab)
{
    if (r < 8) {
        *tab = vw_pb__fast_crosvm[r / 4][r % 4];
        return vw_crosvm_descriptor((enum vw_crosvm_revision)(r / 4), (enum vw_crosvm_kind)(r % 4));
    }
    *tab = vw_pb__fast_serial[r - 8];
    return vw_serial_descriptor((enum vw_serial_kind)(r - 8));
}

/* 0 when both decoders agree on @p data with arenas of @p arena_size bytes
 * (at most PBF_MEM); else 1 and a reason in @p why. */
static inline int pbf_diff(unsigned r, size_t arena_size, const uint8_t *data, size_t size,
                           char *why, size_t whylen)
{
    vw_pb_fast_fn tab;
    const ProtobufCMessageDescriptor *desc = pbf_desc(r % PBF_ROOTS, &tab);
    struct vw_arena a1, a2;
    ProtobufCMessage *m1 = NULL, *m2 = NULL;
    size_t off1 = 7, off2 = 7;
    if (arena_size > PBF_MEM)
        arena_size = PBF_MEM;
    /* different garbage in the two arenas: nothing may depend on it */
    memset(pbf_mem1, 0xa5, arena_size);
    memset(pbf_mem2, 0x5a, arena_size);
    vw_arena_init(&a1, pbf_mem1, arena_size);
    vw_arena_init(&a2, pbf_mem2, arena_size);
    vw_status s1 = tab(data, size, &a1, &m1, &off1);
    vw_status s2 = vw_pb_decode(desc, data, size, &a2, &m2, &off2);
    if (s1 != s2 || off1 != off2) {
        snprintf(why, whylen, "%s: fast %s at %zu, generic %s at %zu", desc->name,
                 vw_status_name(s1), off1, vw_status_name(s2), off2);
        return 1;
    }
    if (a1.used != a2.used || a1.needed != a2.needed) {
        snprintf(why, whylen, "%s: arena used/needed fast %zu/%zu, generic %zu/%zu", desc->name,
                 a1.used, a1.needed, a2.used, a2.needed);
        return 1;
    }
    if ((m1 == NULL) != (s1 != VW_OK) || (m2 == NULL) != (s2 != VW_OK)) {
        snprintf(why, whylen, "%s: message pointer and status disagree", desc->name);
        return 1;
    }
    if (s1 != VW_OK)
        return 0;
    size_t w1 = 0, w2 = 0;
    vw_status e1 = vw_pb_encode(m1, pbf_enc1, sizeof pbf_enc1, &w1);
    vw_status e2 = vw_pb_encode(m2, pbf_enc2, sizeof pbf_enc2, &w2);
    if (e1 != e2 || w1 != w2 || (e1 == VW_OK && memcmp(pbf_enc1, pbf_enc2, w1) != 0)) {
        snprintf(why, whylen, "%s: re-encoded messages differ (%zu and %zu bytes)", desc->name, w1,
                 w2);
        return 1;
    }
    return 0;
}

#define PBF_GUARD 16u

static inline vw_status pbf_fenc(unsigned r, const ProtobufCMessage *m, uint8_t *out, size_t cap,
                                 size_t *written)
{
    return r < 8 ? vw_pb__fenc_crosvm(m, out, cap, written) : vw_pb__fenc_serial(m, out, cap, written);
}

/* 0 when the generated and the generic encoder of root @p r agree on @p m
 * at capacity @p cap (at most PBF_MEM - PBF_GUARD); @p cap SIZE_MAX: the
 * size query (no buffer). */
static inline int pbf_enc_diff(unsigned r, const ProtobufCMessage *m, size_t cap, char *why,
                               size_t whylen)
{
    int query = cap == SIZE_MAX;
    size_t w1 = 7, w2 = 7, span = query ? PBF_GUARD : cap + PBF_GUARD;
    memset(pbf_enc1, 0xa5, span);
    memset(pbf_enc2, 0xa5, span);
    vw_status e1 = pbf_fenc(r, m, query ? NULL : pbf_enc1, query ? 0 : cap, &w1);
    vw_status e2 = vw_pb_encode(m, query ? NULL : pbf_enc2, query ? 0 : cap, &w2);
    if (e1 != e2 || w1 != w2 || memcmp(pbf_enc1, pbf_enc2, span) != 0) {
        snprintf(why, whylen, "%s: encode at capacity %zu: generated %s (%zu), generic %s (%zu)%s",
                 m->descriptor->name, query ? 0 : cap, vw_status_name(e1), w1, vw_status_name(e2), w2,
                 e1 == e2 && w1 == w2 ? ", bytes differ" : "");
        return 1;
    }
    return 0;
}

/* The encoders on the message @p m of root @p r at every interesting
 * capacity. */
static inline int pbf_enc_diffs(unsigned r, const ProtobufCMessage *m, char *why, size_t whylen)
{
    size_t w = 0;
    if (vw_pb_encode(m, pbf_enc2, PBF_MEM - PBF_GUARD, &w) != VW_OK || w > PBF_MEM - 64)
        return 0; /* too large for these buffers */
    if (pbf_enc_diff(r, m, SIZE_MAX, why, whylen) || pbf_enc_diff(r, m, w + 32, why, whylen) ||
        pbf_enc_diff(r, m, w, why, whylen))
        return 1;
    for (size_t cap = 0; cap < w; cap += cap < 300 || w - cap < 40 ? 1 : 1 + cap / 8)
        if (pbf_enc_diff(r, m, cap, why, whylen))
            return 1;
    return 0;
}

/* pbf_diff() with a roomy arena, the exact size the generic decode needed,
 * and a few sizes around and below it (the arena-exhaustion paths). */
static inline int pbf_diff_sizes(unsigned r, const uint8_t *data, size_t size, char *why,
                                 size_t whylen)
{
    if (pbf_diff(r, PBF_MEM, data, size, why, whylen))
        return 1;
    vw_pb_fast_fn tab;
    const ProtobufCMessageDescriptor *desc = pbf_desc(r % PBF_ROOTS, &tab);
    struct vw_arena a;
    ProtobufCMessage *m;
    size_t off;
    vw_arena_init(&a, pbf_mem2, PBF_MEM);
    vw_status st = vw_pb_decode(desc, data, size, &a, &m, &off);
    size_t need = vw_arena_needed(&a);
    if (st == VW_OK) {
        if (pbf_enc_diffs(r % PBF_ROOTS, m, why, whylen))
            return 1;
        /* the same message as if built by other code: strings by strlen() */
        m->unknown_fields = NULL;
        if (pbf_enc_diffs(r % PBF_ROOTS, m, why, whylen))
            return 1;
    }
    const size_t less[] = { 0, 1, 16, 17, 32, 48, 100 };
    for (unsigned i = 0; i < sizeof less / sizeof less[0]; i++)
        if (less[i] <= need && pbf_diff(r, need - less[i], data, size, why, whylen))
            return 1;
    for (size_t k = 0; k < need && k < 4096; k += 16 + k / 4)
        if (pbf_diff(r, k, data, size, why, whylen))
            return 1;
    return 0;
}

#endif /* VW_FUZZ_PB_FAST_DIFF_H */
