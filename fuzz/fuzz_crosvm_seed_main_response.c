/* crosvm seed revision, main response messages: see crosvm_msg.h for the properties. */
#include "crosvm_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_crosvm_message(VW_CROSVM_SEED, VW_CROSVM_MAIN_RESPONSE, data, size);
    return 0;
}
