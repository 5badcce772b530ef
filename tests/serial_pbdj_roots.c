/* Descriptor list of tests/serial_pbdj: tests/pb_decode_json.c (the protobuf
 * engine's line front end) over the serial schema, for pb_differential.py. */
#include <stddef.h>

#include "serial/guest.pb-c.h"

extern const ProtobufCMessageDescriptor *const vwt_pbdj_roots[];
extern const size_t vwt_pbdj_n_roots;

const ProtobufCMessageDescriptor *const vwt_pbdj_roots[] = {
    &vmwire__serial__guest_message__descriptor,
    &vmwire__serial__vmm_config__descriptor,
};
const size_t vwt_pbdj_n_roots = sizeof vwt_pbdj_roots / sizeof vwt_pbdj_roots[0];
