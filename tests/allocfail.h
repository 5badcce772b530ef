/* The counting, failing allocator and the driver of the allocation-failure
 * tests (tests/test_allocfail_*.c), shared by them. The test program is
 * linked with --wrap=malloc,calloc,realloc,free,strdup (fuzz/local.mk,
 * tests/local.mk), so that every allocation of the tools' code goes through
 * the __wrap_ functions here; jansson's go through json_set_alloc_funcs()
 * with j_malloc/j_free. Included once per test program. */
#ifndef VW_TESTS_ALLOCFAIL_H
#define VW_TESTS_ALLOCFAIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
/* ---- the counting, failing allocator ------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);

static long fail_at = -1; /* index of the allocation to fail; -1: none */
static long n_allocs;     /* allocations attempted since the scenario began */
static long live;         /* blocks allocated and not yet freed */
static int failed;        /* an allocation was refused in this run */
static int wrong_result;  /* set by a scenario: success reported although an allocation failed */

static int exempt; /* inside a call whose allocations are neither counted nor failed */

static int refuse(void)
{
    if (exempt)
        return 0;
    long i = n_allocs++;
    if (i == fail_at) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    if (refuse())
        return NULL;
    void *p = __real_malloc(n);
    if (p)
        live++;
    return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (refuse())
        return NULL;
    void *p = __real_calloc(k, n);
    if (p)
        live++;
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (refuse())
        return NULL;
    void *q = __real_realloc(p, n);
    if (q && !p)
        live++;
    return q;
}

void __wrap_free(void *p)
{
    if (p)
        live--;
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void *j_malloc(size_t n)
{
    return __wrap_malloc(n);
}

static void j_free(void *p)
{
    __wrap_free(p);
}

/* ---- the driver ----------------------------------------------------------- */

/* A scenario: does its work, releases everything it made, and returns 1 if
 * it completed, 0 if it reported an error. */
typedef int (*scenario_fn)(const void *arg);

static long runs_total;
static long problems;           /* failing runs in the current test */
static char first_problem[512]; /* the first one, for the failure message */

static void problem(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static void problem(const char *fmt, ...)
{
    va_list ap;
    if (getenv("ALLOCFAIL_VERBOSE")) { /* every problem, not only the first */
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    if (problems++ == 0) {
        va_start(ap, fmt);
        vsnprintf(first_problem, sizeof first_problem, fmt, ap);
        va_end(ap);
    }
}

/* Runs the scenario once without failures (to count its allocations), then
 * once per allocation with that one failing, each failing run in a child
 * process so that a crash is reported as a problem of that run, not the end
 * of the program, and a hang after 120 s as one. Problems are collected; see
 * end_test(). ALLOCFAIL_ONLY=TEXT runs only the scenarios whose description
 * contains TEXT. */
static void run_failing(scenario_fn fn, const void *arg, const char *what)
{
    const char *only = getenv("ALLOCFAIL_ONLY"); /* debugging: the scenarios naming this */
    if (only && !strstr(what, only))
        return;
    fail_at = -1;
    n_allocs = 0;
    failed = 0;
    long before = live;
    int ok = fn(arg);
    if (live != before)
        problem("%s: %ld blocks leaked without any failure", what, live - before);
    if (!ok)
        problem("%s: fails without any allocation failure", what);
    long n = n_allocs;
    if (getenv("ALLOCFAIL_AT")) { /* debugging: fail that one, in this process */
        fail_at = atol(getenv("ALLOCFAIL_AT")) - 1;
        n_allocs = 0;
        failed = 0;
        (void)fn(arg);
        fail_at = -1;
        return;
    }
    if (getenv("ALLOCFAIL_COUNT_ONLY")) { /* how many runs a scenario would take */
        fprintf(stderr, "# %s: %ld allocations\n", what, n);
        return;
    }
    /* make check: at most about 400 runs per scenario (the first 100
     * allocations, then an even spread); ALLOCFAIL_ALL=1: every one */
    long step = 1;
    if (!getenv("ALLOCFAIL_ALL") && n > 400)
        step = (n - 100) / 300 + 1;
    fflush(NULL);
    for (long i = 0; i < n; i += i < 100 ? 1 : step) {
        pid_t pid = fork();
        if (pid < 0) {
            problem("fork failed");
            return;
        }
        if (pid == 0) {
            /* not cmocka's handlers: a crash must end the child */
            signal(SIGSEGV, SIG_DFL);
            signal(SIGBUS, SIG_DFL);
            signal(SIGABRT, SIG_DFL);
            signal(SIGILL, SIG_DFL);
            signal(SIGFPE, SIG_DFL);
            if (problems > 0) /* the first failing run's sanitizer report is enough */
                (void)freopen("/dev/null", "w", stderr);
            alarm(120); /* a run that hangs ends as SIGALRM, reported below */
            fail_at = i;
            n_allocs = 0;
            failed = 0;
            wrong_result = 0;
            before = live;
            (void)fn(arg);
            _exit(live != before ? 3 : wrong_result ? 4 : 0);
        }
        int status = 0;
        runs_total++;
        if (waitpid(pid, &status, 0) < 0)
            problem("waitpid failed");
        else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            problem("%s: allocation %ld of %ld failed: hang (still running after 120 s)", what, i + 1, n);
        else if (WIFSIGNALED(status))
            problem("%s: allocation %ld of %ld failed: crash (signal %d)", what, i + 1, n,
                    WTERMSIG(status));
        else if (WEXITSTATUS(status) == 3)
            problem("%s: allocation %ld of %ld failed: blocks leaked", what, i + 1, n);
        else if (WEXITSTATUS(status) == 4)
            problem("%s: allocation %ld of %ld failed: success reported all the same", what, i + 1, n);
        else if (WEXITSTATUS(status) != 0)
            problem("%s: allocation %ld of %ld failed: exit status %d (sanitizer report above)",
                    what, i + 1, n, WEXITSTATUS(status));
    }
    fail_at = -1;
}

static void begin_test(void)
{
    problems = 0;
    first_problem[0] = 0;
}

static void end_test(void)
{
    if (problems)
        fail_msg("%ld failing runs; first: %s", problems, first_problem);
}

#endif /* VW_TESTS_ALLOCFAIL_H */
