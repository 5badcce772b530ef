/* Smoke test of the AFL++ custom mutator library (`make check`): loads
 * fuzz/.libs/vmwire_afl_mutator.so (or the file named by argv[1]) with
 * dlopen, as afl-fuzz does, and calls its entry points for every target
 * that has a custom mutator: afl_custom_init refuses an unknown target;
 * afl_custom_fuzz returns a buffer within max_size, with and without a
 * second input, changes its input most of the time, and repeats itself
 * for the same init seed; afl_custom_deinit frees the state (LSan checks
 * in sanitizer builds). Inputs are the first seeds of each target's corpus.
 * Deterministic; TAP output. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef void *(*init_fn)(void *, unsigned int);
typedef size_t (*fuzz_fn)(void *, uint8_t *, size_t, uint8_t **, uint8_t *, size_t, size_t);
typedef void (*deinit_fn)(void *);

static const char *const targets[] = {
    "fuzz_crosvm_seed_main_request", "fuzz_crosvm_seed_main_response", "fuzz_crosvm_seed_vcpu_request",
    "fuzz_crosvm_seed_vcpu_response", "fuzz_crosvm_final_main_request", "fuzz_crosvm_final_main_response",
    "fuzz_crosvm_final_vcpu_request", "fuzz_crosvm_final_vcpu_response", "fuzz_serial_guest_message",
    "fuzz_serial_vmm_config", "fuzz_ic_message", "fuzz_ic_packet", "fuzz_ic_guest", "fuzz_ic_host",
    "fuzz_crosvm_main", "fuzz_serial_deframe",
};
#define NT (sizeof targets / sizeof targets[0])

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first (by name) files of at most 16 KiB of dir: up to 4. */
static size_t load(const char *dir, uint8_t **in, size_t *sz)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[4096];
    size_t nn = 0, k = 0;
    struct dirent *e;
    while ((e = readdir(d)) && nn < 4096)
        if (e->d_name[0] != '.')
            names[nn++] = strdup(e->d_name);
    closedir(d);
    qsort(names, nn, sizeof *names, cmp);
    for (size_t i = 0; i < nn; i++) {
        char path[8192];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (k < 4 && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 16384) {
            FILE *f = fopen(path, "rb");
            if (f) {
                in[k] = malloc(16384 + 1);
                sz[k] = fread(in[k], 1, 16384, f);
                fclose(f);
                k++;
            }
        }
        free(names[i]);
    }
    return k;
}

int main(int argc, char **argv)
{
    const char *bd = getenv("top_builddir");
    char lib[4096];
    if (argc > 1)
        snprintf(lib, sizeof lib, "%s", argv[1]);
    else
        snprintf(lib, sizeof lib, "%s/fuzz/.libs/vmwire_afl_mutator.so", bd ? bd : ".");
    printf("1..%zu\n", NT + 2);
    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("not ok 1 - dlopen %s: %s\n", lib, dlerror());
        return 0;
    }
    init_fn init = (init_fn)(uintptr_t)dlsym(h, "afl_custom_init");
    fuzz_fn fuzz = (fuzz_fn)(uintptr_t)dlsym(h, "afl_custom_fuzz");
    deinit_fn deinit = (deinit_fn)(uintptr_t)dlsym(h, "afl_custom_deinit");
    printf("%s 1 - %s exports afl_custom_init, afl_custom_fuzz, afl_custom_deinit\n",
           init && fuzz && deinit ? "ok" : "not ok", lib);
    if (!init || !fuzz || !deinit)
        return 0;
    setenv("VMWIRE_FUZZ_TARGET", "fuzz_no_such_target", 1);
    void *none = init(NULL, 1);
    printf("%s 2 - afl_custom_init refuses an unknown target\n", none ? "not ok" : "ok");
    if (none)
        deinit(none);
    for (size_t t = 0; t < NT; t++) {
        char dir[4096];
        uint8_t *in[4];
        size_t sz[4];
        snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", bd ? bd : ".", targets[t]);
        size_t k = load(dir, in, sz);
        setenv("VMWIRE_FUZZ_TARGET", targets[t], 1);
        void *a = init(NULL, 7), *b = init(NULL, 7);
        size_t calls = 0, changed = 0, same = 0, big = 0;
        for (size_t i = 0; a && b && i < k; i++)
            for (unsigned j = 0; j < 40; j++) {
                size_t max = sz[i] + 2048;
                uint8_t *oa = NULL, *ob = NULL;
                uint8_t *add = in[(i + 1) % k];
                size_t an = sz[(i + 1) % k];
                size_t na = fuzz(a, in[i], sz[i], &oa, add, an, max);
                size_t nb = fuzz(b, in[i], sz[i], &ob, add, an, max);
                calls++;
                big += na > max || !oa;
                same += oa && ob && na == nb && !memcmp(oa, ob, na);
                changed += oa && (na != sz[i] || memcmp(oa, in[i], na) != 0);
            }
        printf("%s %zu - %s: %zu afl_custom_fuzz calls on %zu seeds, %zu changed the input, within max_size, repeatable\n",
               a && b && k && !big && same == calls && changed * 2 > calls ? "ok" : "not ok", t + 3, targets[t],
               calls, k, changed);
        if (a)
            deinit(a);
        if (b)
            deinit(b);
        for (size_t i = 0; i < k; i++)
            free(in[i]);
    }
    dlclose(h);
    return 0;
}
