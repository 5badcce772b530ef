/* Descriptor list of tests/crosvm_decode_json: tests/pb_decode_json.c (the
 * line-oriented front end of vmwire's protobuf engine) linked with the eight
 * crosvm message kinds, for tests/crosvm_differential.sh. The generated code
 * is compiled into the program because libvmwire exports only vw_* symbols. */
#include <stddef.h>

#include "pb/roots.h" /* the eight crosvm kinds */

extern const ProtobufCMessageDescriptor *const vwt_pbdj_roots[];
extern const size_t vwt_pbdj_n_roots;

const ProtobufCMessageDescriptor *const vwt_pbdj_roots[] = {
    VW_PB_CROSVM_SEED_ROOTS,
    VW_PB_CROSVM_FINAL_ROOTS,
};
const size_t vwt_pbdj_n_roots = sizeof vwt_pbdj_roots / sizeof vwt_pbdj_roots[0];
