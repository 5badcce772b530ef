/* Replay driver for the fuzz targets in ordinary builds (libpsl style).
 *
 * Linked into every fuzz/fuzz_<name> when configure ran without
 * --enable-fuzzing, so that `make check` replays, under whatever sanitizers
 * the build has, every seed of the generated corpus and every committed
 * regression input through LLVMFuzzerTestOneInput:
 *
 *   $top_builddir/fuzz/corpus/<name>/      seeds (scripts: fuzz/make-corpus.py)
 *   $top_srcdir/fuzz/regressions/<name>/   reproducers of past findings
 *
 * Output is TAP, one test per directory. A broken property aborts (see
 * fuzz.h), which the TAP driver reports as an error naming the program.
 *
 * With arguments, each argument (file or directory) is run instead; this is
 * how a reproducer is replayed by hand:  fuzz/fuzz_ic_message crash-1234 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_INPUT (4u << 20)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "# cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(MAX_INPUT);
    if (!buf) {
        fclose(f);
        return -1;
    }
    size_t n = fread(buf, 1, MAX_INPUT, f);
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return -1;
    }
    /* An exact-size copy, so that ASan sees reads past the input's end. */
    uint8_t *in = malloc(n ? n : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    if (n)
        memcpy(in, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(in, n);
    free(in);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of @p dir (sorted, dot files skipped); returns the
 * count, or -1 if the directory cannot be read, -2 if it does not exist. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? -2 : -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    long count = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                count = -1;
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            count = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (count == 0)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (count >= 0) {
            size_t len = strlen(dir) + strlen(names[i]) + 2;
            char *path = malloc(len);
            struct stat st;
            if (!path) {
                count = -1;
            } else {
                snprintf(path, len, "%s/%s", dir, names[i]);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                    if (run_file(path) < 0)
                        count = -1;
                    else
                        count++;
                }
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    return count;
}

static const char *target_name(const char *argv0)
{
    const char *name = strrchr(argv0, '/');
    name = name ? name + 1 : argv0;
    if (strncmp(name, "lt-", 3) == 0) /* libtool wrapper */
        name += 3;
    return name;
}

int main(int argc, char **argv)
{
    const char *name = target_name(argv[0]);
    if (argc > 1) {
        int bad = 0;
        for (int i = 1; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                long k = run_dir(argv[i]);
                fprintf(stderr, "%s: %s: %ld inputs\n", name, argv[i], k);
                bad |= k < 0;
            } else {
                bad |= run_file(argv[i]) < 0;
                fprintf(stderr, "%s: %s: done\n", name, argv[i]);
            }
        }
        return bad;
    }

    const char *srcdir = getenv("top_srcdir");
    const char *builddir = getenv("top_builddir");
    char corpus[4096], regress[4096];
    snprintf(corpus, sizeof corpus, "%s/fuzz/corpus/%s", builddir ? builddir : ".", name);
    snprintf(regress, sizeof regress, "%s/fuzz/regressions/%s", srcdir ? srcdir : ".", name);

    struct stat st;
    int have_regress = stat(regress, &st) == 0;
    printf("1..%d\n", have_regress ? 2 : 1);
    long k = run_dir(corpus);
    if (k >= 0)
        printf("ok 1 - %s: %ld seed inputs replayed\n", name, k);
    else
        printf("not ok 1 - %s: cannot read the seed corpus %s (run fuzz/make-corpus.py)\n", name,
               corpus);
    if (have_regress) {
        long r = run_dir(regress);
        if (r >= 0)
            printf("ok 2 - %s: %ld regression inputs replayed\n", name, r);
        else
            printf("not ok 2 - %s: cannot read %s\n", name, regress);
    }
    return 0;
}
