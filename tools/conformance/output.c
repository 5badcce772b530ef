/* Machine-readable reports: --junit (JUnit XML for CI systems) and --json. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conformance/runner.h"

/* ---- JUnit XML ------------------------------------------------------------ */

/* Write text as XML character data / attribute value: escape markup; what
 * XML 1.0 cannot carry (control characters, invalid UTF-8, U+FFFE/U+FFFF)
 * becomes U+FFFD, so that the file is always well-formed. */
static void xml_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        unsigned long cp;
        size_t l = vwc_utf8_next(p + i, n - i, &cp);
        if (!l || !vwc_xml_char(cp)) {
            fputs("\xef\xbf\xbd", f);
            i += l ? l : 1;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\n':
        case '\r':
        case '\t': fprintf(f, "&#%lu;", cp); break;
        default: fwrite(p + i, 1, l, f);
        }
        i += l;
    }
}

static void counts(const struct vwc_suite *s, const char *protocol, size_t v[VWC_NVERDICTS], size_t *n,
                   double *secs, size_t *errors)
{
    memset(v, 0, VWC_NVERDICTS * sizeof *v);
    *n = 0;
    *secs = 0;
    if (errors)
        *errors = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected || (protocol && strcmp(protocol, c->protocol)))
            continue;
        v[c->verdict]++;
        if (errors && c->verdict == VWC_FAIL && vwc_fault_is_error(c->fault))
            (*errors)++;
        (*n)++;
        *secs += c->seconds;
    }
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static void junit_case(FILE *f, const struct vwc_case *c)
{
    const char *file = base_name(c->file);
    size_t fl = strlen(file);
    if (fl > 5 && !strcmp(file + fl - 5, ".json"))
        fl -= 5;
    char *cls = malloc(strlen(c->protocol) + fl + 2);
    if (cls)
        sprintf(cls, "%s.%.*s", c->protocol, (int)fl, file);
    else
        vwt_nomem();
    fputs("    <testcase name=\"", f);
    xml_text(f, c->id);
    fputs("\" classname=\"", f);
    xml_text(f, cls ? cls : c->protocol);
    free(cls);
    fprintf(f, "\" time=\"%.6f\">\n", c->seconds);
    fputs("      <properties>\n", f);
    size_t ri;
    json_t *rj;
    json_array_foreach(c->rules, ri, rj) {
        fputs("        <property name=\"rule\" value=\"", f);
        xml_text(f, json_string_value(rj));
        fputs("\"/>\n", f);
    }
    fputs("        <property name=\"operation\" value=\"", f);
    xml_text(f, c->operation);
    fputs("\"/>\n        <property name=\"message\" value=\"", f);
    xml_text(f, c->message);
    fputs("\"/>\n        <property name=\"vector_file\" value=\"", f);
    xml_text(f, c->file);
    fputs("\"/>\n      </properties>\n", f);
    if (c->verdict == VWC_FAIL || c->verdict == VWC_XPASS) {
        /* the testee misbehaving is an <error>, a wrong answer a <failure> */
        const char *tag = c->verdict == VWC_FAIL && vwc_fault_is_error(c->fault) ? "error" : "failure";
        fprintf(f, "      <%s type=\"", tag);
        xml_text(f, c->verdict == VWC_XPASS ? "xpass" : vwc_fault_name(c->fault));
        fputs("\" message=\"", f);
        xml_text(f, c->detail);
        fputs("\">", f);
        char *req = json_dumps(c->request, JSON_COMPACT);
        char *exp = json_dumps(c->expect, JSON_COMPACT);
        char *got = c->got ? json_dumps(c->got, JSON_COMPACT) : NULL;
        xml_text(f, c->operation);
        fputc(' ', f);
        xml_text(f, c->message);
        fputs(" (", f);
        xml_text(f, c->file);
        fputs(")\n", f);
        xml_text(f, c->detail);
        fputs("\nrequest: ", f);
        xml_text(f, req);
        fputs("\nexpected: ", f);
        xml_text(f, exp);
        fputs("\nresponse: ", f);
        xml_text(f, got ? got : "(none)");
        fprintf(f, "</%s>\n", tag);
        free(req);
        free(exp);
        free(got);
    } else if (c->verdict == VWC_SKIP || c->verdict == VWC_XFAIL) {
        fprintf(f, "      <skipped type=\"%s\" message=\"", c->verdict == VWC_SKIP ? "skipped" : "xfail");
        if (c->verdict == VWC_XFAIL)
            fputs("expected failure: ", f);
        xml_text(f, c->detail);
        fputs("\"/>\n", f);
    }
    if (c->stderr_text && *c->stderr_text) {
        fputs("      <system-err>", f);
        xml_text(f, c->stderr_text);
        fputs("</system-err>\n", f);
    }
    fputs("    </testcase>\n", f);
}

