/* vmwire-bench: count heap allocations by interposing malloc/calloc/realloc.
 *
 * The benchmark links this file into its own executable, so these
 * definitions take precedence over the C library's for every shared object
 * in the process (libvmwire, protobuf-c, nanopb). They forward to glibc's
 * internal entry points. Sanitizer builds bring their own allocator, so there
 * the interposer is left out and the count is reported as unknown.
 */
#include <stddef.h>
#include <stdlib.h>

#include "bench.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer) || __has_feature(leak_sanitizer)
#define BENCH_NO_INTERPOSER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BENCH_NO_INTERPOSER 1
#endif

#if defined(__GLIBC__) && !defined(BENCH_NO_INTERPOSER)

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long long n_allocs;

void *malloc(size_t n)
{
    n_allocs++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    n_allocs++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    n_allocs++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

long long bench_mallocs(void)
{
    return n_allocs;
}

#else

long long bench_mallocs(void)
{
    return -1;
}

#endif
