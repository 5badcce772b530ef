/* vmwire-bench: wall-clock and instruction-count benchmarks of vmwire's hot
 * paths against peer implementations measured in the same process.
 *
 *   vmwire-bench [--filter SUBSTR] [--min-time SEC] [--reps N] [--json FILE]
 *                [--aggregates-only]  (JSON with only the median and stddev rows)
 *   vmwire-bench --smoke          one iteration of every case, TAP output
 *   vmwire-bench --ir N --json F  under callgrind: N iterations per case, each
 *                                 dumped as its own callgrind part (bench/compare.py
 *                                 ir-collect turns the parts into JSON)
 *   vmwire-bench --list
 *
 * Each case runs for a warm-up period, then `reps` repetitions of a fixed
 * number of iterations chosen so that one repetition lasts about `min-time`.
 * The JSON has Google Benchmark's shape (one "iteration" row per repetition
 * plus median/mean/stddev/min/max aggregates); the table shows medians, the
 * spread, heap allocations per operation and the ratio of each row's time to
 * its group's vmwire row.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "bench.h"
#include "vmwire/version.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

#define MAX_CASES 512
#define MAX_REPS 32

struct result {
    int ran;
    int failed;
    uint64_t iters;            /* per repetition */
    int reps;
    double real_ns[MAX_REPS];  /* per iteration */
    double cpu_ns[MAX_REPS];
    double median_real, median_cpu, mean_real, stddev_real, min_real, max_real;
    double min_cpu, max_cpu, mean_cpu, stddev_cpu;
    double t; /* the time the table and the targets use: median CPU time */
    double allocs_per_iter;    /* -1: unknown */
};

static struct bench_case cases[MAX_CASES];
static struct result results[MAX_CASES];
static size_t n_cases;

struct bench_case *bench_add(const char *group, const char *impl, enum bench_role role, bench_fn fn,
                             void *arg, double bytes, double items, const char *error)
{
    if (n_cases == MAX_CASES) {
        fprintf(stderr, "vmwire-bench: too many cases\n");
        exit(2);
    }
    struct bench_case *c = &cases[n_cases++];
    memset(c, 0, sizeof *c);
    snprintf(c->group, sizeof c->group, "%s", group);
    snprintf(c->impl, sizeof c->impl, "%s", impl);
    snprintf(c->name, sizeof c->name, "%s/%s", group, impl);
    c->role = role;
    c->fn = fn;
    c->arg = arg;
    c->bytes = bytes;
    c->items = items > 0 ? items : 1;
    if (error)
        snprintf(c->error, sizeof c->error, "%s", error);
    return c;
}

const char *bench_errf(const char *fmt, ...)
{
    static char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

size_t bench_first_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t i = 0;
    while (i < alen && i < blen && a[i] == b[i])
        i++;
    return i;
}

/* ------------------------------------------------------------------ timing */

