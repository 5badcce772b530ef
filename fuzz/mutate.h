/* Structure-aware custom mutators for the fuzz targets.
 *
 * The generators are the differential fuzzer's (tools/conformance/fuzzgen.c,
 * one source); this layer knows each target's input format (fuzz_<name>.c:
 * one message, an IC message or packet, a config byte and records, a
 * deframer config with a chunk plan and a stream) and mutates the parts with
 * the generator that fits them: a record's packet with the IC layouts, a
 * crosvm datagram with the protobuf field trees or a message built from the
 * schema of its direction, a serial stream frame by frame. Records are also
 * dropped, repeated, swapped, spliced in from another input, re-typed and
 * added (a fresh request followed by a drain), so sessions reach negotiated
 * channels and started VMs in few steps.
 *
 * Two front ends: LLVMFuzzerCustomMutator / LLVMFuzzerCustomCrossOver
 * (fuzz/mutator_libfuzzer.c, linked into fuzz/fuzz_<name>_sm) and the AFL++
 * custom mutator library (fuzz/mutator_afl.c). Nothing here allocates or
 * keeps state: the scratch space is the caller's (struct fzm_work, about
 * 400 KiB; the libFuzzer front end keeps it on the stack). */
#ifndef VW_FUZZ_MUTATE_H
#define VW_FUZZ_MUTATE_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/fuzzgen.h"

enum fzm_format {
    FZM_PB,             /* one protobuf message (crosvm, serial) */
    FZM_IC_MESSAGE,     /* one IC message */
    FZM_IC_PACKET,      /* one IC pipe packet */
    FZM_IC_GUEST,       /* fuzz_ic_guest: config, records */
    FZM_IC_HOST,        /* fuzz_ic_host: config, records */
    FZM_CROSVM_MAIN,    /* fuzz_crosvm_main: config, records */
    FZM_SERIAL_DEFRAME, /* fuzz_serial_deframe: config, plan, stream */
};

struct fzm_target {
    const char *name;      /* fuzz_<name> */
    enum fzm_format format;
    int proto;             /* FZM_PB: 0..7 crosvm revision * 4 + kind, 8 GuestMessage, 9 VmmConfig */
};

#define FZM_MAX 70000 /* the largest input mutated structurally */

#define FZM_RECORDS 1024 /* records parsed per input; the rest is kept as it is */

struct fzm_rec {
    const uint8_t *p; /* its data */
    uint32_t len;
    uint8_t op;
};

struct fzm_work {
    struct vwfg_pb_work pb;
    uint8_t in[FZM_MAX];    /* a copy of the input */
    uint8_t other[FZM_MAX]; /* the input spliced from, or a copy of the input */
    uint8_t rec[FZM_MAX];   /* one record's data (or a stream), mutated */
    struct fzm_rec r1[FZM_RECORDS + 8], r2[FZM_RECORDS + 8];
};

/* The target of that name (fuzz_ic_guest, ...), or NULL. */
const struct fzm_target *fzm_target(const char *name);

/* The i-th target of the table (NULL past the end). */
const struct fzm_target *fzm_target_at(size_t i);

/* Mutate data[0..size) into data[0..max) and return the new size; 0 when
 * the input is larger than FZM_MAX (the caller mutates it otherwise). The
 * same (data, size, seed) give the same result. */
size_t fzm_mutate(const struct fzm_target *t, struct fzm_work *w, uint8_t *data, size_t size, size_t max,
                  uint64_t seed);

/* Combine two inputs into out[0..max): records or frames of the first
 * followed by those of the second, a message with a member of the other
 * merged in. Returns the size (0: nothing could be made). */
size_t fzm_crossover(const struct fzm_target *t, struct fzm_work *w, const uint8_t *d1, size_t s1,
                     const uint8_t *d2, size_t s2, uint8_t *out, size_t max, uint64_t seed);

#endif /* VW_FUZZ_MUTATE_H */
