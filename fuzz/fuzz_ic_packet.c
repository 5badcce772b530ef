/* IC pipe packet (8-byte pipe header, message, ring padding) and the pipe
 * header codec: decode -> encode is the identity on the pipe header and on
 * the whole packet's length; the message inside passes the IC message
 * properties (ic_common.h); the pipe rules return known statuses. */
#include "ic_common.h"

static uint8_t pk_out[FUZZ_IC_BUF];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vw_ic_pipe_header ph;
    size_t off = (size_t)-1;
    vw_status st = vw_ic_pipe_header_decode(data, size, &ph, &off);
    if (size < VW_IC_PIPE_HEADER_SIZE) {
        FUZZ_CHECK_STATUS(st, VW_E_TRUNCATED);
        FUZZ_CHECK(off <= size);
    } else {
        uint8_t out[VW_IC_PIPE_HEADER_SIZE];
        size_t w = 0;
        FUZZ_CHECK_STATUS(st, VW_OK);
        FUZZ_CHECK(off == VW_IC_PIPE_HEADER_SIZE);
        FUZZ_CHECK_STATUS(vw_ic_pipe_header_encode(&ph, out, sizeof out, &w), VW_OK);
        FUZZ_CHECK_BYTES(out, w, data, (size_t)VW_IC_PIPE_HEADER_SIZE);
    }

    struct vw_ic_packet p, p2;
    off = (size_t)-1;
    st = vw_ic_packet_decode(data, size, &p, &off);
    FUZZ_CHECK(fuzz_status_known(st));
    if (st != VW_OK) {
        FUZZ_CHECK(fuzz_status_is_input_fault(st));
        FUZZ_CHECK(off <= size);
        return 0;
    }
    FUZZ_CHECK(off == size);
    FUZZ_CHECK((size_t)p.pipe.size + VW_IC_PIPE_HEADER_SIZE <= size);
    /* the message alone decodes the same way */
    fuzz_ic_message(data + VW_IC_PIPE_HEADER_SIZE, p.pipe.size);
    for (int prof = VW_IC_PROFILE_LINUX; prof <= VW_IC_PROFILE_OPENVMM; prof++) {
        size_t voff = 0;
        vw_status v = vw_ic_packet_validate(&p, (enum vw_ic_profile)prof, &voff);
        FUZZ_CHECK(fuzz_status_known(v));
        if (v != VW_OK)
            FUZZ_CHECK(voff <= size);
    }
    size_t need = 0, w = 0;
    st = vw_ic_packet_encode(&p, NULL, 0, &need);
    FUZZ_CHECK(st == VW_E_NOSPACE || (st == VW_OK && need == 0));
    FUZZ_CHECK(need == size);
    if (need > sizeof pk_out)
        return 0;
    FUZZ_CHECK_STATUS(vw_ic_packet_encode(&p, pk_out, sizeof pk_out, &w), VW_OK);
    FUZZ_CHECK(w == need);
    off = 0;
    FUZZ_CHECK_STATUS(vw_ic_packet_decode(pk_out, w, &p2, &off), VW_OK);
    FUZZ_CHECK(memcmp(&p2.pipe, &p.pipe, sizeof p.pipe) == 0);
    FUZZ_CHECK(p2.padding.len == p.padding.len);
    return 0;
}