static double now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double tmp[MAX_REPS];
    memcpy(tmp, v, (size_t)n * sizeof *v);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static int run_timed(struct bench_case *c, struct result *r, double min_time, double warmup, int reps)
{
    /* Warm-up: grow the batch until it lasts about 10 ms, keep going until
     * `warmup` seconds have passed; this also estimates the time per iteration. */
    uint64_t it = 1;
    double spent = 0, per_iter = 0;
    for (;;) {
        double t0 = now_ns(CLOCK_MONOTONIC);
        if (c->fn(c->arg, it) != 0)
            return -1;
        double dt = now_ns(CLOCK_MONOTONIC) - t0;
        spent += dt;
        if (dt > 0)
            per_iter = dt / (double)it;
        if (spent >= warmup * 1e9 && dt >= 5e6)
            break;
        if (dt < 1e7 && it < (UINT64_C(1) << 40))
            it *= dt < 1e6 ? 10 : 2;
    }
    double want = min_time * 1e9 / (per_iter > 0 ? per_iter : 1);
    r->iters = want < 1 ? 1 : (uint64_t)want;
    r->reps = reps;
    long long a0 = bench_mallocs();
    for (int i = 0; i < reps; i++) {
        double c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        double t0 = now_ns(CLOCK_MONOTONIC);
        int rc = c->fn(c->arg, r->iters);
        double t1 = now_ns(CLOCK_MONOTONIC);
        double c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
        if (rc != 0)
            return -1;
        r->real_ns[i] = (t1 - t0) / (double)r->iters;
        r->cpu_ns[i] = (c1 - c0) / (double)r->iters;
    }
    long long a1 = bench_mallocs();
    r->allocs_per_iter = a0 < 0 ? -1 : (double)(a1 - a0) / ((double)r->iters * reps);
    r->median_real = median(r->real_ns, reps);
    r->median_cpu = median(r->cpu_ns, reps);
    double sum = 0, mn = r->real_ns[0], mx = r->real_ns[0];
    for (int i = 0; i < reps; i++) {
        sum += r->real_ns[i];
        mn = r->real_ns[i] < mn ? r->real_ns[i] : mn;
        mx = r->real_ns[i] > mx ? r->real_ns[i] : mx;
    }
    r->mean_real = sum / reps;
    double var = 0;
    for (int i = 0; i < reps; i++)
        var += (r->real_ns[i] - r->mean_real) * (r->real_ns[i] - r->mean_real);
    r->stddev_real = reps > 1 ? sqrt(var / (reps - 1)) : 0;
    r->min_real = mn;
    r->max_real = mx;
    r->min_cpu = r->max_cpu = r->cpu_ns[0];
    for (int i = 0; i < reps; i++) {
        r->min_cpu = r->cpu_ns[i] < r->min_cpu ? r->cpu_ns[i] : r->min_cpu;
        r->max_cpu = r->cpu_ns[i] > r->max_cpu ? r->cpu_ns[i] : r->max_cpu;
    }
    double csum = 0, cvar = 0;
    for (int i = 0; i < reps; i++)
        csum += r->cpu_ns[i];
    r->mean_cpu = csum / reps;
    for (int i = 0; i < reps; i++)
        cvar += (r->cpu_ns[i] - r->mean_cpu) * (r->cpu_ns[i] - r->mean_cpu);
    r->stddev_cpu = reps > 1 ? sqrt(cvar / (reps - 1)) : 0;
    r->t = r->median_cpu;
    r->ran = 1;
    return 0;
}

/* ------------------------------------------------------------------ output */

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void cpu_model(char *buf, size_t cap)
{
    snprintf(buf, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                p[strcspn(p, "\n")] = 0;
                snprintf(buf, cap, "%s", p);
            }
            break;
        }
    }
    fclose(f);
}

static const char *compiler_string(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

#ifdef VW_BENCH_NANOPB
#define BENCH_NANOPB "yes"
#else
#define BENCH_NANOPB "no (not built)"
#endif

#ifdef VW_BENCH_UPB
#include "bench_upb.h"
#ifndef VW_BENCH_UPB_VERSION
#define VW_BENCH_UPB_VERSION "unknown"
#endif
#define BENCH_UPB_VERSION VW_BENCH_UPB_VERSION
#define BENCH_UPB_PARSER bench_upb_parser
#else
#define BENCH_UPB_VERSION "no (not built: configure --with-upb=PREFIX)"
#define BENCH_UPB_PARSER "none"
#endif

static char loadavg_start[64] = "unknown";

static void read_loadavg(char *buf, size_t cap)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    if (fgets(buf, (int)cap, f))
        buf[strcspn(buf, "\n")] = 0;
    fclose(f);
}

static void json_context(FILE *f, const char *mode, double min_time, int reps, uint64_t ir_iters)
{
    char load_end[64] = "unknown";
    read_loadavg(load_end, sizeof load_end);
    char host[128] = "unknown", model[160], date[64] = "";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = 0;
    cpu_model(model, sizeof model);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "{\n  \"context\": {\n    \"date\": \"%s\",\n    \"host_name\": ", date);
    json_str(f, host);
    fprintf(f, ",\n    \"executable\": \"vmwire-bench\",\n    \"num_cpus\": %ld,\n",
            sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, "    \"cpu_model\": ");
    json_str(f, model);
    fprintf(f, ",\n    \"compiler\": ");
    json_str(f, compiler_string());
    fprintf(f, ",\n    \"vmwire_version\": ");
    json_str(f, vw_version());
    fprintf(f, ",\n    \"protobuf_c_version\": ");
    json_str(f, protobuf_c_version());
    fprintf(f, ",\n    \"nanopb\": \"%s\",\n", BENCH_NANOPB);
    fprintf(f, "    \"upb\": ");
    json_str(f, BENCH_UPB_VERSION);
    fprintf(f, ",\n    \"upb_parser\": ");
    json_str(f, BENCH_UPB_PARSER);
    fprintf(f, ",\n");
    fprintf(f, "    \"mode\": \"%s\",\n", mode);
    fprintf(f, "    \"load_average_start\": ");
    json_str(f, loadavg_start);
    fprintf(f, ",\n    \"load_average_end\": ");
    json_str(f, load_end);
    fprintf(f, ",\n");
    if (ir_iters)
        fprintf(f, "    \"ir_iterations\": %llu,\n", (unsigned long long)ir_iters);
    else
        fprintf(f, "    \"min_time\": %g,\n    \"repetitions\": %d,\n", min_time, reps);
