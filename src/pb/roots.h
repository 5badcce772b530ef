/* Internal: the top-level messages of the crosvm schema (both revisions)
 * and of the serial schema, as lists of descriptor addresses, in one place
 * for vw_crosvm_descriptor() (src/crosvm/wire.c), the generator of the fast
 * decoders and encoders (src/pb/gen_fast.c, whose tables vw_pb__fast_crosvm
 * and vw_pb__fast_serial follow this order) and the crosvm differential
 * test's descriptor list (tests/crosvm_pbdj_roots.c). Each revision's list
 * is in the order of enum vw_crosvm_kind, the serial one in the order of
 * enum vw_serial_kind. */
#ifndef VW_PB_ROOTS_H
#define VW_PB_ROOTS_H

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "serial/guest.pb-c.h"

#define VW_PB_CROSVM_SEED_ROOTS                                                      \
    &vmwire__crosvm__seed__main_request__descriptor,                                 \
        &vmwire__crosvm__seed__main_response__descriptor,                            \
        &vmwire__crosvm__seed__vcpu_request__descriptor,                             \
        &vmwire__crosvm__seed__vcpu_response__descriptor

#define VW_PB_CROSVM_FINAL_ROOTS                                                     \
    &vmwire__crosvm__final__main_request__descriptor,                                \
        &vmwire__crosvm__final__main_response__descriptor,                           \
        &vmwire__crosvm__final__vcpu_request__descriptor,                            \
        &vmwire__crosvm__final__vcpu_response__descriptor

#define VW_PB_SERIAL_ROOTS                                                           \
    &vmwire__serial__guest_message__descriptor, &vmwire__serial__vmm_config__descriptor

#endif /* VW_PB_ROOTS_H */
