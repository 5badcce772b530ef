/* The differential check of the generated decoders (src/pb/gen_fast.c)
 * against the generic vw_pb_decode(), its oracle: on the same bytes and two
 * arenas of the same size, both must give the same status, the same fault
 * offset, the same arena counters (used and needed), and, on success,
 * messages that re-encode to the same bytes. Shared by fuzz/fuzz_pb_fast.c
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
    (void)vw_pb_decode(desc, data, size, &a, &m, &off);
    size_t need = vw_arena_needed(&a);
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