#ifndef VW_BENCH_CFLAGS
#define VW_BENCH_CFLAGS "unknown"
#endif
    fprintf(f, "    \"cflags\": ");
    json_str(f, VW_BENCH_CFLAGS);
    fprintf(f, ",\n    \"library_build_type\": \"release\"\n  },\n");
    fprintf(f, "  \"benchmarks\": [");
}

static void json_row(FILE *f, int *first, const struct bench_case *c, const char *run_type,
                     const char *agg, int rep, uint64_t iters, int reps, double real, double cpu,
                     double allocs)
{
    fprintf(f, "%s\n    {\"name\": ", *first ? "" : ",");
    *first = 0;
    char nm[160];
    if (agg)
        snprintf(nm, sizeof nm, "%s_%s", c->name, agg);
    else
        snprintf(nm, sizeof nm, "%s", c->name);
    json_str(f, nm);
    fprintf(f, ", \"run_name\": ");
    json_str(f, c->name);
    fprintf(f, ", \"run_type\": \"%s\", \"repetitions\": %d", run_type, reps);
    if (agg)
        fprintf(f, ", \"aggregate_name\": \"%s\"", agg);
    else
        fprintf(f, ", \"repetition_index\": %d", rep);
    fprintf(f, ", \"threads\": 1, \"iterations\": %llu, \"real_time\": %.4f, \"cpu_time\": %.4f, "
               "\"time_unit\": \"ns\"",
            (unsigned long long)iters, real, cpu);
    /* Rates from CPU time, as Google Benchmark computes them by default. */
    int rates = !agg || strcmp(agg, "stddev") != 0;
    if (rates && c->bytes > 0 && cpu > 0)
        fprintf(f, ", \"bytes_per_second\": %.6e", c->bytes / cpu * 1e9);
    if (rates && cpu > 0)
        fprintf(f, ", \"items_per_second\": %.6e", c->items / cpu * 1e9);
    if (allocs >= 0)
        fprintf(f, ", \"allocs_per_iter\": %.4f", allocs);
    fprintf(f, ", \"group\": ");
    json_str(f, c->group);
    fprintf(f, ", \"impl\": ");
    json_str(f, c->impl);
    fprintf(f, "}");
}

static int aggregates_only;

static void write_json(const char *path, double min_time, int reps)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vmwire-bench: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    json_context(f, "time", min_time, reps, 0);
    int first = 1;
    for (size_t i = 0; i < n_cases; i++) {
        const struct bench_case *c = &cases[i];
        const struct result *r = &results[i];
        if (!r->ran)
            continue;
        for (int k = 0; k < r->reps && !aggregates_only; k++)
            json_row(f, &first, c, "iteration", NULL, k, r->iters, r->reps, r->real_ns[k], r->cpu_ns[k],
                     r->allocs_per_iter);
        json_row(f, &first, c, "aggregate", "median", 0, r->iters, r->reps, r->median_real,
                 r->median_cpu, r->allocs_per_iter);
        if (!aggregates_only)
            json_row(f, &first, c, "aggregate", "mean", 0, r->iters, r->reps, r->mean_real, r->mean_cpu,
                     r->allocs_per_iter);
        json_row(f, &first, c, "aggregate", "stddev", 0, r->iters, r->reps, r->stddev_real,
                 r->stddev_cpu, -1);
        if (aggregates_only)
            continue;
        json_row(f, &first, c, "aggregate", "min", 0, r->iters, r->reps, r->min_real, r->min_cpu, -1);
        json_row(f, &first, c, "aggregate", "max", 0, r->iters, r->reps, r->max_real, r->max_cpu, -1);
    }
    fprintf(f, "\n  ]\n}\n");
    fclose(f);
}

