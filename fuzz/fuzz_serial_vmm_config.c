/* Serial VmmConfig payloads: see serial_msg.h for the properties. */
#include "serial_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vw_serial_vmm_config c, c2;
    size_t off = (size_t)-1, n1 = 0, n2 = 0, np = 0;
    vw_status st = vw_serial_vmm_config_decode(data, size, &c, &off);
    FUZZ_CHECK(fuzz_status_known(st));
    vw_status sp = fuzz_serial_pb_path(VW_SERIAL_VMM_CONFIG, data, size, fuzz_ser_e3, &np);
    FUZZ_CHECK_STATUS(st, sp);
    fuzz_serial_differential(VW_SERIAL_VMM_CONFIG, data, size);
    fuzz_serial_micropb(VW_SERIAL_VMM_CONFIG, data, size);
    if (st != VW_OK) {
        FUZZ_CHECK(fuzz_status_is_input_fault(st));
        FUZZ_CHECK(off <= size);
        return 0;
    }
    FUZZ_CHECK(off == size);
    FUZZ_CHECK(c.n_devices <= VW_SERIAL_MAX_DEVICES);
    FUZZ_CHECK_STATUS(vw_serial_vmm_config_encode(&c, fuzz_ser_e1, sizeof fuzz_ser_e1, &n1), VW_OK);
    FUZZ_CHECK(n1 <= VW_SERIAL_VMM_CONFIG_MAX_SIZE);
    FUZZ_CHECK_BYTES(fuzz_ser_e1, n1, fuzz_ser_e3, np);
    if (n1 > 0) {
        size_t need = 0;
        FUZZ_CHECK_STATUS(vw_serial_vmm_config_encode(&c, fuzz_ser_e2, n1 - 1, &need), VW_E_NOSPACE);
        FUZZ_CHECK(need == n1);
    }
    off = 0;
    FUZZ_CHECK_STATUS(vw_serial_vmm_config_decode(fuzz_ser_e1, n1, &c2, &off), VW_OK);
    FUZZ_CHECK_STATUS(vw_serial_vmm_config_encode(&c2, fuzz_ser_e2, sizeof fuzz_ser_e2, &n2), VW_OK);
    FUZZ_CHECK_BYTES(fuzz_ser_e1, n1, fuzz_ser_e2, n2);
    return 0;
}
