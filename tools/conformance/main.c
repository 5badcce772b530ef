/* vmwire-conformance: runs the golden vectors against the built-in
 * implementation (default) or a vendor's testee program (--testee), and
 * reports rule by rule. See conformance/README.md. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "common/operations.h"
#include "conformance/runner.h"
#include "vmwire/version.h"

static const char *const operations[] = { VWT_OPERATION_NAMES };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmwire-conformance [OPTIONS] [VECTOR_FILE_OR_DIR...]\n"
            "\n"
            "Runs the vmwire golden vectors against the built-in implementation, or\n"
            "against a vendor's program speaking the JSON Lines testee interface\n"
            "(conformance/README.md). Without file arguments it runs every file in\n"
            "DATA_DIR/conformance/vectors.\n"
            "\n"
            "Testee:\n"
            "  --testee 'CMD ARGS'      drive this program over stdin/stdout: a plain command line\n"
            "                           (words without shell syntax) is executed directly, anything\n"
            "                           else is run by /bin/sh -c\n"
            "  --timeout SECONDS        per-case limit for a testee (default 10)\n"
            "  --startup-timeout SECONDS  limit for a fresh testee to answer the hello request\n"
            "                           (default 30); start-up is not charged to a case\n"
            "  --start-attempts N       give up after N fresh testees in a row fail to start (no\n"
            "                           hello answer, exit, crash, timeout): the remaining cases\n"
            "                           fail as not run (default 3). A case that crashes a started\n"
            "                           testee fails alone: the runner restarts it and goes on\n"
            "  --no-hello               send no hello: the first case of each fresh testee gets\n"
            "                           --startup-timeout on top of --timeout, and a fault there\n"
            "                           counts as a failed start\n"
            "  --max-answer-bytes N     longest answer line accepted (default 1048576)\n"
            "  --stderr-limit N         bytes of the testee's stderr kept per case, the last ones\n"
            "                           (default 16384; the report notes what was cut)\n"
            "Selection (options combine; repeat --protocol/--case/--rules for several):\n"
            "  --protocol NAME[,NAME]   only vector files of these protocols\n"
            "  --operation OP           only cases of this operation\n"
            "  --case GLOB              only cases whose id matches GLOB\n"
            "  --case-file FILE         only the cases listed in FILE (the --write-failures format);\n"
            "                           an entry matching no case is an error\n"
            "  --rules GLOB             only cases checking a rule that matches GLOB\n"
            "  --message GLOB           only cases of a message kind matching GLOB\n"
            "  --list                   print the selected case ids and exit\n"
            "Policy:\n"
            "  --strict-errors          also compare error names of invalid cases\n"
            "  --expected-failures FILE case ids or globs known to fail (one per line, # comments):\n"
            "                           they are reported as xfail and do not fail the run; a\n"
            "                           listed case that passes is an XPASS and fails the run\n"
            "  --require NAME[,NAME]    these protocols must be implemented: a case of theirs that\n"
            "                           the testee skips fails (fault skipped_required)\n"
            "  --fail-on-skip           every protocol is required\n"
            "Reports (every report path is checked writable before the run):\n"
            "  --junit FILE             JUnit XML (a testsuite per protocol)\n"
            "  --json FILE              machine-readable report ('-' for stdout)\n"
            "  --coverage FILE          spec rule coverage table ('-' for stdout)\n"
            "  --write-failures FILE    write the failing case ids, ready for --expected-failures\n"
            "                           and --case-file\n"
            "  --tap                    print TAP (one test per case); the human report follows as\n"
            "                           '# ' comment lines\n"
            "  --verbose                print every case as it runs\n"
            "  --quiet                  print only the totals and the verdict line\n"
            "Differential fuzzing (conformance/README.md, \"Differential fuzzing\"):\n"
            "  --fuzz N                 instead of the cases, send N generated requests for each selected\n"
            "                           operation and message kind, built from the selected cases (their\n"
            "                           parameters) and mutated; the built-in implementation's answer is\n"
            "                           the expectation. Disagreements are minimised; exit 1 if any,\n"
            "                           3 out of memory (the run stops: FUZZ NOT JUDGED)\n"
            "  --seed S                 seed of the generators (default 1); a run is deterministic\n"
            "  --fuzz-time SECONDS      stop after this long (shared equally by the kinds)\n"
            "  --fuzz-out FILE          write the minimised disagreements as a vector file (one per\n"
            "                           protocol: FILE.<protocol>.json when several protocols disagree)\n"
            "Other:\n"
            "  --data-dir DIR           where conformance/vectors and spec/ live. Default, in order:\n"
            "                           $VMWIRE_DATADIR; BINDIR/../share/vmwire next to this program;\n"
            "                           the source tree for a program in the build tree; %s\n"
            "  --version                print versions and the data directory\n"
            "  --help                   this text\n"
            "\n"
            "Verdict: CONFORMANCE PASSED needs at least one judged case; when cases were\n"
            "skipped it says how many, e.g. CONFORMANCE PASSED (190 of 1015 judged, 825 skipped).\n"
            "Exit status: 0 passed (every selected case passed, was skipped by the testee or is\n"
            "an expected failure, and at least one was judged); 1 a case failed, an expected\n"
            "failure passed, a required protocol was skipped, cases were not run, or nothing\n"
            "was judged; 2 usage or selection error, vector error or unwritable report\n"
            "(nothing is run); 3 internal error: the runner ran out of memory, so a case,\n"
            "a report line or a member may be missing and no verdict holds.\n",
            VW_PKGDATADIR);
}

static bool has_vectors(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    int w = snprintf(path, sizeof path, "%s/conformance/vectors", dir);
    return w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where conformance/vectors and spec/ live: $VMWIRE_DATADIR; next to an
 * installed (possibly relocated or DESTDIR-staged) binary, BINDIR/../share/
 * vmwire; the source tree for a binary in the build tree; the configured
 * pkgdatadir. */
