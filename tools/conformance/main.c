/* vmwire-conformance: runs the golden vectors against the built-in
 * implementation (default) or a vendor's testee program (--testee). */
#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conformance/runner.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vmwire-conformance [OPTIONS] [VECTOR_FILE_OR_DIR...]\n"
            "\n"
            "Runs the vmwire golden vectors against the built-in implementation, or\n"
            "against a vendor's program speaking the JSON Lines testee interface.\n"
            "\n"
            "  --testee 'CMD ARGS'   drive this program over stdin/stdout\n"
            "  --timeout SECONDS     per-case limit for a testee (default 10)\n"
            "  --protocol NAME       only files of this protocol (ic, crosvm, serial, bridge)\n"
            "  --operation OP        only cases of this operation\n"
            "  --case GLOB           only cases whose id matches GLOB\n"
            "  --rules GLOB          only cases checking a rule matching GLOB\n"
            "  --strict-errors       also compare error names of invalid cases\n"
            "  --data-dir DIR        where conformance/vectors and spec/ live\n"
            "  --tap                 print TAP instead of the human report\n"
            "  --verbose             print every case, not only failures\n"
            "  --help                this text\n"
            "\n"
            "Exit status: 0 all cases pass, 1 failures, 2 usage or vector errors.\n");
}

static const char *default_data_dir(void)
{
    const char *env = getenv("VMWIRE_DATADIR");
    if (env && *env)
        return env;
    struct stat st;
    if (stat(VW_PKGDATADIR "/conformance/vectors", &st) == 0)
        return VW_PKGDATADIR;
    return VW_SRCDIR;
}

static bool rules_match(const json_t *rules, const char *glob)
{
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r) if (fnmatch(glob, json_string_value(r), 0) == 0) return true;
    return false;
}

int main(int argc, char **argv)
{
    struct vwc_options o = { .timeout = 10.0 };
    const char *only_proto = NULL, *only_op = NULL, *case_glob = NULL, *rule_glob = NULL;
    enum { OPT_TESTEE = 256, OPT_TIMEOUT, OPT_PROTOCOL, OPT_OPERATION, OPT_CASE, OPT_RULES, OPT_STRICT,
           OPT_DATADIR, OPT_TAP, OPT_VERBOSE, OPT_HELP };
    static const struct option longopts[] = {
        { "testee", required_argument, NULL, OPT_TESTEE },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "protocol", required_argument, NULL, OPT_PROTOCOL },
        { "operation", required_argument, NULL, OPT_OPERATION },
        { "case", required_argument, NULL, OPT_CASE },
        { "rules", required_argument, NULL, OPT_RULES },
        { "strict-errors", no_argument, NULL, OPT_STRICT },
        { "data-dir", required_argument, NULL, OPT_DATADIR },
        { "tap", no_argument, NULL, OPT_TAP },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_TESTEE: o.testee = optarg; break;
        case OPT_TIMEOUT: {
            char *end;
            o.timeout = strtod(optarg, &end);
            if (*end || o.timeout <= 0) {
                fprintf(stderr, "vmwire-conformance: bad --timeout %s\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_PROTOCOL: only_proto = optarg; break;
        case OPT_OPERATION: only_op = optarg; break;
        case OPT_CASE: case_glob = optarg; break;
        case OPT_RULES: rule_glob = optarg; break;
        case OPT_STRICT: o.strict_errors = true; break;
        case OPT_DATADIR: o.data_dir = optarg; break;
        case OPT_TAP: o.tap = true; break;
        case OPT_VERBOSE: o.verbose = true; break;
        case OPT_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.data_dir)
        o.data_dir = default_data_dir();

    struct vwc_suite all = { 0 };
    int rc = 0;
    if (optind < argc) {
        for (int i = optind; i < argc && !rc; i++)
            rc = vwc_load(&all, argv[i]);
    } else {
        size_t l = strlen(o.data_dir) + 32;
        char *dir = malloc(l);
        if (!dir)
            return 2;
        snprintf(dir, l, "%s/conformance/vectors", o.data_dir);
        rc = vwc_load(&all, dir);
        free(dir);
    }
    if (rc) {
        vwc_suite_free(&all);
        return 2;
    }

    /* Select. Cases not selected are simply not run (nor counted). */
    struct vwc_suite s = all;
    size_t kept = 0;
    for (size_t i = 0; i < all.n; i++) {
        struct vwc_case *c = &all.cases[i];
        bool keep = (!only_proto || !strcmp(only_proto, c->protocol)) &&
                    (!only_op || !strcmp(only_op, c->operation)) &&
                    (!case_glob || fnmatch(case_glob, c->id, 0) == 0) &&
                    (!rule_glob || rules_match(c->rules, rule_glob));
        if (keep) {
            struct vwc_case tmp = all.cases[kept];
            all.cases[kept] = *c;
            *c = tmp;
            kept++;
        }
    }
    s.n = kept;

    struct vwc_backend *b = vwc_backend_new(&o);
    if (!b) {
        vwc_suite_free(&all);
        return 2;
    }
    if (o.tap)
        printf("1..%zu\n", s.n);
    for (size_t i = 0; i < s.n; i++) {
        struct vwc_case *c = &s.cases[i];
        char err[512];
        json_t *resp = vwc_backend_call(b, c->request, err, sizeof err);
        if (!resp) {
            c->verdict = VWC_FAIL;
            c->detail = strdup(err);
        } else {
            vwc_judge(c, resp, o.strict_errors);
            c->got = resp;
        }
        if (o.tap) {
            switch (c->verdict) {
            case VWC_PASS: printf("ok %zu - %s\n", i + 1, c->id); break;
            case VWC_SKIP: printf("ok %zu - %s # SKIP %s\n", i + 1, c->id, c->detail); break;
            case VWC_XFAIL: printf("not ok %zu - %s # TODO expected failure: %s\n", i + 1, c->id, c->detail); break;
            case VWC_XPASS: printf("ok %zu - %s # TODO expected failure passed\n", i + 1, c->id); break;
            case VWC_FAIL: printf("not ok %zu - %s # %s\n", i + 1, c->id, c->detail); break;
            }
        } else if (o.verbose) {
            printf("%-5s %s%s%s\n", c->verdict == VWC_PASS ? "pass" : c->verdict == VWC_SKIP ? "skip" : "FAIL",
                   c->id, c->detail ? ": " : "", c->detail ? c->detail : "");
        }
    }
    vwc_backend_free(b);

    size_t failed = 0;
    for (size_t i = 0; i < s.n; i++)
        failed += s.cases[i].verdict == VWC_FAIL;
    if (!o.tap)
        vwc_report_human(&s, stdout);
    vwc_suite_free(&all);
    return failed ? 1 : 0;
}
