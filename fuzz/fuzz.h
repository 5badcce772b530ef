/* Shared by the fuzz targets (fuzz/fuzz_*.c): property checks and a small
 * reader that turns the fuzzer's bytes into choices (a C cousin of
 * libFuzzer's FuzzedDataProvider).
 *
 * A target checks properties, not only "no crash": a broken property calls
 * FUZZ_FAIL(), which prints where and aborts, so libFuzzer, AFL++ and the
 * replay driver (fuzz/main.c) all record the input as a finding. Targets
 * return 0 always. Nothing here allocates. */
#ifndef VW_FUZZ_H
#define VW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmwire/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                                 \
    do {                                                                               \
        fprintf(stderr, "%s:%d: property broken: ", __FILE__, __LINE__);              \
        fprintf(stderr, __VA_ARGS__);                                                  \
        fputc('\n', stderr);                                                           \
        abort();                                                                       \
    } while (0)

/* A property that must hold. */
#define FUZZ_CHECK(cond)                                                               \
    do {                                                                               \
        if (!(cond))                                                                   \
            FUZZ_FAIL("%s", #cond);                                                    \
    } while (0)

/* Two statuses that must be equal. */
#define FUZZ_CHECK_STATUS(a, b)                                                        \
    do {                                                                               \
        vw_status fz_a_ = (a), fz_b_ = (b);                                            \
        if (fz_a_ != fz_b_)                                                            \
            FUZZ_FAIL("%s (%s) != %s (%s)", #a, vw_status_name(fz_a_), #b,             \
                      vw_status_name(fz_b_));                                          \
    } while (0)

/* Two byte strings that must be equal. */
#define FUZZ_CHECK_BYTES(p1, n1, p2, n2)                                               \
    do {                                                                               \
        size_t fz_n1_ = (n1), fz_n2_ = (n2);                                           \
        if (fz_n1_ != fz_n2_ || (fz_n1_ && memcmp((p1), (p2), fz_n1_) != 0))           \
            FUZZ_FAIL("%s[%zu] != %s[%zu]", #p1, fz_n1_, #p2, fz_n2_);                 \
    } while (0)

/* Every status a library call may return is one of the enum's values. */
/* Harness code left out of coverage instrumentation and comparison tracing
 * (clang 13 and later): its branches say nothing about the library. */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_HARNESS __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_HARNESS
#endif

/* The status has a name. The answer is kept per value (the name lookup and
 * strcmp are otherwise paid, and traced, on every call). */
FUZZ_HARNESS static inline int fuzz_status_known(vw_status s)
{
    static signed char memo[256];
    unsigned u = (unsigned)s;
    if (u >= 256)
        return strcmp(vw_status_name(s), "unknown") != 0;
    if (!memo[u])
        memo[u] = strcmp(vw_status_name(s), "unknown") != 0 ? 1 : -1;
    return memo[u] > 0;
}

/* A status caused by input bytes must never be one that only caller
 * mistakes or resources cause (status.h: 96..127 are never input faults),
 * except the ones a caller-sized buffer or arena can cause. */
static inline int fuzz_status_is_input_fault(vw_status s)
{
    return s != VW_OK && (int)s < 96;
}

/* ---- the byte reader ---------------------------------------------------- */

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline void fz_init(struct fz *f, const uint8_t *p, size_t n)
{
    f->p = p;
    f->n = n;
}

static inline uint8_t fz_u8(struct fz *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
    uint16_t lo = fz_u8(f);
    return (uint16_t)(lo | (uint16_t)fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
    uint32_t lo = fz_u16(f);
    return lo | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(struct fz *f)
{
    uint64_t lo = fz_u32(f);
    return lo | (uint64_t)fz_u32(f) << 32;
}

/* Take up to @p want bytes; *got receives how many were left to take. */
static inline const uint8_t *fz_take(struct fz *f, size_t want, size_t *got)
{
    size_t k = want < f->n ? want : f->n;
    const uint8_t *q = f->p;
    f->p += k;
    f->n -= k;
    *got = k;
    return q;
}

/* The "record" input format of the session targets:
 *   record = op:u8 len:u16le data[len]   (len clipped to what is left)
 * so that a corpus file is a readable list of steps. */
static inline int fz_record(struct fz *f, uint8_t *op, const uint8_t **data, size_t *len)
{
    if (!f->n)
        return 0;
    *op = fz_u8(f);
    size_t want = fz_u16(f);
    *data = fz_take(f, want, len);
    return 1;
}

/* Split points for chunking a stream: each chunk length is taken from the
 * chunk-plan bytes (1 .. 64, or the rest of the stream for a 0 byte). */
static inline size_t fz_chunk(struct fz *plan, size_t left)
{
    if (!left)
        return 0;
    uint8_t b = fz_u8(plan);
    size_t k = b ? (size_t)(b & 63) + 1 : left;
    return k < left ? k : left;
}

#endif /* VW_FUZZ_H */