static const char *default_data_dir(void)
{
    static char buf[PATH_MAX];
    const char *env = getenv("VMWIRE_DATADIR");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            /* libtool keeps the uninstalled binary in tools/.libs */
            size_t l = strlen(exe);
            bool in_build = (l >= 6 && !strcmp(exe + l - 6, "/.libs")) ||
                            !strncmp(exe, VW_BUILDDIR "/", strlen(VW_BUILDDIR) + 1);
            if (in_build && has_vectors(VW_SRCDIR))
                return realpath(VW_SRCDIR, buf) ? buf : VW_SRCDIR;
            char rel[PATH_MAX];
            int w = snprintf(rel, sizeof rel, "%s/../share/%s", exe, PACKAGE_TARNAME);
            if (w > 0 && (size_t)w < sizeof rel && has_vectors(rel))
                return realpath(rel, buf) ? buf : strcpy(buf, rel);
        }
    }
    if (has_vectors(VW_PKGDATADIR))
        return VW_PKGDATADIR;
    if (has_vectors(VW_SRCDIR))
        return realpath(VW_SRCDIR, buf) ? buf : VW_SRCDIR;
    return VW_PKGDATADIR;
}

struct glob_list {
    const char *g[64];
    size_t n;
};

static int glob_add(struct glob_list *l, const char *v, const char *opt)
{
    if (l->n == sizeof l->g / sizeof l->g[0]) {
        fprintf(stderr, "vmwire-conformance: too many %s options\n", opt);
        return -1;
    }
    l->g[l->n++] = v;
    return 0;
}

static bool glob_any(const struct glob_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (fnmatch(l->g[i], s, 0) == 0)
            return true;
    return false;
}

static bool rules_match(const json_t *rules, const struct glob_list *l)
{
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) if (glob_any(l, json_string_value(r))) return true;
    return false;
}

/* --protocol ic,serial: is @p p in the comma-separated lists? */
static bool proto_listed(const struct glob_list *l, const char *p)
{
    size_t pl = strlen(p);
    for (size_t i = 0; i < l->n; i++) {
        for (const char *s = l->g[i]; *s;) {
            size_t n = strcspn(s, ",");
            if (n == pl && !strncmp(s, p, n))
                return true;
            s += n + (s[n] == ',');
        }
    }
    return false;
}

/* Is p in the comma-separated list? */
static bool list_has(const char *list, const char *p)
{
    size_t pl = strlen(p);
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ",");
        if (n == pl && !strncmp(s, p, n))
            return true;
        s += n + (s[n] == ',');
    }
    return false;
}

/* Can a report be written at path? Checked before the run, so that a typo
 * does not cost a whole run. Creates nothing that was not there. */
