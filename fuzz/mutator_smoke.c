/* Smoke test of a target's custom mutator (fuzz/fuzz_<name>_sm in an
 * ordinary build; `make check`): deterministic, a few seconds.
 *
 * For each of the first seeds of the target's corpus (at most 16 inputs of
 * at most 16 KiB, in name order) a chain of 24 mutations through
 * LLVMFuzzerCustomMutator, each result run through LLVMFuzzerTestOneInput
 * (so the target's properties are checked on structure-mutated inputs),
 * and a crossover with the next seed through LLVMFuzzerCustomCrossOver
 * every 6 steps. Checks: every result fits max_size; the same input and
 * seed give the same result; the mutators change the input most of the
 * time. LLVMFuzzerMutate (libFuzzer's, called for one mutation in four) is
 * replaced by a deterministic bit flip. TAP output. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

#define MAXSEEDS 16
#define MAXSEED (16u << 10)
#define MAXOUT 65536u
#define STEPS 24

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    (void)max_size;
    if (size) {
        size_t h = size * 31;
        for (size_t i = 0; i < size && i < 16; i++)
            h = h * 131 + data[i];
        data[h % size] ^= (uint8_t)(1u << (h / size % 8));
    }
    return size;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run(const uint8_t *p, size_t n)
{
    uint8_t *in = malloc(n ? n : 1); /* exact size, for ASan */
    if (!in)
        abort();
    memcpy(in, p, n);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strncmp(base, "lt-", 3))
        base += 3;
    char name[256];
    snprintf(name, sizeof name, "%s", base);
    size_t nl = strlen(name);
    if (nl > 3 && !strcmp(name + nl - 3, "_sm"))
        name[nl - 3] = 0;
    const char *builddir = getenv("top_builddir");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", builddir ? builddir : ".", name);

    printf("1..3\n");
    uint8_t *seeds[MAXSEEDS];
    size_t sizes[MAXSEEDS], ns = 0;
    DIR *d = opendir(dir);
    char *names[4096];
    size_t nn = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && nn < 4096)
        if (e->d_name[0] != '.')
            names[nn++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, nn, sizeof *names, cmp);
    for (size_t i = 0; i < nn; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (ns < MAXSEEDS && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= MAXSEED) {
            FILE *f = fopen(path, "rb");
            if (f) {
                seeds[ns] = malloc(MAXSEED + 1);
                sizes[ns] = fread(seeds[ns], 1, MAXSEED, f);
                fclose(f);
                ns++;
            }
        }
        free(names[i]);
    }
    if (!ns) {
        printf("not ok 1 - %s: no seeds in %s\n", base, dir);
        printf("not ok 2 - %s: deterministic\nnot ok 3 - %s: crossovers\n", base, base);
        return 0;
    }
    uint8_t *cur = malloc(MAXOUT), *again = malloc(MAXOUT), *x = malloc(MAXOUT);
    size_t runs = 0, changed = 0, same = 0, crosses = 0, bad_size = 0;
    for (size_t s = 0; s < ns; s++) {
        size_t n = sizes[s];
        memcpy(cur, seeds[s], n);
        for (unsigned k = 0; k < STEPS; k++) {
            unsigned seed = (unsigned)(s * 1000003u + k * 7919u + 1);
            size_t max = n + 4096 < MAXOUT ? n + 4096 : MAXOUT;
            memcpy(again, cur, n);
            size_t m = LLVMFuzzerCustomMutator(cur, n, max, seed);
            size_t m2 = LLVMFuzzerCustomMutator(again, n, max, seed);
            if (m > max)
                bad_size++;
            same += m == m2 && !memcmp(cur, again, m);
            runs++;
            run(cur, m);
            n = m;
            if (k % 6 == 5) {
                size_t o = (s + 1) % ns;
                size_t c = LLVMFuzzerCustomCrossOver(cur, n, seeds[o], sizes[o], x, max, seed);
                if (c > max)
                    bad_size++;
                run(x, c);
                crosses++;
            }
        }
    }
    /* how often a mutation changes its input (a fresh pass over the seeds) */
    changed = 0;
    size_t tries = 0;
    for (size_t s = 0; s < ns; s++)
        for (unsigned k = 0; k < 8; k++) {
            size_t n = sizes[s], max = n + 4096;
            memcpy(cur, seeds[s], n);
            size_t m = LLVMFuzzerCustomMutator(cur, n, max, (unsigned)(k * 31 + s + 2));
            changed += m != n || memcmp(cur, seeds[s], n) != 0;
            tries++;
        }
    printf("%s 1 - %s: %zu mutations of %zu seeds run through the target, %zu changed their input of %zu, every result within max_size\n",
           bad_size == 0 && changed * 2 > tries ? "ok" : "not ok", base, runs, ns, changed, tries);
    printf("%s 2 - %s: the same input and seed give the same mutation (%zu of %zu)\n", same == runs ? "ok" : "not ok",
           base, same, runs);
    printf("%s 3 - %s: %zu crossovers run through the target\n", crosses ? "ok" : "not ok", base, crosses);
    for (size_t s = 0; s < ns; s++)
        free(seeds[s]);
    free(cur);
    free(again);
    free(x);
    return 0;
}