static const struct result *find_result(const char *name, const struct bench_case **cp)
{
    for (size_t i = 0; i < n_cases; i++)
        if (strcmp(cases[i].name, name) == 0 && results[i].ran) {
            if (cp)
                *cp = &cases[i];
            return &results[i];
        }
    return NULL;
}

static void print_table(void)
{
    printf("\ncpu = median CPU time per operation (CLOCK_PROCESS_CPUTIME_ID), real = median wall-clock\n"
           "time; spread = (max-min)/median of the CPU times over the repetitions; ratio = this row's\n"
           "CPU time / the vmwire row's in the same group (>1: vmwire is faster). MB/s from CPU time.\n");
    char last[112] = "";
    for (size_t i = 0; i < n_cases; i++) {
        const struct bench_case *c = &cases[i];
        const struct result *r = &results[i];
        if (!r->ran && !(c->error[0] && r->failed))
            continue;
        if (strcmp(last, c->group) != 0) {
            printf("\n%s\n", c->group);
            snprintf(last, sizeof last, "%s", c->group);
        }
        if (!r->ran) {
            printf("  %-18s FAILED: %s\n", c->impl, c->error[0] ? c->error : "an iteration failed");
            continue;
        }
        double ref = 0;
        for (size_t j = 0; j < n_cases; j++)
            if (cases[j].role == BENCH_REF && strcmp(cases[j].group, c->group) == 0 && results[j].ran)
                ref = results[j].t;
        char ratio[32] = "";
        if (c->role == BENCH_REF)
            snprintf(ratio, sizeof ratio, "ref");
        else if (ref > 0)
            snprintf(ratio, sizeof ratio, "%.2fx", r->t / ref);
        char rate[32] = "";
        if (c->bytes > 0)
            snprintf(rate, sizeof rate, "%9.1f MB/s", c->bytes / r->t * 1e3);
        char allocs[24] = "?";
        if (r->allocs_per_iter >= 0)
            snprintf(allocs, sizeof allocs, "%.2f", r->allocs_per_iter);
        double spread = r->t > 0 ? (r->max_cpu - r->min_cpu) / r->t * 100 : 0;
        printf("  %-18s cpu %11.2f ns  real %11.2f ns  %5.1f%%  %s  allocs/op %-5s %s\n", c->impl, r->t,
               r->median_real, spread, rate, allocs, ratio);
    }
}

