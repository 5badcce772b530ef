/* AFL++ persistent-mode driver for the fuzz targets (used by
 * scripts/fuzz-build-afl in place of libFuzzer's main).
 *
 * Built with afl-clang-fast, the input arrives through shared memory
 * (__AFL_FUZZ_TESTCASE_BUF) and one process runs up to 10000 inputs
 * (__AFL_LOOP). The targets keep no state between calls, so persistent mode
 * is exact. Built with any other compiler, the same file reads one input
 * from stdin or from each file named on the command line, so a crash that
 * AFL++ found can be replayed with the very binary. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_INPUT (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

static int run_stream(FILE *f)
{
    uint8_t *buf = malloc(MAX_INPUT);
    if (!buf)
        return 1;
    size_t n = fread(buf, 1, MAX_INPUT, f);
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        return 1;
    }
    if (n)
        memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

int main(int argc, char **argv)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
    if (argc < 2) {
        __AFL_INIT();
        unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
        while (__AFL_LOOP(10000)) {
            size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
            /* A private exact-size copy lets ASan see overreads. */
            uint8_t *in = malloc(len ? len : 1);
            if (!in)
                return 1;
            if (len)
                memcpy(in, buf, len);
            LLVMFuzzerTestOneInput(in, len);
            free(in);
        }
        return 0;
    }
#endif
    if (argc < 2)
        return run_stream(stdin);
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        bad |= run_stream(f);
        fclose(f);
    }
    return bad;
}
