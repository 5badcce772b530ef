/* The built-in implementation of `deframe` on crosvm.final.VcpuResponse: the
 * final revision's varint-length-prefixed answer stream (spec/crosvm.md
 * CV-VCPU-16) cut into messages by vw_crosvm_splitter, chunk by chunk, in the
 * tools' one deframe loop (vwt_deframe_run, common/session.c). */
#include <stdlib.h>

#include "common/session.h"
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
    vwt_poison(store, VW_CROSVM_MAX_MESSAGE);
    vwt_poison(&s, sizeof s);
    vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ store, VW_CROSVM_MAX_MESSAGE, false });
    struct vwt_splitter sp = vwt_crosvm_splitter_engine(&s);
    json_t *r = vwt_deframe_run(&sp, chunks);
    free(store);
    return r;
}