static bool writable(const char *path, const char *opt)
{
    if (!strcmp(path, "-"))
        return true;
    struct stat st;
    const char *why = NULL;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            why = "is a directory";
        } else {
            int fd = open(path, O_WRONLY | O_APPEND);
            if (fd < 0)
                why = strerror(errno);
            else
                close(fd);
        }
    } else {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0) {
            why = strerror(errno);
        } else {
            close(fd);
            unlink(path);
        }
    }
    if (why)
        fprintf(stderr, "vmwire-conformance: %s %s: cannot write (%s); nothing was run\n", opt, path, why);
    return !why;
}

static bool parse_size(const char *arg, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v > (1ull << 34))
        return false;
    *out = (size_t)v;
    return true;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void tap_line(const struct vwc_case *c, size_t n)
{
    char d[300];
    snprintf(d, sizeof d, "%s", c->detail ? c->detail : "");
    for (char *p = d; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '#')
            *p = ' ';
    switch (c->verdict) {
    case VWC_PASS: printf("ok %zu - %s\n", n, c->id); break;
    case VWC_SKIP: printf("ok %zu - %s # SKIP %s\n", n, c->id, d); break;
    case VWC_XFAIL: printf("not ok %zu - %s # TODO expected failure: %s\n", n, c->id, d); break;
    case VWC_XPASS: printf("ok %zu - %s # TODO listed as an expected failure, but passes\n", n, c->id); break;
    case VWC_FAIL: printf("not ok %zu - %s: %s\n", n, c->id, d); break;
    case VWC_NVERDICTS: break;
    }
    fflush(stdout);
}

static void mark_extra(struct vwc_case *c, const char *why)
{
    c->verdict = VWC_FAIL;
    c->fault = VWC_FAULT_EXTRA;
    vwc_set_detail(c, "%s", why);
}

static void finalise(struct vwc_run *run, struct vwc_case *c, size_t n)
{
    const struct vwc_options *o = run->opt;
    if (c->verdict == VWC_SKIP && (o->fail_on_skip || (o->require && list_has(o->require, c->protocol)))) {
        char *why = c->detail ? strdup(c->detail) : NULL;
        if (c->detail && !why)
            vwt_nomem();
        c->verdict = VWC_FAIL;
        c->fault = VWC_FAULT_REQUIRED;
        vwc_set_detail(c, "skipped (%s), but protocol %s is required (%s)", why ? why : "", c->protocol,
                       o->fail_on_skip ? "--fail-on-skip" : "--require");
        free(why);
    }
    if (c->fault == VWC_FAULT_START)
        run->not_run++;
    if (c->listed) {
        if (c->verdict == VWC_FAIL) {
            c->verdict = VWC_XFAIL;
        } else if (c->verdict == VWC_PASS) {
            c->verdict = VWC_XPASS;
            vwc_set_detail(c, "listed in %s as an expected failure, but passes: remove it from the list",
                           o->xfail_path);
        }
    }
    run->tot[c->verdict]++;
    if (o->tap)
        tap_line(c, n);
    else if (o->verbose)
        printf("%-5s %s%s%s\n", vwc_verdict_name(c->verdict), c->id, c->detail ? ": " : "", c->detail ? c->detail : "");
}

