/* libFuzzer's custom mutator hooks for one target (fuzz/fuzz_<name>_sm):
 * the structure-aware mutators of mutate.h, and one time in four
 * libFuzzer's own byte-level mutation (LLVMFuzzerMutate), so that the
 * custom binary explores at least what the plain one does. FZM_TARGET names
 * the target (-DFZM_TARGET='"fuzz_ic_guest"'). The scratch space is on the
 * stack: no allocation, nothing kept between calls. */
#include <stddef.h>
#include <stdint.h>

#include "mutate.h"

#ifndef FZM_TARGET
#error "FZM_TARGET must name the fuzz target"
#endif

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    const struct fzm_target *t = fzm_target(FZM_TARGET);
    if (!t || seed % 4 == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    struct fzm_work w;
    size_t n = fzm_mutate(t, &w, data, size, max_size, seed);
    return n ? n : LLVMFuzzerMutate(data, size, max_size);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed)
{
    const struct fzm_target *t = fzm_target(FZM_TARGET);
    struct fzm_work w;
    size_t n = t ? fzm_crossover(t, &w, data1, size1, data2, size2, out, max_out_size, seed) : 0;
    if (!n) { /* the first input as it is */
        n = size1 < max_out_size ? size1 : max_out_size;
        for (size_t i = 0; i < n; i++)
            out[i] = data1[i];
    }
    return n;
}
