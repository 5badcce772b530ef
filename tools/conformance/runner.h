/* vmwire-conformance internals: vector loading, testee backends, reports. */
#ifndef VWC_RUNNER_H
#define VWC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Verdict of one case. */
enum vwc_verdict {
    VWC_PASS,
    VWC_FAIL,
    VWC_SKIP,   /* the testee answered "skipped" */
    VWC_XFAIL,  /* failed, but listed in --expected-failures */
    VWC_XPASS,  /* passed, but listed in --expected-failures (the list can shrink) */
};

/* One golden case, ready to send. */
struct vwc_case {
    char *file;          /* vector file, as given */
    const char *protocol; /* file's "protocol" */
    const char *id;
    const char *operation;
    const char *message;
    json_t *rules;   /* array of rule id strings (borrowed from doc) */
    json_t *request; /* owned: {"id","operation","message","input",...params} */
    json_t *expect;  /* owned: {"result", "output"?, "error"?} or {"result":"valid","steps":[expectations]} */
    /* outcome */
    enum vwc_verdict verdict;
    char *detail; /* owned: why it failed or was skipped */
    json_t *got;  /* owned: the testee's response */
};

struct vwc_suite {
    struct vwc_case *cases;
    size_t n, cap;
    json_t **docs; /* loaded vector files, owned */
    size_t ndocs, capdocs;
};

/* Options that shape a run. */
struct vwc_options {
    const char *testee;       /* NULL: built-in implementation in process */
    double timeout;           /* seconds per case for a testee */
    bool strict_errors;
    bool tap;
    bool verbose;
    const char *junit;
    const char *json;
    const char *coverage;     /* write the rule coverage table here ("-" = stdout) */
    const char *data_dir;     /* holds conformance/vectors and spec */
};

/* vectors.c */
/* Load one file or every *.json under a directory (sorted). Returns 0, or -1
 * after printing why to stderr (a vector error: exit status 2). */
int vwc_load(struct vwc_suite *s, const char *path);
void vwc_suite_free(struct vwc_suite *s);
/* Check one document's shape; on error write a message into err. */
int vwc_check_doc(const json_t *doc, char *err, size_t errlen);

/* backend.c */
struct vwc_backend;
struct vwc_backend *vwc_backend_new(const struct vwc_options *o);
/* Send one request and wait for its response. Returns a new response object,
 * or NULL with a reason in err (crash, timeout, garbage, wrong id). */
json_t *vwc_backend_call(struct vwc_backend *b, const json_t *req, char *err, size_t errlen);
void vwc_backend_free(struct vwc_backend *b);

/* report.c */
/* Compare the testee's response with the expectation; sets c->verdict and c->detail. */
void vwc_judge(struct vwc_case *c, const json_t *resp, bool strict_errors);
void vwc_report_human(const struct vwc_suite *s, FILE *out);
int vwc_report_junit(const struct vwc_suite *s, const char *path);
int vwc_report_json(const struct vwc_suite *s, const char *path);
int vwc_report_coverage(const struct vwc_suite *s, const char *spec_dir, const char *path);

#endif /* VWC_RUNNER_H */
