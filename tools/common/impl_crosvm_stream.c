/* The built-in implementation of `deframe` on crosvm.final.VcpuResponse: the
 * final revision's varint-length-prefixed answer stream (spec/crosvm.md
 * CV-VCPU-16) cut into messages by vw_crosvm_splitter, chunk by chunk. */
#include <stdlib.h>
#include <string.h>

#include "common/vwt.h"
#include "vmwire/crosvm.h"

json_t *vwt_crosvm_deframe(const json_t *req)
{
    const json_t *chunks = json_object_get(req, "input");
    if (!json_is_array(chunks))
        return vwt_skipped("deframe: input is not a list of hex chunks");
    uint8_t *store = malloc(VW_CROSVM_MAX_MESSAGE);
    struct vw_crosvm_splitter s;
    if (!store)
        return vwt_skipped("out of memory");
    vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ store, VW_CROSVM_MAX_MESSAGE, false });
    json_t *events = json_array();
    size_t base = 0, i;
    const json_t *c;
    vw_status st = VW_OK;
    json_array_foreach(chunks, i, c) {
        uint8_t *buf;
        size_t len;
        if (vwt_json_hex(c, &buf, &len)) {
            json_decref(events);
            free(store);
            return vwt_skipped("deframe: chunk %zu is not a hex string", i);
        }
        size_t pos = 0;
        while (st == VW_OK && pos < len) {
            const uint8_t *frame;
            size_t flen, used;
            st = vw_crosvm_splitter_feed(&s, buf + pos, len - pos, &frame, &flen, &used);
            if (st != VW_OK) {
                /* sticky: the stream is unusable from here on */
                json_t *e = json_object();
                json_object_set_new(e, "error", json_string(vw_status_name(st)));
                json_object_set_new(e, "offset",
                                    json_integer((json_int_t)(base + pos + vw_crosvm_splitter_error_offset(&s))));
                json_array_append_new(events, e);
                break;
            }
            if (frame) {
                json_t *e = json_object();
                json_object_set_new(e, "frame", vwt_hex_json(frame, flen));
                json_array_append_new(events, e);
            }
            pos += used;
        }
        base += len;
        free(buf);
    }
    if (st == VW_OK && vw_crosvm_splitter_pending(&s)) {
        json_t *e = json_object();
        json_object_set_new(e, "error", json_string(vw_status_name(VW_E_TRUNCATED)));
        json_object_set_new(e, "offset", json_integer((json_int_t)base));
        json_array_append_new(events, e);
    }
    free(store);
    return vwt_valid(events);
}
