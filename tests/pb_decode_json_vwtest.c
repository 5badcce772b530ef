/* Descriptor list of tests/pb_decode_json for the engine's own test schema. */
#include <stddef.h>

#include "pb/test.pb-c.h"

extern const ProtobufCMessageDescriptor *const vwt_pbdj_roots[];
extern const size_t vwt_pbdj_n_roots;

const ProtobufCMessageDescriptor *const vwt_pbdj_roots[] = {
    &vwtest__scalars__descriptor,
    &vwtest__repeated__descriptor,
    &vwtest__choice__descriptor,
    &vwtest__node__descriptor,
    &vwtest__empty__descriptor,
};
const size_t vwt_pbdj_n_roots = sizeof vwt_pbdj_roots / sizeof vwt_pbdj_roots[0];
