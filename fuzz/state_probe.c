/* State probe for the custom-mutator comparison (fuzz/compare-mutators.sh):
 * one target's source compiled in, and a main that runs every file named
 * (or every file of the directories named) through it and counts the inputs
 * after which the engine is in a deep state:
 *   -DPROBE_IC_GUEST      fuzz_ic_guest: a negotiation succeeded
 *   -DPROBE_IC_HOST       fuzz_ic_host: the channel is negotiated (ready or
 *                         waiting for a service reply)
 *   -DPROBE_CROSVM_MAIN   fuzz_crosvm_main: the VM was started; it holds a
 *                         reserved range; it holds an object
 *   -DPROBE_SERIAL_DEFRAME fuzz_serial_deframe: the stream ends mid-frame
 *                         (bytes pending) after at least one frame
 * Not part of the build (the script compiles it against a build's
 * libvmwire). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(PROBE_IC_GUEST)
#include "fuzz_ic_guest.c"
#define NPROBE 1
static const char *const probe_names[NPROBE] = { "negotiated" };
static void probe(unsigned long *hit) { hit[0] += g.negotiated; }
#elif defined(PROBE_IC_HOST)
#include "fuzz_ic_host.c"
#define NPROBE 1
static const char *const probe_names[NPROBE] = { "negotiated" };
static void probe(unsigned long *hit) { hit[0] += h.state == 2 || h.state == 3; }
#elif defined(PROBE_CROSVM_MAIN)
#include "fuzz_crosvm_main.c"
#define NPROBE 3
static const char *const probe_names[NPROBE] = { "started", "reserved-range", "object" };
static void probe(unsigned long *hit)
{
    hit[0] += vm.started != 0;
    hit[1] += vm.n_ranges > 0;
    hit[2] += vm.n_objects > 0;
}
#elif defined(PROBE_SERIAL_DEFRAME)
#include "fuzz_serial_deframe.c"
#define NPROBE 1
static const char *const probe_names[NPROBE] = { "mid-frame" };
static void probe(unsigned long *hit)
{
    uint64_t fr = 0, rj = 0, sk = 0;
    size_t pend = 0;
    counters(&fr, &rj, &sk, &pend);
    hit[0] += pend > 0 && fr > 0;
}
#else
#error "define one PROBE_*"
#endif

static unsigned long files, hits[NPROBE];

static void one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static uint8_t buf[1u << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, buf, n);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    files++;
    probe(hits);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            one(argv[i]);
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
            one(p);
        }
        if (d)
            closedir(d);
    }
    printf("inputs %lu", files);
    for (int k = 0; k < NPROBE; k++)
        printf(" %s %lu", probe_names[k], hits[k]);
    printf("\n");
    return 0;
}
