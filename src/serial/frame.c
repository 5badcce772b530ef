/* Serial guest protocol: frame encoder (spec/serial.md, SER-FRAME-1..3, SER-FRAME-10). */
#include "core/bytes.h"
#include "vmwire/serial.h"

vw_status vw_serial_frame_encode(const uint8_t *payload, size_t len, size_t limit, uint8_t *out,
                                 size_t cap, size_t *written)
{
    if (!written)
        return VW_E_INVALID_ARG;
    *written = 0;
    if ((!payload && len) || (!out && cap) || limit > VW_SERIAL_MAX_LIMIT)
        return VW_E_INVALID_ARG;
    if (limit == 0)
        limit = VW_SERIAL_MAX_MESSAGE;
    if (len > limit)
        return VW_E_TOO_LONG;
    /* all or nothing, as instar's encode_framed: a short buffer gets no byte */
    *written = VW_SERIAL_HEADER_SIZE + len;
    if (cap < VW_SERIAL_HEADER_SIZE + len)
        return VW_E_NOSPACE;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    vw_wr_u16le(&w, (uint16_t)len);
    vw_wr_bytes(&w, payload, len);
    return vw_wr_ok(&w) ? VW_OK : VW_E_NOSPACE;
}