/* Targets of issue 9, checked against this run. Returns the number missed. */
static int check_targets(void)
{
    static const char *revs[] = {"seed", "final"};
    static const char *msgs[] = {"A_vcpu_response_wait_io", "B_vcpu_request_resume",
                                 "C_vcpu_response_get_state", "D_main_request_set_irq_routing",
                                 "E_vcpu_response_get_msrs"};
    int missed = 0, checked = 0;
    char name[192];
    printf("\nTargets (issue 9), on median CPU times of this run\n");
    for (int rv = 0; rv < 2; rv++)
        for (int m = 0; m < 5; m++) {
            char grp[128];
            snprintf(grp, sizeof grp, "crosvm/%s/%s/decode", revs[rv], msgs[m]);
            snprintf(name, sizeof name, "%s/vmwire", grp);
            const struct result *v = find_result(name, NULL);
            if (!v)
                continue;
            snprintf(name, sizeof name, "%s/protobuf-c", grp);
            const struct result *d = find_result(name, NULL);
            snprintf(name, sizeof name, "%s/protobuf-c+arena", grp);
            const struct result *a = find_result(name, NULL);
            if (d) {
                int ok = d->t >= 3 * v->t;
                printf("  %-4s %-62s %.2fx vs protobuf-c default (need >= 3x)\n", ok ? "MET" : "MISS",
                       grp, d->t / v->t);
                missed += !ok;
                checked++;
            }
            if (a) {
                int ok = a->t > v->t;
                printf("  %-4s %-62s %.2fx vs protobuf-c+arena (need > 1x)\n", ok ? "MET" : "MISS", grp,
                       a->t / v->t);
                missed += !ok;
                checked++;
            }
            if (m == 0) {
                int ok = v->t < 30;
                printf("  %-4s %-62s %.1f ns (need < 30 ns)\n", ok ? "MET" : "MISS", grp, v->t);
                missed += !ok;
                checked++;
            }
        }
    for (size_t i = 0; i < n_cases; i++) {
        const struct bench_case *c = &cases[i];
        const struct result *r = &results[i];
        if (!r->ran || c->role != BENCH_REF || !strstr(c->group, "decode"))
            continue;
        if (r->allocs_per_iter < 0)
            continue;
        if (r->allocs_per_iter != 0) {
            printf("  MISS %-62s %.2f heap allocations per decode (need 0)\n", c->group, r->allocs_per_iter);
            missed++;
        }
        checked++;
    }
    printf("  (zero heap allocations checked on every vmwire decode row above; misses listed)\n");
    {
        const struct result *v = find_result("serial/deframer/chunk_65536/vmwire", NULL);
        const struct result *m = find_result("serial/deframer/chunk_65536/memcpy", NULL);
        if (v && m) {
            int ok = m->t / v->t >= 0.5;
            printf("  %-4s %-62s %.2f of memcpy bandwidth (need >= 0.5)\n", ok ? "MET" : "MISS",
                   "serial/deframer/chunk_65536", m->t / v->t);
            missed += !ok;
            checked++;
        }
    }
    {
        const struct result *v = find_result("bridge/dispatch/handlers_256/vmwire", NULL);
        if (v) {
            int ok = v->t < 10;
            printf("  %-4s %-62s %.2f ns (need < 10 ns)\n", ok ? "MET" : "MISS", "bridge/dispatch/handlers_256",
                   v->t);
            missed += !ok;
            checked++;
        }
    }
    printf("  %d checks, %d missed\n", checked, missed);
    return missed;
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
    fprintf(stderr, "usage: vmwire-bench [--filter SUBSTR] [--min-time SEC] [--warmup SEC] [--reps N]\n"
                    "                    [--json FILE] [--aggregates-only] [--no-table]\n"
                    "       vmwire-bench --smoke [--filter SUBSTR]\n"
                    "       vmwire-bench --ir N --json FILE [--filter SUBSTR]   (under callgrind)\n"
                    "       vmwire-bench --list\n");
    exit(2);
}

static int selected(const struct bench_case *c, const char *filter)
{
    return !filter || strstr(c->name, filter) != NULL;
}

