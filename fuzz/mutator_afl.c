/* AFL++ custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY): the
 * structure-aware mutators of mutate.h for the target named by the
 * environment variable VMWIRE_FUZZ_TARGET (fuzz_ic_guest, ...).
 *
 *   AFL_CUSTOM_MUTATOR_LIBRARY=_build/fuzz/.libs/vmwire_afl_mutator.so \
 *   VMWIRE_FUZZ_TARGET=fuzz_ic_guest afl-fuzz -i seeds -o out -- fuzz/fuzz_ic_guest
 *
 * AFL++ keeps its own mutations too (set AFL_CUSTOM_MUTATOR_ONLY=1 for
 * these alone). The state (output buffer and scratch space) lives in the
 * handle afl_custom_init returns; afl_custom_deinit frees it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutate.h"

struct fzm_afl {
    const struct fzm_target *t;
    uint64_t seed;
    struct fzm_work w;
    uint8_t out[FZM_MAX];
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    const char *name = getenv("VMWIRE_FUZZ_TARGET");
    const struct fzm_target *t = fzm_target(name);
    if (!t) {
        fprintf(stderr, "vmwire AFL++ mutator: VMWIRE_FUZZ_TARGET=%s names no target with a custom mutator\n",
                name ? name : "(unset)");
        return NULL;
    }
    struct fzm_afl *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->t = t;
    s->seed = seed;
    return s;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size)
{
    struct fzm_afl *s = data;
    size_t max = max_size < sizeof s->out ? max_size : sizeof s->out;
    uint64_t seed = s->seed++;
    size_t n = 0;
    if (add_buf && add_buf_size && seed % 8 == 0)
        n = fzm_crossover(s->t, &s->w, buf, buf_size, add_buf, add_buf_size, s->out, max, seed);
    if (!n && buf_size <= max) {
        memcpy(s->out, buf, buf_size);
        n = fzm_mutate(s->t, &s->w, s->out, buf_size, max, seed);
    }
    if (!n) { /* too large to mutate structurally: a prefix, one byte flipped */
        n = buf_size < max ? buf_size : max;
        memcpy(s->out, buf, n);
        if (n)
            s->out[seed % n] ^= (uint8_t)(1u << (seed / n % 8));
    }
    *out_buf = s->out;
    return n;
}

void afl_custom_deinit(void *data)
{
    free(data);
}
