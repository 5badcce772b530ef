/* The generated decoders and encoders against the generic ones
 * (fuzz/pb_fast_diff.h): byte 0 picks the top-level message (mod 10: the
 * eight crosvm kinds, then the two serial ones), the rest is the message.
 * Every input is decoded with a roomy arena and with arenas at, around and
 * below the size the decode needs; a message that decodes is encoded by
 * both encoders at every capacity up to its size and beyond. */
#include "fuzz.h"
#include "pb_fast_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    if (size < 1)
        return 0;
    if (pbf_diff_sizes(data[0], data + 1, size - 1, why, sizeof why))
        FUZZ_FAIL("%s", why);
    return 0;
}
