/* Descriptor list of tests/crosvm_decode_json: tests/pb_decode_json.c (the
 * line-oriented front end of vmwire's protobuf engine) linked with the eight
 * crosvm message kinds, for tests/crosvm_differential.sh. The generated code
 * is compiled into the program because libvmwire exports only vw_* symbols. */
#include <stddef.h>

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"

extern const ProtobufCMessageDescriptor *const vwt_pbdj_roots[];
extern const size_t vwt_pbdj_n_roots;

const ProtobufCMessageDescriptor *const vwt_pbdj_roots[] = {
    &vmwire__crosvm__seed__main_request__descriptor,
    &vmwire__crosvm__seed__main_response__descriptor,
    &vmwire__crosvm__seed__vcpu_request__descriptor,
    &vmwire__crosvm__seed__vcpu_response__descriptor,
    &vmwire__crosvm__final__main_request__descriptor,
    &vmwire__crosvm__final__main_response__descriptor,
    &vmwire__crosvm__final__vcpu_request__descriptor,
    &vmwire__crosvm__final__vcpu_response__descriptor,
};
const size_t vwt_pbdj_n_roots = sizeof vwt_pbdj_roots / sizeof vwt_pbdj_roots[0];
