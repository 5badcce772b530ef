/* vmwire-conformance internals: vector loading, spec rules, testee backends,
 * judging and reports. The tool may allocate and do I/O; the library may not. */
#ifndef VWC_RUNNER_H
#define VWC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "common/vwt.h" /* vwt_nomem(): out of memory ends a run as an internal error */

/* Version of the JSON Lines testee interface described in conformance/README.md. */
#define VWC_INTERFACE_VERSION 1

/* Verdict of one case. */
enum vwc_verdict {
    VWC_PASS,
    VWC_FAIL,
    VWC_SKIP,  /* the testee answered "skipped" */
    VWC_XFAIL, /* failed, but listed in --expected-failures */
    VWC_XPASS, /* passed, but listed in --expected-failures (the list can shrink) */
    VWC_NVERDICTS
};

/* Why a case failed, for machines (the --json report's "fault"). */
enum vwc_fault {
    VWC_FAULT_NONE,
    VWC_FAULT_MISMATCH, /* a well-formed answer that differs from the expectation */
    VWC_FAULT_ANSWER,   /* a JSON object that is not a valid answer (no result, ...) */
    VWC_FAULT_CRASH,    /* the testee died from a signal */
    VWC_FAULT_EXIT,     /* the testee exited without answering */
    VWC_FAULT_TIMEOUT,  /* no answer within --timeout */
    VWC_FAULT_GARBAGE,  /* a line that is not a JSON object */
    VWC_FAULT_ORDER,    /* an answer for another case id */
    VWC_FAULT_EXTRA,    /* more than one line for one request */
    VWC_FAULT_START,    /* not run: the testee could not be started (--start-attempts failed starts) */
    VWC_FAULT_CLOSED,   /* the testee closed its stdout but kept running */
    VWC_FAULT_TOO_LONG, /* an answer line longer than --max-answer-bytes */
    VWC_FAULT_REQUIRED, /* skipped, but the protocol is --require'd (or --fail-on-skip) */
};

/* Is the fault the testee's misbehaviour (a JUnit <error>) rather than a
 * wrong answer (a <failure>)? */
bool vwc_fault_is_error(enum vwc_fault f);

const char *vwc_verdict_name(enum vwc_verdict v);
const char *vwc_fault_name(enum vwc_fault f);

/* One golden case, ready to send. */
struct vwc_case {
    char *file;           /* vector file, as given */
    const char *protocol; /* file's "protocol" (borrowed from the document) */
    const char *spec;     /* file's "spec" (borrowed) */
    const char *id;
    const char *operation;
    const char *message;
    json_t *rules;   /* array of rule id strings (borrowed from doc) */
    json_t *request; /* owned: {"id","operation","message","input",...params} */
    json_t *expect;  /* owned: {"result","output"?,"error"?} or {"result":"valid","steps":[...]} */
    /* outcome */
    bool selected;
    bool listed;            /* matched by an --expected-failures entry */
    bool in_case_file;      /* matched by a --case-file entry */
    enum vwc_verdict verdict;
    enum vwc_fault fault;
    char *detail;           /* owned: why it failed or was skipped */
    json_t *got;            /* owned: the testee's response (NULL if none) */
    char *stderr_text;      /* owned: what the testee wrote on stderr meanwhile */
    double seconds;         /* time the case took */
};

/* One rule declared in a spec document. */
struct vwc_rule {
    char *id;
    char *spec;  /* "spec/ic.md" */
    char *title; /* the start of the rule text, for tables */
    unsigned line;
    bool outside;              /* listed under its spec's "Rules checked outside the vectors" */
    size_t ncases;             /* loaded cases naming it */
    size_t v[VWC_NVERDICTS];   /* verdicts of the selected cases naming it */
};

struct vwc_specs {
    struct vwc_rule *rules;
    size_t n, cap;
    char **docs; /* "spec/ic.md", ... that were read */
    size_t ndocs;
    bool found;  /* the spec directory exists */
};

struct vwc_suite {
    struct vwc_case *cases;
    size_t n, cap;
    json_t **docs; /* loaded vector files, owned */
    size_t ndocs, capdocs;
    json_t *ids;   /* case id -> index in cases, for the uniqueness check */
};

