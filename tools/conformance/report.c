/* Judging responses against expectations, and the human report. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"

static void set_detail(struct vwc_case *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_detail(struct vwc_case *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(c->detail);
    c->detail = strdup(buf);
}

static char *brief(const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (s && strlen(s) > 200)
        strcpy(s + 196, "...");
    return s ? s : strdup("(none)");
}

/* Judge one result object against one expectation. Returns 0 on a match, or
 * -1 with the reason in why. */
static int judge_one(const json_t *exp, const json_t *got, bool strict, char *why, size_t wl)
{
    const char *er = json_string_value(json_object_get(exp, "result"));
    const char *gr = json_string_value(json_object_get(got, "result"));
    if (!gr || (strcmp(gr, "valid") && strcmp(gr, "invalid"))) {
        snprintf(why, wl, "answer has no result of valid or invalid");
        return -1;
    }
    if (!strcmp(er, "acceptable"))
        return 0;
    if (strcmp(er, gr)) {
        const char *ge = json_string_value(json_object_get(got, "error"));
        snprintf(why, wl, "expected %s, got %s%s%s", er, gr, ge ? " with error " : "", ge ? ge : "");
        return -1;
    }
    if (!strcmp(er, "invalid") && strict) {
        const char *ee = json_string_value(json_object_get(exp, "error"));
        const char *ge = json_string_value(json_object_get(got, "error"));
        if (!ge || strcmp(ee, ge)) {
            snprintf(why, wl, "expected error %s, got %s", ee, ge ? ge : "(none)");
            return -1;
        }
    }
    const json_t *eo = json_object_get(exp, "output");
    if (eo) {
        const json_t *go = json_object_get(got, "output");
        if (!go || !json_equal((json_t *)eo, (json_t *)go)) {
            char *a = brief(eo), *b = brief(go);
            snprintf(why, wl, "output differs: expected %s, got %s", a, b);
            free(a);
            free(b);
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
        set_detail(c, "%s", reason ? reason : "skipped by the testee");
        return;
    }
    const json_t *steps = json_object_get(c->expect, "steps");
    if (!steps) {
        if (judge_one(c->expect, resp, strict, why, sizeof why)) {
            c->verdict = VWC_FAIL;
            set_detail(c, "%s", why);
        } else {
            c->verdict = VWC_PASS;
        }
        return;
    }
    /* A session: the answer's output lists one result object per step. */
    const json_t *out = json_object_get(resp, "output");
    if (!gr || strcmp(gr, "valid") || !json_is_array(out)) {
        c->verdict = VWC_FAIL;
        set_detail(c, "a session answer must be valid with an output array of step results");
        return;
    }
    if (json_array_size(out) != json_array_size(steps)) {
        c->verdict = VWC_FAIL;
        set_detail(c, "expected %zu step results, got %zu", json_array_size(steps), json_array_size(out));
        return;
    }
    for (size_t i = 0; i < json_array_size(steps); i++) {
        if (judge_one(json_array_get(steps, i), json_array_get(out, i), strict, why, sizeof why)) {
            c->verdict = VWC_FAIL;
            set_detail(c, "step %zu: %s", i, why);
            return;
        }
    }
    c->verdict = VWC_PASS;
}

static const char *verdict_name(enum vwc_verdict v)
{
    switch (v) {
    case VWC_PASS: return "pass";
    case VWC_FAIL: return "FAIL";
    case VWC_SKIP: return "skip";
    case VWC_XFAIL: return "xfail";
    case VWC_XPASS: return "XPASS";
    }
    return "?";
}

struct tally {
    const char *key;
    size_t v[5];
};

static struct tally *tally_get(struct tally **t, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*t)[i].key, key))
            return &(*t)[i];
    struct tally *nt = realloc(*t, (*n + 1) * sizeof *nt);
    if (!nt)
        return NULL;
    *t = nt;
    memset(&nt[*n], 0, sizeof nt[*n]);
    nt[*n].key = key;
    return &nt[(*n)++];
}

static int cmp_tally(const void *a, const void *b)
{
    return strcmp(((const struct tally *)a)->key, ((const struct tally *)b)->key);
}

static void print_table(FILE *out, const char *title, struct tally *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_tally);
    fprintf(out, "\n%-34s %7s %7s %7s %7s %7s\n", title, "passed", "failed", "skipped", "xfail", "xpass");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-34s %7zu %7zu %7zu %7zu %7zu\n", t[i].key, t[i].v[VWC_PASS], t[i].v[VWC_FAIL],
                t[i].v[VWC_SKIP], t[i].v[VWC_XFAIL], t[i].v[VWC_XPASS]);
}

void vwc_report_human(const struct vwc_suite *s, FILE *out)
{
    struct tally *proto = NULL, *rules = NULL;
    size_t np = 0, nr = 0, tot[5] = { 0 };
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        tot[c->verdict]++;
        struct tally *t = tally_get(&proto, &np, c->protocol);
        if (t)
            t->v[c->verdict]++;
        size_t ri;
        json_t *r;
        json_array_foreach(c->rules, ri, r) {
            t = tally_get(&rules, &nr, json_string_value(r));
            if (t)
                t->v[c->verdict]++;
        }
    }
    bool any = false;
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (c->verdict == VWC_FAIL || c->verdict == VWC_XPASS) {
            if (!any)
                fprintf(out, "Failures:\n");
            any = true;
            fprintf(out, "  %-5s %s [%s %s] %s\n", verdict_name(c->verdict), c->id, c->operation, c->message,
                    c->detail ? c->detail : "listed as an expected failure, but passed");
        }
    }
    print_table(out, "protocol", proto, np);
    print_table(out, "spec rule", rules, nr);
    fprintf(out, "\nconformance: %zu cases: %zu passed, %zu failed, %zu skipped, %zu expected failures, %zu unexpected passes\n",
            s->n, tot[VWC_PASS], tot[VWC_FAIL], tot[VWC_SKIP], tot[VWC_XFAIL], tot[VWC_XPASS]);
    free(proto);
    free(rules);
}
