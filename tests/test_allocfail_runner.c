/* Allocation-failure tests of the conformance runner (tools/conformance:
 * its library tools/libvwrunner.la and its main(), compiled in by
 * tests/allocfail_mains.c) and of the testee's main() (tools/testee/main.c,
 * by tests/allocfail_testee_main.c), with the technique and driver of
 * tests/test_allocfail_tools.c (tests/allocfail.h): every allocation of the
 * tools' code, jansson's and getline()'s is counted, and each scenario is
 * run once per allocation with that one failing, in a child process. Each
 * run must end without a crash or leak, with an error status; a run in which
 * an allocation failed and that still reports success is a problem too (the
 * runner would have dropped a verdict or a report line silently).
 *
 * The scenarios: a whole run of the runner over two small vector files with
 * every report (--junit, --json, --coverage, --write-failures, human, TAP),
 * the runner's reply parser, and the testee's main() answering requests of
 * every protocol and malformed lines, and the vmwire command's main() (by
 * tests/allocfail_cli_main.c) over each of its subcommands. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sys/stat.h>

#include "allocfail.h"
#include "vector_requests.h"
#include "common/vwt.h"
#include "conformance/runner.h"

int vwc_runner_main(int argc, char **argv);
int vwt_testee_main(int argc, char **argv);
int vwcli_main(int argc, char **argv);

/* getline() allocates inside the C library, where --wrap does not reach;
 * this one grows the line with the counted realloc, so its allocations are
 * counted and fail in turn like the others. */
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f);
ssize_t __wrap_getline(char **line, size_t *cap, FILE *f)
{
    if (!line || !cap || !f) {
        errno = EINVAL;
        return -1;
    }
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (n + 2 > *cap || !*line) {
            size_t nc = *cap ? *cap * 2 : 128;
            char *p = __wrap_realloc(*line, nc);
            if (!p) {
                errno = ENOMEM;
                return -1;
            }
            *line = p;
            *cap = nc;
        }
        (*line)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    (*line)[n] = 0;
    return (ssize_t)n;
}

/* strndup() and open_memstream() allocate inside the C library too; the
 * caller frees what they return with the counted free(). */
char *__wrap_strndup(const char *s, size_t n);
char *__wrap_strndup(const char *s, size_t n)
{
    size_t k = strnlen(s, n);
    char *p = __wrap_malloc(k + 1);
    if (p) {
        memcpy(p, s, k);
        p[k] = 0;
    }
    return p;
}

FILE *__real_open_memstream(char **buf, size_t *len);
FILE *__wrap_open_memstream(char **buf, size_t *len);
FILE *__wrap_open_memstream(char **buf, size_t *len)
{
    if (refuse()) {
        errno = ENOMEM;
        return NULL;
    }
    FILE *f = __real_open_memstream(buf, len);
    if (f)
        live++; /* the buffer, which the caller frees after fclose() */
    return f;
}

/* When one of jansson's own allocations fails inside json_load_file()
 * (libjansson 2.14 here), the process crashes in free() under json_loadf(),
 * inside jansson, before the runner sees the result; so the allocations made
 * inside json_load_file() are not failed (nor counted). What the runner does
 * with a NULL from it is still checked: the parse is refused on a counted
 * allocation, see __wrap_json_load_file. */
json_t *__real_json_load_file(const char *path, size_t flags, json_error_t *error);
json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error);
json_t *__wrap_json_load_file(const char *path, size_t flags, json_error_t *error)
{
    if (refuse()) { /* the whole load fails, as it would without memory */
        vwt_nomem(); /* what the allocator of vwt_nomem_watch() would note */
        if (error)
            snprintf(error->text, sizeof error->text, "out of memory");
        return NULL;
    }
    exempt++;
    json_t *j = __real_json_load_file(path, flags, error);
    exempt--;
    return j;
}

static char tmpdir[PATH_MAX];
static char top[PATH_MAX];
static char datadir[PATH_MAX + 16];

