/* Shared by the crosvm engine targets (fuzz_crosvm_main.c, fuzz_crosvm_vcpu.c). */
#ifndef VW_FUZZ_CROSVM_SESSION_H
#define VW_FUZZ_CROSVM_SESSION_H

#include "vmwire/crosvm.h"

#include "fuzz.h"

/* Invariants of the VM-wide state whatever the peer sent: tables within
 * capacity, ranges non-empty, not wrapping, and overlapping another range of
 * the same address space at most in one byte, the last of one being the
 * first of the other (crosvm's overlap probe excludes the last byte,
 * CV-MAIN-11); object ids unique. */
static inline void fuzz_crosvm_vm_invariants(const struct vw_crosvm_vm *vm)
{
    FUZZ_CHECK(vm->n_objects <= VW_CROSVM_MAX_OBJECTS);
    FUZZ_CHECK(vm->n_ranges <= VW_CROSVM_MAX_RANGES);
    for (size_t i = 0; i < vm->n_ranges; i++) {
        const struct vw_crosvm_range *a = &vm->ranges[i];
        FUZZ_CHECK(a->length > 0);
        FUZZ_CHECK(a->start + (a->length - 1) >= a->start);
        for (size_t j = i + 1; j < vm->n_ranges; j++) {
            const struct vw_crosvm_range *b = &vm->ranges[j];
            if (a->space != b->space)
                continue;
            uint64_t a_last = a->start + (a->length - 1), b_last = b->start + (b->length - 1);
            if (a->start <= b_last && b->start <= a_last && a_last != b->start && b_last != a->start)
                FUZZ_FAIL("ranges %zu and %zu overlap", i, j);
        }
    }
    for (size_t i = 0; i < vm->n_objects; i++)
        for (size_t j = i + 1; j < vm->n_objects; j++)
            FUZZ_CHECK(vm->objects[i].id != vm->objects[j].id);
}

#endif /* VW_FUZZ_CROSVM_SESSION_H */