/* One line of an --expected-failures file. */
struct vwc_xfail {
    char *pattern;
    unsigned line;
    size_t matched; /* loaded cases it matches */
};

struct vwc_xfails {
    const char *option; /* for messages: "--expected-failures" (NULL) or "--case-file" */
    const char *path;
    struct vwc_xfail *e;
    size_t n;
};

/* Options that shape a run. */
struct vwc_options {
    const char *testee;   /* NULL: built-in implementation in process */
    double timeout;       /* seconds per case for a testee */
    double startup_timeout; /* seconds for a fresh testee to answer the hello */
    unsigned start_attempts; /* failed starts in a row before giving up */
    bool no_hello;        /* no hello handshake: the first case pays the start-up */
    size_t max_answer;    /* longest answer line accepted, bytes */
    size_t stderr_limit;  /* stderr kept per case (its last bytes) */
    bool strict_errors;
    bool tap;
    bool verbose;
    bool quiet;
    const char *junit;
    const char *json;
    const char *coverage; /* write the rule coverage table here ("-" = stdout) */
    const char *data_dir; /* holds conformance/vectors and spec */
    const char *xfail_path;
    const char *case_file; /* --case-file */
    const char *require;   /* --require PROTOCOL,... (NULL: none) */
    bool fail_on_skip;
};

/* What a run produced, for the reports. */
struct vwc_run {
    const struct vwc_options *opt;
    struct vwc_suite *suite;
    struct vwc_specs *specs;
    struct vwc_xfails *xfails;
    char started[32]; /* ISO 8601 UTC */
    double seconds;
    size_t nselected;
    size_t tot[VWC_NVERDICTS];
    size_t not_run; /* failed as not run: the testee could not be started */
    int exit_status;
    unsigned starts; /* testee processes started */
};

/* Cases that got a verdict from an answer (not skipped, not "not run"). */
size_t vwc_judged(const struct vwc_run *r);
/* The verdict line, e.g. "CONFORMANCE PASSED (190 of 1015 judged, 825 skipped)". */
void vwc_headline(const struct vwc_run *r, char *out, size_t outlen);

/* text.c */
/* Length of the well-formed UTF-8 sequence at p (code point in *cp), or 0. */
size_t vwc_utf8_next(const unsigned char *p, size_t n, unsigned long *cp);
/* Is cp a character XML 1.0 can carry? */
bool vwc_xml_char(unsigned long cp);
/* One printable line from any bytes: controls, bidi overrides and
 * non-characters as \xNN or \uNNNN, invalid UTF-8 byte by byte as \xNN;
 * cut with "..." after about max bytes (0: no limit). New string or NULL. */
char *vwc_escape(const char *s, size_t n, size_t max);
/* Valid UTF-8 holding only XML characters: anything else becomes U+FFFD. */
char *vwc_clean(const char *s, size_t n);
void vwc_fputs_escaped(FILE *f, const char *s);
/* vwc_escape of a C string into a fixed buffer (cut to fit). */
void vwc_escape_into(char *out, size_t outlen, const char *s);

/* diff.c */
/* Every member where got differs from expected, as one line into out. */
void vwc_json_diff(const json_t *expected, const json_t *got, const char *root, char *out, size_t outlen);

/* vectors.c */
/* Load one file or every *.json under a directory (sorted). Returns 0, or -1
 * after printing why to stderr (a vector error: exit status 2). */
int vwc_load(struct vwc_suite *s, const char *path);
/* Load one vector document from memory (name is its file name). */
int vwc_load_buffer(struct vwc_suite *s, const char *name, const char *data, size_t len);
void vwc_suite_free(struct vwc_suite *s);
/* Check one document's shape; on error write a message into err. */
int vwc_check_doc(const json_t *doc, char *err, size_t errlen);

/* spec.c */
/* Read the rule declarations of every spec/\*.md under dir. Returns 0, or -1 on
 * an I/O error. A missing directory is not an error (specs->found stays false). */
int vwc_specs_load(struct vwc_specs *sp, const char *dir);
void vwc_specs_free(struct vwc_specs *sp);
struct vwc_rule *vwc_specs_find(const struct vwc_specs *sp, const char *id);
/* Check that every case's rules are declared in the case's spec document and
 * count cases per rule. Returns the number of problems (printed to stderr). */