/* A data directory whose spec/ holds a few rule declarations of the real
 * crosvm spec (CV-REV-*, CV-PB-1*): the runner's spec parsing, checks and
 * per-rule reports all run, on far fewer rules than the whole spec, so that
 * failing each allocation in turn stays quick. */
static void make_datadir(void)
{
    static const char *const specs[] = { "crosvm.md", NULL };
    char d[PATH_MAX + 32];
    snprintf(datadir, sizeof datadir, "%s/data", tmpdir);
    assert_int_equal(mkdir(datadir, 0700), 0);
    snprintf(d, sizeof d, "%s/spec", datadir);
    assert_int_equal(mkdir(d, 0700), 0);
    for (int i = 0; specs[i]; i++) {
        char in[PATH_MAX + 32], out[PATH_MAX + 64], line[4096];
        snprintf(in, sizeof in, "%s/spec/%s", top, specs[i]);
        snprintf(out, sizeof out, "%s/%s", d, specs[i]);
        FILE *fi = fopen(in, "r"), *fo = fopen(out, "w");
        assert_non_null(fi);
        assert_non_null(fo);
        while (fgets(line, sizeof line, fi)) {
            const char *p = line;
            if (p[0] == '-' && p[1] == ' ')
                p += 2;
            /* the rules of crosvm-final-encode.json and a few it leaves uncovered */
            if (!strncmp(p, "**CV-REV-", 9) || !strncmp(p, "**CV-PB-1", 9))
                fputs(line, fo);
        }
        fclose(fi);
        assert_int_equal(fclose(fo), 0);
    }
}
static int saved_out = -1, saved_err = -1;

/* stdout (and, unless ALLOCFAIL_VERBOSE is set, stderr) to /dev/null */
static void quiet(void)
{
    fflush(stdout);
    fflush(stderr);
    int nul = open("/dev/null", O_WRONLY);
    assert_true(nul >= 0);
    saved_out = dup(1);
    dup2(nul, 1);
    if (!getenv("ALLOCFAIL_VERBOSE")) {
        saved_err = dup(2);
        dup2(nul, 2);
    }
    close(nul);
}

static void loud(void)
{
    fflush(stdout);
    fflush(stderr);
    if (saved_out >= 0) {
        dup2(saved_out, 1);
        close(saved_out);
        saved_out = -1;
    }
    if (saved_err >= 0) {
        dup2(saved_err, 2);
        close(saved_err);
        saved_err = -1;
    }
}