static int write_failures(const struct vwc_suite *s, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vmwire-conformance: --write-failures %s: cannot write\n", path);
        return -1;
    }
    fprintf(f, "# vmwire-conformance expected failures: one case id or glob per line\n");
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (c->selected && (c->verdict == VWC_FAIL || c->verdict == VWC_XFAIL)) {
            char d[128];
            snprintf(d, sizeof d, "%s", c->detail ? c->detail : "");
            for (char *p = d; *p; p++)
                if (*p == '\n' || *p == '\r')
                    *p = ' ';
            fprintf(f, "%s  # %s\n", c->id, d);
        }
    }
    return fclose(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct vwc_options o = { .timeout = 10.0, .startup_timeout = 30.0, .start_attempts = 3, .max_answer = 1u << 20,
                             .stderr_limit = 16384 };
    struct glob_list protos = { 0 }, cases = { 0 }, rulesg = { 0 };
    const char *only_op = NULL, *write_fail = NULL;
    bool list = false;
    vwt_nomem_watch(); /* an allocation failing anywhere ends the run with status 3 */
    enum {
        OPT_TESTEE = 256, OPT_TIMEOUT, OPT_PROTOCOL, OPT_OPERATION, OPT_CASE, OPT_RULES, OPT_STRICT, OPT_DATADIR,
        OPT_TAP, OPT_VERBOSE, OPT_QUIET, OPT_HELP, OPT_XFAIL, OPT_JUNIT, OPT_JSON, OPT_COVERAGE, OPT_LIST,
        OPT_VERSION, OPT_WRITEFAIL, OPT_STARTUP, OPT_ATTEMPTS, OPT_NOHELLO, OPT_MAXANSWER, OPT_STDERRLIMIT,
        OPT_REQUIRE, OPT_FAILONSKIP, OPT_CASEFILE, OPT_FUZZ, OPT_SEED, OPT_FUZZTIME, OPT_FUZZOUT, OPT_MESSAGE
    };
    struct vwc_fuzz_options fuzz = { .seed = 1 };
    bool fuzzing = false;
    struct glob_list messages = { 0 };
    static const struct option longopts[] = {
        { "testee", required_argument, NULL, OPT_TESTEE },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "protocol", required_argument, NULL, OPT_PROTOCOL },
        { "operation", required_argument, NULL, OPT_OPERATION },
        { "case", required_argument, NULL, OPT_CASE },
        { "rules", required_argument, NULL, OPT_RULES },
        { "strict-errors", no_argument, NULL, OPT_STRICT },
        { "data-dir", required_argument, NULL, OPT_DATADIR },
        { "expected-failures", required_argument, NULL, OPT_XFAIL },
        { "junit", required_argument, NULL, OPT_JUNIT },
        { "json", required_argument, NULL, OPT_JSON },
        { "coverage", required_argument, NULL, OPT_COVERAGE },
        { "write-failures", required_argument, NULL, OPT_WRITEFAIL },
        { "list", no_argument, NULL, OPT_LIST },
        { "tap", no_argument, NULL, OPT_TAP },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "version", no_argument, NULL, OPT_VERSION },
        { "help", no_argument, NULL, OPT_HELP },
        { "startup-timeout", required_argument, NULL, OPT_STARTUP },
        { "start-attempts", required_argument, NULL, OPT_ATTEMPTS },
        { "no-hello", no_argument, NULL, OPT_NOHELLO },
        { "max-answer-bytes", required_argument, NULL, OPT_MAXANSWER },
        { "stderr-limit", required_argument, NULL, OPT_STDERRLIMIT },
        { "require", required_argument, NULL, OPT_REQUIRE },
        { "fail-on-skip", no_argument, NULL, OPT_FAILONSKIP },
        { "case-file", required_argument, NULL, OPT_CASEFILE },
        { "fuzz", required_argument, NULL, OPT_FUZZ },
        { "seed", required_argument, NULL, OPT_SEED },
        { "fuzz-time", required_argument, NULL, OPT_FUZZTIME },
        { "fuzz-out", required_argument, NULL, OPT_FUZZOUT },
        { "message", required_argument, NULL, OPT_MESSAGE },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    bool version = false;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_TESTEE:
            if (!*optarg) {
                fprintf(stderr, "vmwire-conformance: --testee needs a command\n");
                return 2;
            }
            o.testee = optarg;
            break;
        case OPT_TIMEOUT: {
            char *end;
            o.timeout = strtod(optarg, &end);
            if (*end || !(o.timeout > 0) || o.timeout > 86400) {
                fprintf(stderr, "vmwire-conformance: bad --timeout %s (seconds, > 0)\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_STARTUP: {
            char *end;
            o.startup_timeout = strtod(optarg, &end);
            if (*end || !(o.startup_timeout > 0) || o.startup_timeout > 86400) {
                fprintf(stderr, "vmwire-conformance: bad --startup-timeout %s (seconds, > 0)\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_ATTEMPTS: {
            size_t v;
            if (!parse_size(optarg, &v) || v < 1 || v > 1000) {
                fprintf(stderr, "vmwire-conformance: bad --start-attempts %s (1 to 1000)\n", optarg);
                return 2;
            }
            o.start_attempts = (unsigned)v;
            break;
        }
        case OPT_NOHELLO: o.no_hello = true; break;
        case OPT_MAXANSWER:
            if (!parse_size(optarg, &o.max_answer) || o.max_answer < 64) {
                fprintf(stderr, "vmwire-conformance: bad --max-answer-bytes %s (64 or more)\n", optarg);
                return 2;
            }
            break;
        case OPT_STDERRLIMIT:
            if (!parse_size(optarg, &o.stderr_limit)) {
                fprintf(stderr, "vmwire-conformance: bad --stderr-limit %s (bytes)\n", optarg);
                return 2;
            }
            break;
        case OPT_REQUIRE:
            if (!*optarg || o.require) {
                fprintf(stderr, "vmwire-conformance: --require takes one comma-separated list of protocols\n");
                return 2;
            }
            o.require = optarg;
            break;
        case OPT_FAILONSKIP: o.fail_on_skip = true; break;
        case OPT_CASEFILE: o.case_file = optarg; break;
        case OPT_FUZZ:
            if (!parse_size(optarg, &fuzz.n) || fuzz.n < 1) {
                fprintf(stderr, "vmwire-conformance: bad --fuzz %s (requests per message kind, 1 or more)\n", optarg);
                return 2;
            }
            fuzzing = true;
            break;
        case OPT_SEED: {
            size_t v;
            if (!parse_size(optarg, &v)) {
                fprintf(stderr, "vmwire-conformance: bad --seed %s (a number)\n", optarg);
                return 2;
            }
            fuzz.seed = v;
            break;
        }
        case OPT_FUZZTIME: {
            char *end;
            fuzz.seconds = strtod(optarg, &end);
            if (*end || !(fuzz.seconds > 0) || fuzz.seconds > 1e7) {
                fprintf(stderr, "vmwire-conformance: bad --fuzz-time %s (seconds, > 0)\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_FUZZOUT: fuzz.out = optarg; break;
        case OPT_MESSAGE:
            if (glob_add(&messages, optarg, "--message"))
                return 2;
            break;
        case OPT_PROTOCOL:
            if (glob_add(&protos, optarg, "--protocol"))
                return 2;
            break;
        case OPT_OPERATION: {
            bool ok = false;
            for (const char *const *p = operations; *p; p++)
                ok |= !strcmp(*p, optarg);
            if (!ok) {
                fprintf(stderr, "vmwire-conformance: unknown --operation %s (decode, encode, validate, respond, "
                                "session, deframe or dispatch)\n", optarg);
                return 2;
            }
            only_op = optarg;
            break;
        }
        case OPT_CASE:
            if (glob_add(&cases, optarg, "--case"))
                return 2;
            break;
        case OPT_RULES:
            if (glob_add(&rulesg, optarg, "--rules"))
                return 2;
            break;
        case OPT_STRICT: o.strict_errors = true; break;
        case OPT_DATADIR: o.data_dir = optarg; break;
        case OPT_XFAIL: o.xfail_path = optarg; break;
        case OPT_JUNIT: o.junit = optarg; break;
        case OPT_JSON: o.json = optarg; break;
        case OPT_COVERAGE: o.coverage = optarg; break;
        case OPT_WRITEFAIL: write_fail = optarg; break;
        case OPT_LIST: list = true; break;
        case OPT_TAP: o.tap = true; break;
        case OPT_VERBOSE: o.verbose = true; break;
        case OPT_QUIET: o.quiet = true; break;
        case OPT_VERSION: version = true; break;
        case OPT_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.data_dir)
        o.data_dir = default_data_dir();
    if (version) {
        printf("vmwire-conformance %s (libvmwire %s, testee interface %d)\n", PACKAGE_VERSION, vw_version(),
               VWC_INTERFACE_VERSION);
        printf("data directory: %s%s\n", o.data_dir, has_vectors(o.data_dir) ? "" : " (no conformance/vectors there)");
        return 0;
    }
    if (o.json && o.tap && !strcmp(o.json, "-")) {
        fprintf(stderr, "vmwire-conformance: --json - and --tap both want stdout\n");
        return 2;
    }

    if ((o.junit && !writable(o.junit, "--junit")) || (o.json && !writable(o.json, "--json")) ||
        (o.coverage && !writable(o.coverage, "--coverage")) ||
        (write_fail && !writable(write_fail, "--write-failures")))
        return 2;

    /* Load the vectors, the spec rules and the expected failures. */
    struct vwc_suite s = { 0 };
    struct vwc_specs sp = { 0 };
    struct vwc_xfails xf = { 0 };
    struct vwc_xfails cf = { .option = "--case-file" };
    int rc = 0;
    bool explicit_files = optind < argc;
    if (explicit_files) {
        for (int i = optind; i < argc && !rc; i++)
            rc = vwc_load(&s, argv[i]);
    } else {
        char dir[PATH_MAX];
        int w = snprintf(dir, sizeof dir, "%s/conformance/vectors", o.data_dir);
        rc = w > 0 && (size_t)w < sizeof dir ? vwc_load(&s, dir) : -1;
    }
    char specdir[PATH_MAX];
    int w = snprintf(specdir, sizeof specdir, "%s/spec", o.data_dir);
    if (!rc && (w <= 0 || (size_t)w >= sizeof specdir))
        rc = -1;
    if (!rc && vwc_specs_load(&sp, specdir))
        rc = -1;
    if (!rc && vwc_specs_check(&sp, &s))
        rc = -1;
    if (rc) {
        fprintf(stderr, "vmwire-conformance: vector error: nothing was run\n");
        goto out2;
    }
    if (o.xfail_path) {
        if (vwc_xfails_load(&xf, o.xfail_path))
            goto out2;
        vwc_xfails_mark(&xf, &s);
    }

    if (o.case_file) {
        if (vwc_xfails_load(&cf, o.case_file))
            goto out2;
        for (size_t i = 0; i < s.n; i++)
            s.cases[i].in_case_file = vwc_xfails_matches(&cf, s.cases[i].id);
        for (size_t i = 0; i < cf.n; i++) {
            if (!cf.e[i].matched) {
                fprintf(stderr, "vmwire-conformance: %s:%u: %s matches no loaded case\n", o.case_file, cf.e[i].line,
                        cf.e[i].pattern);
                rc = -1;
            }
        }
        if (!rc && !cf.n) {
            fprintf(stderr, "vmwire-conformance: --case-file %s lists no case\n", o.case_file);
            rc = -1;
        }
        if (rc)
            goto out2;
    }
    if (o.require) {
        for (const char *p = o.require; *p;) {
            size_t n = strcspn(p, ",");
            bool known = false;
            for (size_t k = 0; k < s.n && !known; k++)
                known = strlen(s.cases[k].protocol) == n && !strncmp(s.cases[k].protocol, p, n);
            if (!known || !n) {
                fprintf(stderr, "vmwire-conformance: --require %.*s: no loaded vector file has this protocol\n",
                        (int)n, p);
                rc = -1;
            }
            p += n + (p[n] == ',');
        }
        if (rc)
            goto out2;
    }

    /* Select. Cases not selected are not run, nor counted. */
    if (protos.n) {
        for (size_t i = 0; i < protos.n; i++) {
            for (const char *p = protos.g[i]; *p;) {
                size_t n = strcspn(p, ",");
                bool known = false;
                for (size_t k = 0; k < s.n && !known; k++)
                    known = strlen(s.cases[k].protocol) == n && !strncmp(s.cases[k].protocol, p, n);
                if (!known) {
                    fprintf(stderr, "vmwire-conformance: --protocol %.*s: no loaded vector file has this protocol\n",
                            (int)n, p);
                    rc = -1;
                }
                p += n + (p[n] == ',');
            }
        }
        if (rc)
            goto out2;
    }
    size_t nsel = 0;
    for (size_t i = 0; i < s.n; i++) {
        struct vwc_case *c = &s.cases[i];
        c->selected = (!protos.n || proto_listed(&protos, c->protocol)) && (!only_op || !strcmp(only_op, c->operation)) &&
                      (!cases.n || glob_any(&cases, c->id)) && (!rulesg.n || rules_match(c->rules, &rulesg)) &&
                      (!o.case_file || c->in_case_file) && (!messages.n || glob_any(&messages, c->message));
        nsel += c->selected;
    }
    if (nsel == 0) {
        fprintf(stderr, "vmwire-conformance: no case matches the selection\n");
        goto out2;
    }

    if (fuzzing && !list) {
        if (o.junit || o.json || o.coverage || write_fail || o.tap || o.xfail_path) {
            fprintf(stderr, "vmwire-conformance: --fuzz writes no --junit, --json, --coverage, --write-failures "
                            "or --tap report and takes no --expected-failures: use --fuzz-out\n");
            goto out2;
        }
        if (fuzz.out && !writable(fuzz.out, "--fuzz-out")) {
            rc = 2;
            goto out;
        }
        rc = vwc_fuzz(&o, &s, &fuzz);
        goto out;
    }
    if ((fuzz.out || fuzz.seconds > 0) && !fuzzing) {
        fprintf(stderr, "vmwire-conformance: --fuzz-time and --fuzz-out need --fuzz N\n");
        goto out2;
    }

    if (list) {
        for (size_t i = 0; i < s.n; i++) {
            const struct vwc_case *c = &s.cases[i];
            if (!c->selected)
                continue;
            if (o.verbose) {
                char *rl = json_dumps(c->rules, JSON_COMPACT);
                printf("%s\t%s\t%s\t%s\n", c->id, c->operation, c->message, rl ? rl : "");
                free(rl);
            } else {
                printf("%s\n", c->id);
            }
        }
        rc = 0;
        goto out;
    }

    /* Run. */
    struct vwc_run run = { .opt = &o, .suite = &s, .specs = &sp, .xfails = o.xfail_path ? &xf : NULL,
                           .nselected = nsel };
    time_t t0 = time(NULL);
    struct tm tm;
    gmtime_r(&t0, &tm);
    strftime(run.started, sizeof run.started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    double start = now();
    struct vwc_backend *b = vwc_backend_new(&o);
    if (!b) {
        vwt_nomem();
        fprintf(stderr, "vmwire-conformance: out of memory\n");
        goto out2;
    }
    if (o.tap) {
        printf("1..%zu\n", nsel);
        fflush(stdout);
    }
    /* A case is finalised (expected-failure list applied, counted, printed)
     * only after the next call, which may reveal that the testee answered it
     * twice. */
    size_t n = 0;
    struct vwc_case *pending = NULL;
    for (size_t i = 0; i <= s.n; i++) {
        struct vwc_case *c = i < s.n ? &s.cases[i] : NULL;
        if (c && !c->selected)
            continue;
        char err[1024];
        if (c) {
            double t = now();
            json_t *resp = vwc_backend_call(b, c->request, &c->fault, err, sizeof err, &c->stderr_text);
            if (!resp) {
                c->verdict = VWC_FAIL;
                vwc_set_detail(c, "%s", err);
            } else {
                vwc_judge(c, resp, o.strict_errors);
                c->got = resp;
                if (vwc_backend_extra(b, 0, err, sizeof err))
                    mark_extra(c, err);
            }
            c->seconds = now() - t;
            const char *late = vwc_backend_late(b, err, sizeof err);
            if (late && pending && !strcmp(late, pending->id))
                mark_extra(pending, err);
        } else if (pending && vwc_backend_extra(b, 50, err, sizeof err)) {
            mark_extra(pending, err); /* the last case: a short wait for stray lines */
        }
        if (pending)
            finalise(&run, pending, ++n);
        pending = c;
    }
    run.starts = vwc_backend_starts(b);
    vwc_backend_free(b);
    run.seconds = now() - start;
    vwc_specs_tally(&sp, &s);
    run.exit_status = run.tot[VWC_FAIL] || run.tot[VWC_XPASS] || vwc_judged(&run) == 0 ? 1 : 0;
    if (vwt_nomem_seen())
        run.exit_status = 3; /* a case or a report line may be missing: not judged */
    rc = run.exit_status;
    char headline[200];
    vwc_headline(&run, headline, sizeof headline);

    if (o.tap) {
        vwc_report_human(&run, stdout, "# ");
    } else if (o.quiet) {
        printf("conformance: %zu cases: %zu passed, %zu failed, %zu skipped, %zu expected failures, "
               "%zu unexpected passes\n",
               nsel, run.tot[VWC_PASS], run.tot[VWC_FAIL], run.tot[VWC_SKIP], run.tot[VWC_XFAIL],
               run.tot[VWC_XPASS]);
        printf("%s\n", headline);
    } else if (!(o.json && !strcmp(o.json, "-"))) {
        vwc_report_human(&run, stdout, NULL);
    }
    fflush(stdout);
    if ((o.junit && vwc_report_junit(&run, o.junit)) || (o.json && vwc_report_json(&run, o.json)) ||
        (o.coverage && vwc_report_coverage(&run, o.coverage)) || (write_fail && write_failures(&s, write_fail)))
        rc = 2;
    goto out;
out2:
    rc = 2;
out:
    if (vwt_nomem_seen()) {
        /* whatever was printed or written may lack a case, a line or a
         * member: the run cannot say passed (nor anything else) */
        fprintf(stderr, "vmwire-conformance: internal error: out of memory; the run is not judged\n");
        rc = 3;
    }
    vwc_xfails_free(&cf);
    vwc_xfails_free(&xf);
    vwc_specs_free(&sp);
    vwc_suite_free(&s);
    return rc;
}
