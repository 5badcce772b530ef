/* The other IC bodies (heartbeat, shutdown, time sync, and types without a
 * defined body) under a fixed header: input = message version major:u8,
 * minor:u8, message type:u8 (taken modulo 9), then the body. The IC message
 * properties of ic_common.h apply. */
#include "ic_common.h"

static uint8_t msg[VW_IC_HEADER_SIZE + 0xffff];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t vmaj = fz_u8(&f), vmin = fz_u8(&f);
    uint16_t type = (uint16_t)(fz_u8(&f) % 9);
    size_t n = fuzz_ic_wrap(msg, sizeof msg, type, vmaj, vmin, f.p, f.n);
    fuzz_ic_message(msg, n);
    return 0;
}
