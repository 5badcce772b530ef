/* IC kvp body under a fixed header: input = message version major:u8,
 * minor:u8, then the body (the version selects the body layout). The IC
 * message properties of ic_common.h apply. */
#include "ic_common.h"

static uint8_t msg[VW_IC_HEADER_SIZE + 0xffff];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t vmaj = fz_u8(&f), vmin = fz_u8(&f);
    size_t n = fuzz_ic_wrap(msg, sizeof msg, VW_IC_MSG_KVP, vmaj, vmin, f.p, f.n);
    fuzz_ic_message(msg, n);
    return 0;
}
