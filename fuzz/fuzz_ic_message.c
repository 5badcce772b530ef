/* IC message (IC header, the body its type and version select, trailing
 * bytes): vw_ic_message_decode / encode / validate, and the IC header codec
 * alone (decode -> encode is the identity on 20 bytes). */
#include "ic_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vw_ic_header h;
    size_t off = (size_t)-1;
    vw_status st = vw_ic_header_decode(data, size, &h, &off);
    if (size < VW_IC_HEADER_SIZE) {
        FUZZ_CHECK_STATUS(st, VW_E_TRUNCATED);
        FUZZ_CHECK(off <= size);
    } else {
        uint8_t out[VW_IC_HEADER_SIZE];
        size_t w = 0;
        FUZZ_CHECK_STATUS(st, VW_OK);
        FUZZ_CHECK(off == VW_IC_HEADER_SIZE);
        FUZZ_CHECK_STATUS(vw_ic_header_encode(&h, out, sizeof out, &w), VW_OK);
        FUZZ_CHECK_BYTES(out, w, data, (size_t)VW_IC_HEADER_SIZE);
    }
    fuzz_ic_message(data, size);
    return 0;
}