int main(int argc, char **argv)
{
    const char *filter = NULL, *json = NULL;
    double min_time = 0.1, warmup = 0.03;
    int reps = 5, smoke = 0, list = 0, table = 1;
    unsigned long long ir = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--filter") == 0 && v)
            filter = v, i++;
        else if (strcmp(a, "--json") == 0 && v)
            json = v, i++;
        else if (strcmp(a, "--min-time") == 0 && v)
            min_time = atof(v), i++;
        else if (strcmp(a, "--warmup") == 0 && v)
            warmup = atof(v), i++;
        else if (strcmp(a, "--reps") == 0 && v)
            reps = atoi(v), i++;
        else if (strcmp(a, "--ir") == 0 && v)
            ir = strtoull(v, NULL, 10), i++;
        else if (strcmp(a, "--smoke") == 0)
            smoke = 1;
        else if (strcmp(a, "--list") == 0)
            list = 1;
        else if (strcmp(a, "--no-table") == 0)
            table = 0;
        else if (strcmp(a, "--aggregates-only") == 0)
            aggregates_only = 1;
        else
            usage();
    }
    if (reps < 1 || reps > MAX_REPS || min_time <= 0)
        usage();

    read_loadavg(loadavg_start, sizeof loadavg_start);
    bench_register_crosvm();
    bench_register_serial();
    bench_register_ic();
    bench_register_bridge();

    if (list) {
        for (size_t i = 0; i < n_cases; i++)
            if (selected(&cases[i], filter))
                printf("%s\n", cases[i].name);
        return 0;
    }

    int failures = 0;
    if (smoke) {
        /* TAP: every case's self-check plus four iterations; no heap call in vmwire's rows. */
        size_t n = 0;
        for (size_t i = 0; i < n_cases; i++)
            n += selected(&cases[i], filter);
        printf("1..%zu\n", n);
        size_t k = 0;
        for (size_t i = 0; i < n_cases; i++) {
            struct bench_case *c = &cases[i];
            if (!selected(c, filter))
                continue;
            k++;
            if (c->error[0]) {
                printf("not ok %zu - %s # %s\n", k, c->name, c->error);
                failures++;
                continue;
            }
            if (c->fn(c->arg, 1) != 0) {
                printf("not ok %zu - %s # an iteration failed\n", k, c->name);
                failures++;
                continue;
            }
            long long a0 = bench_mallocs();
            int rc = c->fn(c->arg, 3);
            long long allocs = a0 < 0 ? 0 : bench_mallocs() - a0;
            if (rc != 0) {
                printf("not ok %zu - %s # an iteration failed\n", k, c->name);
                failures++;
            } else if (c->role == BENCH_REF && allocs != 0) {
                /* vmwire never allocates (CONVENTIONS.md): a heap call here is a bug. */
                printf("not ok %zu - %s # %lld heap allocations in 3 iterations\n", k, c->name, allocs);
                failures++;
            } else {
                printf("ok %zu - %s%s\n", k, c->name,
                       c->role == BENCH_REF && a0 >= 0 ? " (no heap allocation)" : "");
            }
        }
        return failures ? 1 : 0;
    }

    if (ir) {
#ifdef BENCH_HAVE_CALLGRIND
        if (!RUNNING_ON_VALGRIND)
            fprintf(stderr, "vmwire-bench: --ir: not running under valgrind; counts will be empty\n");
        FILE *f = json ? fopen(json, "w") : stdout;
        if (!f) {
            fprintf(stderr, "vmwire-bench: %s: %s\n", json, strerror(errno));
            return 2;
        }
        json_context(f, "ir-manifest", 0, 1, ir);
        int first = 1;
        for (size_t i = 0; i < n_cases; i++) {
            struct bench_case *c = &cases[i];
            if (!selected(c, filter))
                continue;
            /* Streams (one iteration = 1 MiB) need few iterations to be exact. */
            uint64_t n = c->bytes >= 65536 ? 2 : ir;
            if (c->error[0] || c->fn(c->arg, n < 4 ? 1 : 4) != 0) {
                fprintf(stderr, "vmwire-bench: %s: FAILED: %s\n", c->name,
                        c->error[0] ? c->error : "an iteration failed");
                failures++;
                continue;
            }
            long long a0 = bench_mallocs();
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
            int rc = c->fn(c->arg, n);
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(c->name);
            long long a1 = bench_mallocs();
            if (rc != 0) {
                failures++;
                continue;
            }
            json_row(f, &first, c, "iteration", NULL, 0, n, 1, 0, 0,
                     a0 < 0 ? -1 : (double)(a1 - a0) / (double)n);
        }
        fprintf(f, "\n  ]\n}\n");
        if (f != stdout)
            fclose(f);
        return failures ? 1 : 0;
#else
        fprintf(stderr, "vmwire-bench: built without <valgrind/callgrind.h>\n");
        return 2;
#endif
    }

    double t_start = now_ns(CLOCK_MONOTONIC);
    size_t n_run = 0;
    for (size_t i = 0; i < n_cases; i++) {
        struct bench_case *c = &cases[i];
        if (!selected(c, filter))
            continue;
        n_run++;
        if (c->error[0]) {
            fprintf(stderr, "vmwire-bench: %s: FAILED self-check: %s\n", c->name, c->error);
            results[i].failed = 1;
            failures++;
            continue;
        }
        if (run_timed(c, &results[i], min_time, warmup, reps) != 0) {
            results[i].failed = 1;
            snprintf(c->error, sizeof c->error, "an iteration failed");
            fprintf(stderr, "vmwire-bench: %s: FAILED: an iteration failed\n", c->name);
            failures++;
            continue;
        }
        fprintf(stderr, "  %-70s %10.2f ns cpu\n", c->name, results[i].t);
    }
    if (json)
        write_json(json, min_time, reps);
    if (table) {
        print_table();
        check_targets();
        char load_end[64] = "unknown";
        read_loadavg(load_end, sizeof load_end);
        printf("\n%zu cases in %.1f s%s; load average at start %s, at end %s\n", n_run,
               (now_ns(CLOCK_MONOTONIC) - t_start) / 1e9, failures ? ", SOME FAILED" : "", loadavg_start,
               load_end);
        printf("upb rows: %s (%s)\n", BENCH_UPB_VERSION, BENCH_UPB_PARSER);
    }
    return failures ? 1 : 0;
}
