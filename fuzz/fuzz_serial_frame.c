/* Serial frame encoder against the deframer: input = limit selector:u16le
 * (0: the default 600; else 1 .. 65535), then a payload. Properties:
 * vw_serial_frame_encode() writes 2 + len bytes (little-endian length, then
 * the payload) exactly when len <= limit, refuses longer payloads with
 * TOO_LONG, follows the NOSPACE protocol; and a deframer with the same limit
 * given those bytes yields exactly one frame, the payload, and holds nothing
 * back. */
#include "vmwire/serial.h"

#include "fuzz.h"

static uint8_t out[2 + 65536];
static uint8_t storage[2 + 65535];
static struct vw_serial_deframer d;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    size_t limit = fz_u16(&f);
    const uint8_t *p = f.p;
    size_t n = f.n, w = 0;
    size_t eff = limit ? limit : VW_SERIAL_MAX_MESSAGE;
    vw_status st = vw_serial_frame_encode(p, n, eff, out, sizeof out, &w);
    if (n > eff) {
        FUZZ_CHECK_STATUS(st, VW_E_TOO_LONG);
        return 0;
    }
    FUZZ_CHECK_STATUS(st, VW_OK);
    FUZZ_CHECK(w == n + 2);
    FUZZ_CHECK(out[0] == (uint8_t)n && out[1] == (uint8_t)(n >> 8));
    FUZZ_CHECK_BYTES(out + 2, n, p, n);
    size_t need = 0;
    FUZZ_CHECK_STATUS(vw_serial_frame_encode(p, n, eff, out, w - 1, &need), VW_E_NOSPACE);
    FUZZ_CHECK(need == w);
    FUZZ_CHECK_STATUS(vw_serial_frame_encode(p, n, eff, out, sizeof out, &w), VW_OK);

    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.limit = eff;
    cfg.buf = storage;
    cfg.buf_cap = sizeof storage;
    FUZZ_CHECK_STATUS(vw_serial_deframer_init(&d, &cfg), VW_OK);
    struct vw_serial_event ev;
    size_t consumed = 0;
    FUZZ_CHECK_STATUS(vw_serial_deframer_feed(&d, out, w, &ev, &consumed), VW_OK);
    FUZZ_CHECK(ev.kind == VW_SERIAL_EV_FRAME);
    FUZZ_CHECK(consumed == w);
    FUZZ_CHECK_BYTES(ev.payload, ev.len, p, n);
    FUZZ_CHECK(vw_serial_deframer_pending(&d) == 0);
    FUZZ_CHECK(vw_serial_deframer_frames(&d) == 1);
    return 0;
}