int vwc_report_junit(const struct vwc_run *r, const char *path)
{
    const struct vwc_suite *s = r->suite;
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vmwire-conformance: --junit %s: cannot write\n", path);
        return -1;
    }
    size_t v[VWC_NVERDICTS], n, ne;
    double secs;
    counts(s, NULL, v, &n, &secs, &ne);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"vmwire-conformance\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
               "skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n",
            n, v[VWC_FAIL] + v[VWC_XPASS] - ne, ne, v[VWC_SKIP] + v[VWC_XFAIL], r->seconds, r->started);
    /* One testsuite per protocol, in the order protocols first appear. */
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        bool first = c->selected;
        for (size_t j = 0; j < i && first; j++)
            if (s->cases[j].selected && !strcmp(s->cases[j].protocol, c->protocol))
                first = false;
        if (!first)
            continue;
        counts(s, c->protocol, v, &n, &secs, &ne);
        fputs("  <testsuite name=\"", f);
        xml_text(f, c->protocol);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\" "
                   "timestamp=\"%s\">\n",
                n, v[VWC_FAIL] + v[VWC_XPASS] - ne, ne, v[VWC_SKIP] + v[VWC_XFAIL], secs, r->started);
        fputs("    <properties>\n      <property name=\"testee\" value=\"", f);
        xml_text(f, r->opt->testee ? r->opt->testee : "built-in");
        fputs("\"/>\n      <property name=\"strict_errors\" value=\"", f);
        fputs(r->opt->strict_errors ? "true" : "false", f);
        fputs("\"/>\n      <property name=\"verdict\" value=\"", f);
        char head[200];
        vwc_headline(r, head, sizeof head);
        xml_text(f, head);
        fputs("\"/>\n    </properties>\n", f);
        for (size_t k = i; k < s->n; k++)
            if (s->cases[k].selected && !strcmp(s->cases[k].protocol, c->protocol))
                junit_case(f, &s->cases[k]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    if (fclose(f)) {
        fprintf(stderr, "vmwire-conformance: --junit %s: write error\n", path);
        return -1;
    }
    return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

/* A JSON string even from bytes that are not UTF-8 (a testee's stderr or
 * garbage): such bytes become U+FFFD. */
static json_t *jstr(const char *s)
{
    char *t = vwc_clean(s, strlen(s));
    json_t *j = t ? json_string(t) : NULL;
    free(t);
    return j ? j : json_null();
}

static json_t *totals(const size_t v[VWC_NVERDICTS], size_t n)
{
    json_t *t = json_object();
    json_object_set_new(t, "cases", json_integer((json_int_t)n));
    for (int k = 0; k < VWC_NVERDICTS; k++)
        json_object_set_new(t, vwc_verdict_name((enum vwc_verdict)k), json_integer((json_int_t)v[k]));
    return t;
}

int vwc_report_json(const struct vwc_run *r, const char *path)
{
    const struct vwc_suite *s = r->suite;
    const struct vwc_options *o = r->opt;
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("vmwire-conformance-report"));
    json_object_set_new(doc, "format_version", json_integer(1));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("vmwire-conformance"));
    json_object_set_new(tool, "version", json_string(PACKAGE_VERSION));
    json_object_set_new(tool, "interface_version", json_integer(VWC_INTERFACE_VERSION));
    json_object_set_new(doc, "tool", tool);
    json_object_set_new(doc, "started", json_string(r->started));
    json_object_set_new(doc, "seconds", json_real(r->seconds));
    json_object_set_new(doc, "testee", o->testee ? jstr(o->testee) : json_null());
    json_object_set_new(doc, "data_dir", json_string(o->data_dir));
    json_object_set_new(doc, "strict_errors", json_boolean(o->strict_errors));
    json_object_set_new(doc, "timeout", json_real(o->timeout));
    json_object_set_new(doc, "vector_files", json_integer((json_int_t)s->ndocs));
    json_object_set_new(doc, "loaded_cases", json_integer((json_int_t)s->n));
    json_object_set_new(doc, "result", json_string(r->exit_status == 0 ? "passed" : "failed"));
    json_object_set_new(doc, "exit_status", json_integer(r->exit_status));

    size_t v[VWC_NVERDICTS], n;
    double secs;
    counts(s, NULL, v, &n, &secs, NULL);
    json_object_set_new(doc, "totals", totals(v, n));
    json_object_set_new(doc, "judged", json_integer((json_int_t)vwc_judged(r)));
    json_object_set_new(doc, "not_run", json_integer((json_int_t)r->not_run));
    char head[200];
    vwc_headline(r, head, sizeof head);
    json_object_set_new(doc, "verdict", json_string(head));
    json_object_set_new(doc, "testee_starts", json_integer(r->starts));

    json_t *protos = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected || json_object_get(protos, c->protocol))
            continue;
        counts(s, c->protocol, v, &n, &secs, NULL);
        json_t *t = totals(v, n);
        json_object_set_new(t, "all_skipped", json_boolean(n && v[VWC_SKIP] == n));
        json_object_set_new(protos, c->protocol, t);
    }
    json_object_set_new(doc, "protocols", protos);

    /* Rules: every declared rule (with the loaded cases naming it), and any
     * rule a selected case names that no spec declares. */
    json_t *rules = json_object();
    const struct vwc_specs *sp = r->specs;
    json_t *uncovered = json_array(), *outside = json_array();
    for (size_t i = 0; i < sp->n; i++) {
        const struct vwc_rule *rule = &sp->rules[i];
        json_t *e = totals(rule->v, 0);
        json_object_del(e, "cases");
        json_object_set_new(e, "spec", json_string(rule->spec));
        json_object_set_new(e, "line", json_integer(rule->line));
        json_object_set_new(e, "title", jstr(rule->title));
        json_object_set_new(e, "checked_outside", json_boolean(rule->outside));
        json_object_set_new(e, "all_failed",
                            json_boolean(rule->ncases && rule->v[VWC_FAIL] + rule->v[VWC_XPASS] &&
                                         rule->v[VWC_FAIL] + rule->v[VWC_XPASS] + rule->v[VWC_PASS] +
                                                 rule->v[VWC_SKIP] + rule->v[VWC_XFAIL] ==
                                             rule->v[VWC_FAIL] + rule->v[VWC_XPASS]));
        json_object_set_new(e, "cases", json_array());
        json_object_set_new(rules, rule->id, e);
        if (!rule->ncases)
            json_array_append_new(uncovered, json_string(rule->id));
        if (!rule->ncases && rule->outside)
            json_array_append_new(outside, json_string(rule->id));
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        size_t ri;
        json_t *rj;
        json_array_foreach(c->rules, ri, rj) {
            const char *id = json_string_value(rj);
            json_t *e = json_object_get(rules, id);
            if (!e) {
                if (!c->selected)
                    continue;
                size_t zero[VWC_NVERDICTS] = { 0 };
                e = totals(zero, 0);
                json_object_del(e, "cases");
                json_object_set_new(e, "spec", json_string(c->spec));
                json_object_set_new(e, "cases", json_array());
                json_object_set_new(rules, id, e);
            }
            json_array_append_new(json_object_get(e, "cases"), json_string(c->id));
            if (!vwc_specs_find(sp, id) && c->selected) {
                const char *vn = vwc_verdict_name(c->verdict);
                json_object_set_new(e, vn, json_integer(json_integer_value(json_object_get(e, vn)) + 1));
            }
        }
    }
    json_object_set_new(doc, "rules", rules);
    json_t *cov = json_object();
    json_object_set_new(cov, "spec_found", json_boolean(sp->found));
    json_object_set_new(cov, "declared", json_integer((json_int_t)sp->n));
    json_object_set_new(cov, "covered", json_integer((json_int_t)vwc_specs_covered(sp)));
    json_object_set_new(cov, "uncovered", uncovered);
    json_object_set_new(cov, "checked_outside", outside);
    json_object_set_new(doc, "coverage", cov);

    if (r->xfails) {
        json_t *x = json_object(), *entries = json_array();
        json_object_set_new(x, "file", json_string(r->xfails->path));
        for (size_t i = 0; i < r->xfails->n; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "pattern", json_string(r->xfails->e[i].pattern));
            json_object_set_new(e, "line", json_integer(r->xfails->e[i].line));
            json_object_set_new(e, "matched", json_integer((json_int_t)r->xfails->e[i].matched));
            json_array_append_new(entries, e);
        }
        json_object_set_new(x, "entries", entries);
        json_object_set_new(doc, "expected_failures", x);
    } else {
        json_object_set_new(doc, "expected_failures", json_null());
    }

    json_t *cases = json_array();
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected)
            continue;
        json_t *e = json_object();
        json_object_set_new(e, "id", json_string(c->id));
        json_object_set_new(e, "file", json_string(c->file));
        json_object_set_new(e, "protocol", json_string(c->protocol));
        json_object_set_new(e, "operation", json_string(c->operation));
        json_object_set_new(e, "message", json_string(c->message));
        json_object_set(e, "rules", c->rules);
        json_object_set_new(e, "verdict", json_string(vwc_verdict_name(c->verdict)));
        json_object_set_new(e, "fault", vwc_fault_name(c->fault) ? json_string(vwc_fault_name(c->fault)) : json_null());
        json_object_set_new(e, "detail", c->detail ? jstr(c->detail) : json_null());
        json_object_set_new(e, "expected_failure", json_boolean(c->listed));
        json_object_set_new(e, "seconds", json_real(c->seconds));
        json_object_set(e, "request", c->request);
        json_object_set(e, "expected", c->expect);
        json_object_set(e, "response", c->got ? c->got : json_null());
        if (c->stderr_text)
            json_object_set_new(e, "stderr", jstr(c->stderr_text));
        json_array_append_new(cases, e);
    }
    json_object_set_new(doc, "cases", cases);

    int rc;
    if (!strcmp(path, "-")) {
        rc = json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
        fputc('\n', stdout);
        fflush(stdout);
    } else {
        rc = json_dump_file(doc, path, JSON_INDENT(1) | JSON_SORT_KEYS);
    }
    json_decref(doc);
    if (rc) {
        fprintf(stderr, "vmwire-conformance: --json %s: cannot write\n", path);
        return -1;
    }
    return 0;
}