size_t vwc_specs_check(struct vwc_specs *sp, const struct vwc_suite *s);
/* Count selected verdicts per rule (after the run). */
void vwc_specs_tally(struct vwc_specs *sp, const struct vwc_suite *s);
size_t vwc_specs_covered(const struct vwc_specs *sp);
/* Rules no loaded case names that their spec lists as checked outside the vectors. */
size_t vwc_specs_outside(const struct vwc_specs *sp);

/* expect.c */
/* Read an --expected-failures file. Returns 0, or -1 after printing why. */
int vwc_xfails_load(struct vwc_xfails *x, const char *path);
void vwc_xfails_free(struct vwc_xfails *x);
/* Mark the loaded cases the list names (case->listed) and count matches. */
void vwc_xfails_mark(struct vwc_xfails *x, struct vwc_suite *s);
/* Does an entry match id? (Counts the matches, like vwc_xfails_mark.) */
bool vwc_xfails_matches(struct vwc_xfails *x, const char *id);

/* backend.c */
struct vwc_backend;
struct vwc_backend *vwc_backend_new(const struct vwc_options *o);
/* Send one request and wait for its response. Returns a new response object,
 * or NULL with *fault set and a reason in err (crash, timeout, garbage, ...).
 * *stderr_text receives a new string with the testee's stderr meanwhile (or NULL). */
json_t *vwc_backend_call(struct vwc_backend *b, const json_t *req, enum vwc_fault *fault, char *err,
                         size_t errlen, char **stderr_text);
/* After a call: did the testee print more than the one answer line (waiting
 * up to wait_ms for it)? Returns 1 (and restarts the testee) with a reason in
 * err, or 0. */
int vwc_backend_extra(struct vwc_backend *b, int wait_ms, char *err, size_t errlen);
/* After a call: the id of the previously answered case if the testee sent a
 * second answer for it meanwhile (with a reason in err), or NULL. */
const char *vwc_backend_late(struct vwc_backend *b, char *err, size_t errlen);
void vwc_backend_free(struct vwc_backend *b);
/* Testee processes started so far. */
unsigned vwc_backend_starts(const struct vwc_backend *b);
/* Judge one raw answer line (without its newline): NUL bytes, anything but
 * exactly one JSON object, an over-long line are faults. Returns the object,
 * or NULL with *fault and a reason in err. */
json_t *vwc_parse_answer(const char *line, size_t len, size_t max, enum vwc_fault *fault, char *err, size_t errlen);
/* The testee's stderr as kept for a case: the last limit bytes of the n
 * given (total is how many there were), cleaned to valid UTF-8, with a note
 * when some were cut. */
char *vwc_stderr_text(const char *tail, size_t n, size_t total);

/* judge.c */
/* Compare the testee's response with the expectation; sets c->verdict, c->fault and c->detail. */
void vwc_judge(struct vwc_case *c, const json_t *resp, bool strict_errors);
void vwc_set_detail(struct vwc_case *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* report.c */
void vwc_report_human(const struct vwc_run *r, FILE *out, const char *prefix);
int vwc_report_coverage(const struct vwc_run *r, const char *path);

/* output.c */
int vwc_report_junit(const struct vwc_run *r, const char *path);
int vwc_report_json(const struct vwc_run *r, const char *path);

/* fuzz.c: differential fuzzing (--fuzz N), see conformance/README.md. */
struct vwc_fuzz_options {
    size_t n;            /* requests per selected (operation, message kind) */
    unsigned long long seed;
    double seconds;      /* --fuzz-time: wall-clock budget of the run (0: none) */
    const char *out;     /* --fuzz-out: vector file for the minimised disagreements */
};
/* Generate requests from the selected cases, answer them with the built-in
 * implementation and the testee, minimise and report the disagreements.
 * Returns the exit status (0 none, 1 disagreements, 2 --fuzz-out unwritable). */
int vwc_fuzz(const struct vwc_options *o, const struct vwc_suite *s, const struct vwc_fuzz_options *fo);

#endif /* VWC_RUNNER_H */
