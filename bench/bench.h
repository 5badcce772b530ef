/* vmwire-bench: shared declarations of the benchmark harness.
 *
 * A case is a function that performs its operation `iters` times and returns
 * 0, or non-zero when any iteration failed (a failing decode is not a
 * benchmark). Each area (bench_crosvm.c, bench_serial.c, ...) registers its
 * cases with bench_add(); cases that share a `group` are compared with each
 * other in the table (ratios to the group's reference row, normally vmwire).
 */
#ifndef VMWIRE_BENCH_H
#define VMWIRE_BENCH_H

#include <stddef.h>
#include <stdint.h>

/** Keep the compiler from dropping work whose result nobody reads. */
#define BENCH_USE(p) __asm__ volatile("" : : "g"(p) : "memory")
/** Make the compiler forget what it knows about memory. */
#define BENCH_CLOBBER() __asm__ volatile("" : : : "memory")

typedef int (*bench_fn)(void *arg, uint64_t iters);

enum bench_role {
    BENCH_REF = 0,  /* the row the group's ratios are relative to (vmwire) */
    BENCH_PEER = 1, /* another implementation of the same operation */
    BENCH_LIMIT = 2 /* a physical bound, e.g. memcpy of the same bytes */
};

struct bench_case {
    char name[128];     /* full name, e.g. crosvm/final/A_wait_io/decode/vmwire */
    char group[112];    /* rows compared with each other, e.g. crosvm/final/A_wait_io/decode */
    char impl[32];      /* vmwire, protobuf-c, protobuf-c+arena, nanopb, memcpy ... */
    enum bench_role role;
    bench_fn fn;
    void *arg;
    double bytes;       /* bytes processed per iteration (0: none) */
    double items;       /* messages/operations per iteration */
    char error[160];    /* set at registration when the case's self-check failed */
};

/**
 * Register a case. `area/what/op` form the group; `impl` ends the name.
 * The check already happened: pass a non-NULL `error` to record a failed
 * self-check (the case is then reported, not run, and the run fails).
 */
struct bench_case *bench_add(const char *group, const char *impl, enum bench_role role, bench_fn fn,
                             void *arg, double bytes, double items, const char *error);

/** printf-style helper for error strings; returns a static buffer (one at a time). */
const char *bench_errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Heap allocations seen so far by the interposer (-1 when it is not active). */
long long bench_mallocs(void);

/** Area registration functions. */
void bench_register_crosvm(void);
void bench_register_serial(void);
void bench_register_ic(void);
void bench_register_bridge(void);

/** Offset of the first byte where a and b differ (the shorter length if one is a prefix). */
size_t bench_first_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif /* VMWIRE_BENCH_H */