static int run_main(int (*m)(int, char **), const char *const *args)
{
    char *argv[32];
    int argc = 0;
    while (args[argc] && argc < 31) {
        argv[argc] = (char *)(uintptr_t)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    optind = 0; /* getopt_long starts afresh */
    return m(argc, argv);
}

/* ---- the runner --------------------------------------------------------- */

struct runner_args {
    const char *mode; /* NULL: human report; else an extra option */
};

static int sc_runner(const void *arg)
{
    const struct runner_args *ra = arg;
    char v1[PATH_MAX + 64], v2[PATH_MAX + 64], junit[PATH_MAX + 16], js[PATH_MAX + 16],
        cov[PATH_MAX + 16], wf[PATH_MAX + 16];
    snprintf(v1, sizeof v1, "%s/conformance/vectors/crosvm-final-encode.json", top);
    snprintf(v2, sizeof v2, "%s/conformance/vectors/serial-guest.json", top);
    snprintf(junit, sizeof junit, "%s/j.xml", tmpdir);
    snprintf(js, sizeof js, "%s/r.json", tmpdir);
    snprintf(cov, sizeof cov, "%s/c.json", tmpdir);
    snprintf(wf, sizeof wf, "%s/f.txt", tmpdir);
    const char *args[32] = { "vmwire-conformance", "--strict-errors", "--data-dir", datadir,
                             "--junit", junit, "--json", js, "--coverage", cov,
                             "--write-failures", wf };
    int k = 12;
    if (ra->mode)
        args[k++] = ra->mode;
    args[k++] = v1;
    (void)v2;
    args[k] = NULL;
    quiet();
    int rc = run_main(vwc_runner_main, args);
    loud();
    if (failed && rc != 3) /* out of memory is the internal error, status 3 */
        wrong_result = 1;
    return rc == 0;
}

static void test_runner_main(void **state)
{
    (void)state;
    static const struct runner_args human = { NULL }, tap = { "--tap" },
                                    quietm = { "--quiet" };
    begin_test();
    long r0 = runs_total;
    run_failing(sc_runner, &human, "vmwire-conformance (human report, junit, json, coverage)");
    run_failing(sc_runner, &tap, "vmwire-conformance --tap");
    run_failing(sc_runner, &quietm, "vmwire-conformance --quiet");
    printf("# runner: %ld runs with one allocation failing\n", runs_total - r0);
    end_test();
}

/* --fuzz: generated requests against the built-in implementation, and
 * against a testee that answers every request wrongly, so that the
 * disagreements are minimised and written with --fuzz-out */
static char wrong_testee[PATH_MAX + 32];

static int sc_runner_fuzz(const void *arg)
{
    const int *with_testee = arg;
    char v1[PATH_MAX + 64], v2[PATH_MAX + 64], out[PATH_MAX + 16];
    snprintf(v1, sizeof v1, "%s/conformance/vectors/crosvm-final-encode.json", top);
    snprintf(v2, sizeof v2, "%s/conformance/vectors/serial-deframe.json", top);
    snprintf(out, sizeof out, "%s/fuzz-out.json", tmpdir);
    const char *args[24] = { "vmwire-conformance", "--data-dir", datadir, "--fuzz", "2", "--seed", "7" };
    int k = 7;
    if (*with_testee) {
        args[k++] = "--testee";
        args[k++] = wrong_testee;
        args[k++] = "--fuzz-out";
        args[k++] = out;
        args[k++] = v2;
    } else {
        args[k++] = v1;
        args[k++] = v2;
    }
    args[k] = NULL;
    quiet();
    int rc = run_main(vwc_runner_main, args);
    loud();
    unlink(out);
    if (failed && rc != 3) /* out of memory: status 3, never a verdict */
        wrong_result = 1;
    return rc == (*with_testee ? 1 : 0);
}

static void test_runner_fuzz(void **state)
{
    (void)state;
    static const int builtin = 0, testee = 1;
    snprintf(wrong_testee, sizeof wrong_testee, "%s/wrong-testee.sh", tmpdir);
    FILE *f = fopen(wrong_testee, "w");
    assert_non_null(f);
    /* answers each request with the right id and a wrong verdict */
    fputs("#!/bin/sh\n"
          "while IFS= read -r l; do\n"
          "  id=${l#*\\\"id\\\":\\\"}; id=${id%%\\\"*}\n"
          "  printf '{\"id\":\"%s\",\"result\":\"invalid\",\"error\":\"bad_tag\"}\\n' \"$id\"\n"
          "done\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(wrong_testee, 0700), 0);
    begin_test();
    long r0 = runs_total;
    run_failing(sc_runner_fuzz, &builtin, "vmwire-conformance --fuzz");
    run_failing(sc_runner_fuzz, &testee, "vmwire-conformance --fuzz --testee (disagreements) --fuzz-out");
    printf("# runner --fuzz: %ld runs with one allocation failing\n", runs_total - r0);
    unlink(wrong_testee);
    end_test();
}

/* --list and the selection options */
static int sc_runner_list(const void *arg)
{
    (void)arg;
    char v1[PATH_MAX + 64];
    snprintf(v1, sizeof v1, "%s/conformance/vectors/crosvm-final-encode.json", top);
    const char *args[] = { "vmwire-conformance", "--data-dir", datadir, "--list", "--verbose",
                           "--protocol", "crosvm", "--rules", "CV-REV-*", v1, NULL };
    quiet();
    int rc = run_main(vwc_runner_main, args);
    loud();
    if (failed && rc != 3)
        wrong_result = 1;
    return rc == 0;
}

static void test_runner_list(void **state)
{
    (void)state;
    begin_test();
    run_failing(sc_runner_list, NULL, "vmwire-conformance --list --verbose");
    end_test();
}

/* The reply parser the runner applies to each line a testee writes. */
static int sc_parse_answer(const void *arg)
{
    enum vwc_fault fault;
    char err[256];
    const char *line = arg;
    json_t *j = vwc_parse_answer(line, strlen(line), 1u << 20, &fault, err, sizeof err);
    if (!j)
        return 0;
    json_decref(j);
    return 1;
}

static void test_parse_answer(void **state)
{
    (void)state;
    begin_test();
    run_failing(sc_parse_answer,
                "{\"id\":\"x-1\",\"result\":\"valid\",\"output\":{\"a\":[1,2,{\"b\":\"c\"}]}}",
                "vwc_parse_answer");
    run_failing(sc_parse_answer, "{\"id\":\"x-2\",\"result\":\"invalid\",\"error\":\"truncated\"}",
                "vwc_parse_answer (invalid)");
    end_test();
}

/* ---- the testee ---------------------------------------------------------- */

static char requests[PATH_MAX + 32];

/* The first case of each of the first three groups of a few vector files,
 * as requests (tests/vector_requests.h), and some malformed lines. */
static void write_requests(void)
{
    static const char *const files[] = { "ic-heartbeat.json", "crosvm-final-encode.json",
                                         "serial-guest.json", "bridge.json", NULL };
    snprintf(requests, sizeof requests, "%s/requests.jsonl", tmpdir);
    FILE *out = fopen(requests, "w");
    assert_non_null(out);
    json_t *reqs = json_array();
    for (int f = 0; files[f]; f++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/conformance/vectors/%s", top, files[f]);
        vector_requests_of_file(path, 3, reqs);
    }
    int n = 0;
    size_t i;
    json_t *req;
    json_array_foreach(reqs, i, req) {
        char *s = json_dumps(req, JSON_COMPACT);
        if (s) {
            fprintf(out, "%s\n", s);
            free(s);
            n++;
        }
    }
    json_decref(reqs);
    fputs("\n   \nnot json\n[1,2]\n{\"id\":\"no-op\"}\n", out);
    assert_int_equal(fclose(out), 0);
    assert_true(n >= 4);
}

static int sc_testee(const void *arg)
{
    (void)arg;
    assert_non_null(freopen(requests, "r", stdin));
    const char *args[] = { "vmwire-testee", NULL };
    quiet();
    int rc = run_main(vwt_testee_main, args);
    loud();
    /* the testee answers every line or stops; exit 0 only if all answered,
     * 3 when it ran out of memory */
    if (failed && rc != 3)
        wrong_result = 1;
    return rc == 0;
}

static void test_testee_main(void **state)
{
    (void)state;
    begin_test();
    write_requests();
    long r0 = runs_total;
    run_failing(sc_testee, NULL, "vmwire-testee");
    printf("# testee: %ld runs with one allocation failing\n", runs_total - r0);
    end_test();
}

/* ---- the vmwire command ---------------------------------------------------- */

struct cli_case {
    int want; /* its exit status when no allocation fails */
    const char *args[12]; /* after "vmwire"; "@HEX" is a file of hex text, "@TOP/" the source tree */
};

static char hexfile[PATH_MAX + 32];

static int sc_cli(const void *arg)
{
    const struct cli_case *cc = arg;
    char bufs[4][PATH_MAX + 96];
    const char *args[16] = { "vmwire" };
    int k = 1, nb = 0;
    for (int i = 0; cc->args[i] && k < 15; i++) {
        const char *a = cc->args[i];
        if (!strcmp(a, "@HEX")) {
            a = hexfile;
        } else if (!strncmp(a, "@TOP/", 5) && nb < 4) {
            snprintf(bufs[nb], sizeof bufs[nb], "%s/%s", top, a + 5);
            a = bufs[nb++];
        }
        args[k++] = a;
    }
    args[k] = NULL;
    assert_non_null(freopen("/dev/null", "r", stdin));
    quiet();
    int rc = run_main(vwcli_main, args);
    loud();
    if (failed && rc != 3) /* out of memory: status 3, never a verdict */
        wrong_result = 1;
    return rc == cc->want;
}

static void test_cli_main(void **state)
{
    (void)state;
    static const struct cli_case cases[] = {
        { 0, { "decode", "crosvm.final.MainRequest", "0a0d1a0b10ffffffffffffffffff01" } },
        { 0, { "decode", "crosvm.final.MainRequest", "--annotate", "0a0d1a0b10ffffffffffffffffff01" } },
        { 1, { "decode", "ic.message", "--annotate", "0300000001000300000010000000000000000000" } },
        { 1, { "validate", "ic.message", "@HEX" } },
        { 0, { "encode", "crosvm.final.MainRequest", "{\"create\":{\"memory\":{\"start\":\"18446744073709551615\"}}}" } },
        { 0, { "encode", "--binary", "crosvm.final.MainRequest", "{\"create\":{\"memory\":{\"start\":\"1\"}}}" } },
        { 0, { "deframe", "serial.stream", "00", "0102" } },
        { 0, { "request", "{\"id\":\"x\",\"operation\":\"decode\",\"message\":\"crosvm.final.VcpuRequest\",\"input\":\"7801\"}" } },
        { 0, { "frames", "0300", "0a0108", "0200", "1001" } },
        { 0, { "bridge", "rcx=0x42494d56", "rdx=0x10001", "--handlers", "@TOP/conformance/vectors/bridge.json" } },
        { 0, { "ic", "--session", "--role", "guest", "--service", "heartbeat",
               "0100000030000000030000000100030000001c000000000000030000000000000000000000000000000000000000000000000000000000" } },
        { 0, { "kinds" } },
        { 0, { "--help" } },
    };
    snprintf(hexfile, sizeof hexfile, "%s/ic.hex", tmpdir);
    FILE *f = fopen(hexfile, "w");
    assert_non_null(f);
    fputs("00000000: 0300 0000 0100 0300 0000 1000 0000 0000  ................\n"
          "00000010: 0000 0000                                ....\n", f);
    assert_int_equal(fclose(f), 0);
    begin_test();
    long r0 = runs_total;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[160];
        snprintf(what, sizeof what, "vmwire %s %s", cases[i].args[0], cases[i].args[1] ? cases[i].args[1] : "");
        run_failing(sc_cli, &cases[i], what);
    }
    printf("# vmwire: %ld runs with one allocation failing\n", runs_total - r0);
    unlink(hexfile);
    end_test();
}

int main(void)
{
    json_set_alloc_funcs(j_malloc, j_free);
    const char *t = getenv("top_srcdir");
    assert_non_null(realpath(t ? t : ".", top));
    snprintf(tmpdir, sizeof tmpdir, "%s", "allocfail-runner.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    make_datadir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_answer),
        cmocka_unit_test(test_runner_list),
        cmocka_unit_test(test_runner_main),
        cmocka_unit_test(test_runner_fuzz),
        cmocka_unit_test(test_testee_main),
        cmocka_unit_test(test_cli_main),
    };
    int rc = cmocka_run_group_tests_name("allocfail_runner", tests, NULL, NULL);
    const char *names[] = { "j.xml", "r.json", "c.json", "f.txt", "requests.jsonl", NULL };
    for (int i = 0; names[i]; i++) {
        char p[PATH_MAX + 32];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    static const char *const specs[] = { "crosvm.md", NULL };
    for (int i = 0; specs[i]; i++) {
        char p[PATH_MAX + 64];
        snprintf(p, sizeof p, "%s/spec/%s", datadir, specs[i]);
        unlink(p);
    }
    char sd[PATH_MAX + 32];
    snprintf(sd, sizeof sd, "%s/spec", datadir);
    rmdir(sd);
    rmdir(datadir);
    rmdir(tmpdir);
    return rc;
}
