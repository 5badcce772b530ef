/* Judging a testee's answer against a case's expectation. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"

const char *vwc_verdict_name(enum vwc_verdict v)
{
    switch (v) {
    case VWC_PASS: return "pass";
    case VWC_FAIL: return "fail";
    case VWC_SKIP: return "skip";
    case VWC_XFAIL: return "xfail";
    case VWC_XPASS: return "xpass";
    case VWC_NVERDICTS: break;
    }
    return "?";
}

const char *vwc_fault_name(enum vwc_fault f)
{
    switch (f) {
    case VWC_FAULT_NONE: return NULL;
    case VWC_FAULT_MISMATCH: return "mismatch";
    case VWC_FAULT_ANSWER: return "bad_answer";
    case VWC_FAULT_CRASH: return "crash";
    case VWC_FAULT_EXIT: return "exit";
    case VWC_FAULT_TIMEOUT: return "timeout";
    case VWC_FAULT_GARBAGE: return "garbage";
    case VWC_FAULT_ORDER: return "out_of_order";
    case VWC_FAULT_EXTRA: return "extra_output";
    case VWC_FAULT_START: return "start";
    case VWC_FAULT_CLOSED: return "closed_stdout";
    case VWC_FAULT_TOO_LONG: return "too_long";
    case VWC_FAULT_REQUIRED: return "skipped_required";
    }
    return "?";
}

bool vwc_fault_is_error(enum vwc_fault f)
{
    return f != VWC_FAULT_NONE && f != VWC_FAULT_MISMATCH && f != VWC_FAULT_REQUIRED;
}

void vwc_set_detail(struct vwc_case *c, const char *fmt, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(c->detail);
    c->detail = vwc_escape(buf, strlen(buf), 0); /* one line, no control characters */
}

/* A short JSON rendering of a value, for messages. */
static char *brief(const json_t *v, size_t max)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (s && strlen(s) > max)
        strcpy(s + max - 3, "...");
    if (v && !s)
        vwt_nomem();
    if (!s && !(s = strdup("(none)")))
        vwt_nomem();
    return s;
}

/* Judge one result object against one expectation. Returns 0 on a match, or
 * -1 with the reason in why (and *fault set). */
static int judge_one(const json_t *exp, const json_t *got, bool strict, char *why, size_t wl, enum vwc_fault *fault)
{
    const char *er = json_string_value(json_object_get(exp, "result"));
    const json_t *grj = json_object_get(got, "result");
    const char *gr = json_string_value(grj);
    if (!json_is_object(got) || !gr || (strcmp(gr, "valid") && strcmp(gr, "invalid"))) {
        char *b = brief(json_is_object(got) ? grj : got, 60);
        snprintf(why, wl, "the answer's \"result\" is not \"valid\" or \"invalid\" (it is %s)", b ? b : "?");
        free(b);
        *fault = VWC_FAULT_ANSWER;
        return -1;
    }
    if (!strcmp(gr, "invalid") && !json_is_string(json_object_get(got, "error"))) {
        snprintf(why, wl, "an invalid answer needs \"error\", a status name");
        *fault = VWC_FAULT_ANSWER;
        return -1;
    }
    *fault = VWC_FAULT_MISMATCH;
    if (!strcmp(er, "acceptable"))
        return 0;
    if (strcmp(er, gr)) {
        const char *ee = json_string_value(json_object_get(exp, "error"));
        const char *ge = json_string_value(json_object_get(got, "error"));
        snprintf(why, wl, "expected %s%s%s%s, got %s%s%s%s", er, ee ? " (" : "", ee ? ee : "", ee ? ")" : "", gr,
                 ge ? " (" : "", ge ? ge : "", ge ? ")" : "");
        return -1;
    }
    if (!strcmp(er, "invalid") && strict) {
        const char *ee = json_string_value(json_object_get(exp, "error"));
        const char *ge = json_string_value(json_object_get(got, "error"));
        if (!ge || strcmp(ee, ge)) {
            snprintf(why, wl, "expected error %s, got %s", ee, ge ? ge : "(none)");
            return -1;
        }
        /* The fault's byte offset: compared when both the vector and the
         * answer state one (a testee may leave it out). */
        const json_t *eoff = json_object_get(exp, "offset"), *goff = json_object_get(got, "offset");
        if (eoff && goff && !json_equal((json_t *)eoff, (json_t *)goff)) {
            char *b = brief(goff, 40);
            snprintf(why, wl, "expected error %s at offset %lld, got offset %s", ee,
                     (long long)json_integer_value(eoff), b ? b : "?");
            free(b);
            return -1;
        }
    }
    const json_t *eo = json_object_get(exp, "output");
    if (eo) {
        const json_t *go = json_object_get(got, "output");
        if (!go || !json_equal((json_t *)eo, (json_t *)go)) {
            vwc_json_diff(eo, go, "output", why, wl);
            return -1;
        }
    }
    return 0;
}

void vwc_judge(struct vwc_case *c, const json_t *resp, bool strict)
{
    const char *gr = json_string_value(json_object_get(resp, "result"));
    char why[900];
    if (gr && !strcmp(gr, "skipped")) {
        const char *reason = json_string_value(json_object_get(resp, "reason"));
        c->verdict = VWC_SKIP;
        c->fault = VWC_FAULT_NONE;
        vwc_set_detail(c, "%s", reason && *reason ? reason : "skipped by the testee");
        return;
    }
    const json_t *steps = json_object_get(c->expect, "steps");
    if (!steps) {
        if (judge_one(c->expect, resp, strict, why, sizeof why, &c->fault)) {
            c->verdict = VWC_FAIL;
            vwc_set_detail(c, "%s", why);
        } else {
            c->verdict = VWC_PASS;
            c->fault = VWC_FAULT_NONE;
        }
        return;
    }
    /* A session: the answer's output lists one result object per step. */
    const json_t *out = json_object_get(resp, "output");
    if (!gr || strcmp(gr, "valid") || !json_is_array(out)) {
        c->verdict = VWC_FAIL;
        c->fault = VWC_FAULT_ANSWER;
        vwc_set_detail(c, "a session answer must be \"valid\" with an \"output\" array of step results");
        return;
    }
    for (size_t i = 0; i < json_array_size(steps) && i < json_array_size(out); i++) {
        if (judge_one(json_array_get(steps, i), json_array_get(out, i), strict, why, sizeof why, &c->fault)) {
            c->verdict = VWC_FAIL;
            vwc_set_detail(c, "step %zu: %s", i, why);
            return;
        }
    }
    if (json_array_size(out) != json_array_size(steps)) {
        c->verdict = VWC_FAIL;
        c->fault = VWC_FAULT_MISMATCH;
        vwc_set_detail(c, "expected %zu step results, got %zu", json_array_size(steps), json_array_size(out));
        return;
    }
    c->verdict = VWC_PASS;
    c->fault = VWC_FAULT_NONE;
}
