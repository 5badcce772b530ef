/* The human report (failures first, then per-protocol and per-rule tables,
 * spec coverage, totals) and the --coverage table. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conformance/runner.h"

struct tally {
    const char *key;
    const char *example; /* a skip reason, for "skipped entirely" */
    size_t n;
    size_t v[VWC_NVERDICTS];
};

struct tallies {
    struct tally *t;
    size_t n, cap;
};

/* The length of the longest prefix of s of at most max bytes that does not
 * end inside a UTF-8 sequence, for printing a clipped text with "%.*s". */
static int clip(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

static struct tally *tally_get(struct tallies *ts, const char *key)
{
    if (!key) /* its key string could not be made (out of memory) */
        return NULL;
    for (size_t i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].key, key))
            return &ts->t[i];
    if (ts->n == ts->cap) {
        size_t ncap = ts->cap ? ts->cap * 2 : 64;
        struct tally *nt = realloc(ts->t, ncap * sizeof *nt);
        if (!nt) {
            vwt_nomem();
            return NULL;
        }
        ts->t = nt;
        ts->cap = ncap;
    }
    memset(&ts->t[ts->n], 0, sizeof ts->t[ts->n]);
    ts->t[ts->n].key = key;
    return &ts->t[ts->n++];
}

/* Natural order: "IC-HDR-2" before "IC-HDR-10". */
static int natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            char *ea, *eb;
            unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
            if (x != y)
                return x < y ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int cmp_tally(const void *a, const void *b)
{
    return natcmp(((const struct tally *)a)->key, ((const struct tally *)b)->key);
}

static void print_table(FILE *out, const char *title, struct tallies *ts, int width, bool note)
{
    if (!ts->n)
        return;
    qsort(ts->t, ts->n, sizeof *ts->t, cmp_tally);
    fprintf(out, "\n%-*s %6s %6s %6s %7s %6s %6s\n", width, title, "cases", "passed", "failed", "skipped", "xfail",
            "XPASS");
    for (size_t i = 0; i < ts->n; i++) {
        const struct tally *t = &ts->t[i];
        const char *mark = "";
        if (note) {
            if (t->v[VWC_FAIL] + t->v[VWC_XPASS] == t->n)
                mark = "  FAILED (every case)";
            else if (t->v[VWC_FAIL] || t->v[VWC_XPASS])
                mark = "  FAILED";
            else if (t->v[VWC_SKIP] == t->n)
                mark = "  all skipped";
        }
        fprintf(out, "%-*s %6zu %6zu %6zu %7zu %6zu %6zu%s\n", width, t->key, t->n, t->v[VWC_PASS], t->v[VWC_FAIL],
                t->v[VWC_SKIP], t->v[VWC_XFAIL], t->v[VWC_XPASS], mark);
    }
}

/* Print a list of words wrapped at about 100 columns with an indent. */
static void print_words(FILE *out, const char *indent, const char *const *w, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(w[i]);
        if (col == 0) {
            fputs(indent, out);
            col = strlen(indent);
        } else if (col + 1 + l > 100) {
            fprintf(out, "\n%s", indent);
            col = strlen(indent);
        } else {
            fputc(' ', out);
            col++;
        }
        fputs(w[i], out);
        col += l;
    }
    if (col)
        fputc('\n', out);
}

size_t vwc_judged(const struct vwc_run *r)
{
    size_t n = r->nselected - r->tot[VWC_SKIP];
    return n > r->not_run ? n - r->not_run : 0;
}

void vwc_headline(const struct vwc_run *r, char *out, size_t outlen)
{
    size_t judged = vwc_judged(r);
    bool passed = r->exit_status == 0;
    char parts[200] = "";
    size_t pl = 0;
#define PART(...)                                                                                                      \
    do {                                                                                                               \
        int w_ = snprintf(parts + pl, sizeof parts - pl, __VA_ARGS__);                                                 \
        if (w_ > 0 && (size_t)w_ < sizeof parts - pl)                                                                  \
            pl += (size_t)w_;                                                                                          \
    } while (0)
    if (judged == 0)
        PART("nothing judged: 0 of %zu", r->nselected);
    else
        PART("%zu of %zu judged", judged, r->nselected);
    if (r->tot[VWC_FAIL])
        PART(", %zu failed", r->tot[VWC_FAIL]);
    if (r->not_run)
        PART(" (%zu of them not run)", r->not_run);
    if (r->tot[VWC_XPASS])
        PART(", %zu unexpected passes", r->tot[VWC_XPASS]);
    if (r->tot[VWC_SKIP])
        PART(", %zu skipped", r->tot[VWC_SKIP]);
    if (r->tot[VWC_XFAIL])
        PART(", %zu expected failures", r->tot[VWC_XFAIL]);
#undef PART
    if (r->exit_status == 3)
        snprintf(out, outlen, "CONFORMANCE NOT JUDGED (internal error: out of memory; %s)", parts);
    else if (passed && !r->tot[VWC_SKIP] && !r->tot[VWC_XFAIL])
        snprintf(out, outlen, "CONFORMANCE PASSED");
    else
        snprintf(out, outlen, "CONFORMANCE %s (%s)", passed ? "PASSED" : "FAILED", parts);
}

/* Cases of one verdict grouped by identical reason, most frequent first. */
struct reason {
    const char *text;
    size_t n;
    size_t first; /* index of its first case */
};

static int cmp_reason(const void *a, const void *b)
{
    const struct reason *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static void print_grouped(FILE *out, const struct vwc_suite *s, bool (*want)(const struct vwc_case *), bool always,
                          const char *header)
{
    struct reason *rs = NULL;
    size_t nr = 0, total = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected || !want(c))
            continue;
        total++;
        const char *t = c->detail ? c->detail : "";
        size_t k = 0;
        while (k < nr && strcmp(rs[k].text, t))
            k++;
        if (k == nr) {
            struct reason *nrs = realloc(rs, (nr + 1) * sizeof *rs);
            if (!nrs) {
                vwt_nomem();
                break;
            }
            rs = nrs;
            rs[nr++] = (struct reason){ t, 0, i };
        }
        rs[k].n++;
    }
    if (!always && nr == total) {
        free(rs);
        return; /* no reason repeats: the list above says it all */
    }
    fputs(header, out);
    if (rs)
        qsort(rs, nr, sizeof *rs, cmp_reason);
    for (size_t k = 0; k < nr; k++) {
        fprintf(out, "  %zu case%s: %.*s\n", rs[k].n, rs[k].n == 1 ? "" : "s", clip(rs[k].text, 300), rs[k].text);
        const char *w[8];
        size_t nw = 0, more = 0;
        for (size_t i = rs[k].first; i < s->n; i++) {
            const struct vwc_case *c = &s->cases[i];
            if (!c->selected || !want(c) || strcmp(c->detail ? c->detail : "", rs[k].text))
                continue;
            if (nw < 8)
                w[nw++] = c->id;
            else
                more++;
        }
        print_words(out, "      ", w, nw);
        if (more)
            fprintf(out, "      ... and %zu more (the --json report lists them all)\n", more);
    }
    free(rs);
}

static bool is_failure(const struct vwc_case *c)
{
    return c->verdict == VWC_FAIL || c->verdict == VWC_XPASS;
}

static bool is_not_run(const struct vwc_case *c)
{
    return c->verdict == VWC_FAIL && c->fault == VWC_FAULT_START;
}

static bool is_skip(const struct vwc_case *c)
{
    return c->verdict == VWC_SKIP;
}

/* The request's members besides id, operation and message: the input and
 * the parameters, compact and cut short. */
static void print_input(FILE *out, const struct vwc_case *c)
{
    json_t *q = json_deep_copy(c->request);
    if (!q)
        return;
    json_object_del(q, "id");
    json_object_del(q, "operation");
    json_object_del(q, "message");
    char *t = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
    if (t) {
        size_t l = strlen(t);
        fprintf(out, "        request: %.*s%s\n", clip(t, 400), t, l > 400 ? "..." : "");
    }
    free(t);
    json_decref(q);
}

static void report(const struct vwc_run *r, FILE *out)
{
    const struct vwc_suite *s = r->suite;
    const struct vwc_options *o = r->opt;
    struct tallies proto = { 0 }, kinds = { 0 }, rules = { 0 };
    char kindbuf[512];
    json_t *kindkeys = json_object(); /* owns the "protocol op kind" strings */

    fprintf(out, "vmwire-conformance %s: %s", PACKAGE_VERSION, o->testee ? "testee '" : "");
    vwc_fputs_escaped(out, o->testee ? o->testee : "built-in implementation");
    fprintf(out, "%s\n", o->testee ? "'" : "");
    fprintf(out, "vectors: %zu files, %zu cases, %zu selected; data: %s\n", s->ndocs, s->n, r->nselected,
            o->data_dir);

    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected)
            continue;
        struct tally *t = tally_get(&proto, c->protocol);
        if (t) {
            t->n++;
            t->v[c->verdict]++;
            if (c->verdict == VWC_SKIP && !t->example)
                t->example = c->detail;
        }
        snprintf(kindbuf, sizeof kindbuf, "%s %s", c->operation, c->message);
        if (!json_object_get(kindkeys, kindbuf))
            json_object_set_new(kindkeys, kindbuf, json_string(kindbuf));
        t = tally_get(&kinds, json_string_value(json_object_get(kindkeys, kindbuf)));
        if (t) {
            t->n++;
            t->v[c->verdict]++;
            if (c->verdict == VWC_SKIP && !t->example)
                t->example = c->detail;
        }
        size_t ri;
        json_t *rj;
        json_array_foreach(c->rules, ri, rj) {
            t = tally_get(&rules, json_string_value(rj));
            if (t) {
                t->n++;
                t->v[c->verdict]++;
            }
        }
    }

    /* 1. Failures, with reasons. */
    size_t nfail = r->tot[VWC_FAIL] + r->tot[VWC_XPASS];
    if (nfail) {
        fprintf(out, "\nFAILURES (%zu):\n", nfail);
        for (size_t i = 0; i < s->n; i++) {
            const struct vwc_case *c = &s->cases[i];
            if (!c->selected || (c->verdict != VWC_FAIL && c->verdict != VWC_XPASS))
                continue;
            if (c->verdict == VWC_FAIL && c->fault == VWC_FAULT_START && r->not_run > 3)
                continue; /* many cases not run: listed once, below */
            char *rl = json_dumps(c->rules, JSON_COMPACT);
            fprintf(out, "  %-5s %s  (%s %s; %s; rules %s)\n", c->verdict == VWC_FAIL ? "FAIL" : "XPASS", c->id,
                    c->operation, c->message, c->file, rl ? rl : "?");
            free(rl);
            fprintf(out, "        %s\n", c->detail ? c->detail : "");
            print_input(out, c);
            /* h2spec style: quote the requirement each rule states */
            size_t ri;
            json_t *rj;
            json_array_foreach(c->rules, ri, rj) {
                const struct vwc_rule *rule = vwc_specs_find(r->specs, json_string_value(rj));
                if (rule)
                    fprintf(out, "        %s (%s:%u): %s\n", rule->id, rule->spec, rule->line, rule->title);
            }
        }
    }
    if (r->not_run > 3)
        print_grouped(out, s, is_not_run, true, "\nNOT RUN (the testee could not be started):\n");
    if (nfail > 1)
        print_grouped(out, s, is_failure, false, "\nFailures grouped by reason (most frequent first):\n");
    if (r->tot[VWC_XFAIL]) {
        fprintf(out, "\nExpected failures (%zu, listed in %s):\n", r->tot[VWC_XFAIL], o->xfail_path);
        for (size_t i = 0; i < s->n; i++) {
            const struct vwc_case *c = &s->cases[i];
            if (c->selected && c->verdict == VWC_XFAIL)
                fprintf(out, "  xfail %s: %.*s\n", c->id, clip(c->detail ? c->detail : "", 150), c->detail ? c->detail : "");
        }
    }

    if (r->tot[VWC_SKIP]) {
        char h[100];
        snprintf(h, sizeof h, "\nSkipped by the testee (%zu), by reason:\n", r->tot[VWC_SKIP]);
        print_grouped(out, s, is_skip, true, h);
    }

    /* 2. What the testee skipped entirely. */
    bool head = false;
    for (size_t i = 0; i < proto.n; i++) {
        const struct tally *t = &proto.t[i];
        if (t->v[VWC_SKIP] != t->n)
            continue;
        if (!head)
            fprintf(out, "\nSkipped entirely by the testee:\n");
        head = true;
        fprintf(out, "  protocol %s: all %zu cases skipped (%.*s)\n", t->key, t->n, clip(t->example ? t->example : "", 100),
                t->example ? t->example : "");
    }
    for (size_t i = 0; i < kinds.n; i++) {
        const struct tally *t = &kinds.t[i];
        if (t->v[VWC_SKIP] != t->n)
            continue;
        const char *msg = strchr(t->key, ' ') + 1;
        size_t pl = strcspn(msg, ".");
        bool whole = false;
        for (size_t j = 0; j < proto.n; j++)
            if (strlen(proto.t[j].key) == pl && !strncmp(proto.t[j].key, msg, pl) &&
                proto.t[j].v[VWC_SKIP] == proto.t[j].n)
                whole = true;
        if (whole)
            continue;
        if (!head)
            fprintf(out, "\nSkipped entirely by the testee:\n");
        head = true;
        fprintf(out, "  %s: all %zu cases skipped (%.100s)\n", t->key, t->n, t->example ? t->example : "");
    }

    /* 3. Tables. */
    print_table(out, "protocol", &proto, 10, true);
    print_table(out, "operation and message kind", &kinds, 40, true);
    print_table(out, "spec rule", &rules, 20, true);

    /* 4. Coverage. */
    const struct vwc_specs *sp = r->specs;
    if (sp->found) {
        size_t cov = vwc_specs_covered(sp);
        fprintf(out, "\nspec coverage: %zu rules declared in %zu spec documents; %zu covered by a case, %zu uncovered\n",
                sp->n, sp->ndocs, cov, sp->n - cov);
        for (size_t d = 0; d < sp->ndocs; d++) {
            const char **w = malloc((sp->n + 1) * sizeof *w);
            size_t nw = 0;
            if (!w) {
                vwt_nomem();
                break;
            }
            for (size_t i = 0; i < sp->n; i++)
                if (!sp->rules[i].ncases && !strcmp(sp->rules[i].spec, sp->docs[d]))
                    w[nw++] = sp->rules[i].id;
            if (nw) {
                fprintf(out, "  uncovered in %s (%zu):\n", sp->docs[d], nw);
                print_words(out, "    ", w, nw);
            }
            free(w);
        }
        /* Whether the spec says where each uncovered rule is checked instead. */
        size_t outside = vwc_specs_outside(sp), unlisted = sp->n - cov - outside;
        if (sp->n > cov && !unlisted) {
            fprintf(out, "  every uncovered rule is listed under \"Rules checked outside the vectors\" in its spec, "
                         "which says how each is checked, or why it cannot be\n");
        } else if (unlisted) {
            const char **w = malloc((unlisted + 1) * sizeof *w);
            size_t nw = 0;
            if (w) {
                for (size_t i = 0; i < sp->n; i++)
                    if (!sp->rules[i].ncases && !sp->rules[i].outside)
                        w[nw++] = sp->rules[i].id;
                fprintf(out, "  not listed under \"Rules checked outside the vectors\" in their spec either, "
                             "so checked nowhere the spec names (%zu):\n", nw);
                print_words(out, "    ", w, nw);
                free(w);
            } else {
                vwt_nomem();
            }
        }
    } else {
        fprintf(out, "\nspec coverage: no spec directory under %s\n", o->data_dir);
    }

    /* 5. Expected-failure list health. */
    if (r->xfails && r->xfails->n) {
        size_t unmatched = 0;
        for (size_t i = 0; i < r->xfails->n; i++)
            unmatched += r->xfails->e[i].matched == 0;
        fprintf(out, "\nexpected failures: %zu entries in %s", r->xfails->n, r->xfails->path);
        if (unmatched) {
            fprintf(out, "; %zu match no case (stale? remove them):\n", unmatched);
            for (size_t i = 0; i < r->xfails->n; i++)
                if (!r->xfails->e[i].matched)
                    fprintf(out, "  line %u: %s\n", r->xfails->e[i].line, r->xfails->e[i].pattern);
        } else {
            fputc('\n', out);
        }
        if (r->tot[VWC_XPASS])
            fprintf(out, "  %zu listed cases now pass: remove them from the list (see XPASS above)\n",
                    r->tot[VWC_XPASS]);
    }

    /* 6. Totals. */
    fprintf(out,
            "\nconformance: %zu cases: %zu passed, %zu failed, %zu skipped, %zu expected failures, "
            "%zu unexpected passes (%.2f s)\n",
            r->nselected, r->tot[VWC_PASS], r->tot[VWC_FAIL], r->tot[VWC_SKIP], r->tot[VWC_XFAIL], r->tot[VWC_XPASS],
            r->seconds);
    if (r->not_run)
        fprintf(out, "%zu cases were not run: the testee could not be started (%u processes started)\n", r->not_run,
                r->starts);
    char verdict[200];
    vwc_headline(r, verdict, sizeof verdict);
    fprintf(out, "%s\n", verdict);

    free(proto.t);
    free(kinds.t);
    free(rules.t);
    json_decref(kindkeys);
}

void vwc_report_human(const struct vwc_run *r, FILE *out, const char *prefix)
{
    if (!prefix || !*prefix) {
        report(r, out);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        vwt_nomem();
        return;
    }
    report(r, m);
    fclose(m);
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        fprintf(out, "%s%.*s\n", prefix, nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    free(buf);
}

int vwc_report_coverage(const struct vwc_run *r, const char *path)
{
    const struct vwc_specs *sp = r->specs;
    const struct vwc_suite *s = r->suite;
    FILE *out = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!out) {
        fprintf(stderr, "vmwire-conformance: --coverage %s: cannot write\n", path);
        return -1;
    }
    size_t cov = vwc_specs_covered(sp);
    fprintf(out, "# spec rule coverage: %zu rules declared in %zu spec documents under %s/spec\n", sp->n, sp->ndocs,
            r->opt->data_dir);
    fprintf(out, "# %zu covered by at least one case, %zu uncovered (%zu cases loaded)\n", cov, sp->n - cov, s->n);
    fprintf(out, "# %zu of the uncovered rules are listed under \"Rules checked outside the vectors\" in their spec\n",
            vwc_specs_outside(sp));
    fprintf(out, "# rule, number of cases, and the cases that check it (or UNCOVERED and the rule's text)\n");
    for (size_t d = 0; d < sp->ndocs; d++) {
        fprintf(out, "\n%s\n", sp->docs[d]);
        for (size_t i = 0; i < sp->n; i++) {
            const struct vwc_rule *rule = &sp->rules[i];
            if (strcmp(rule->spec, sp->docs[d]))
                continue;
            if (!rule->ncases) {
                fprintf(out, "  %-20s %4s  UNCOVERED  %s%s\n", rule->id, "-",
                        rule->outside ? "(checked outside the vectors) " : "", rule->title);
                continue;
            }
            fprintf(out, "  %-20s %4zu ", rule->id, rule->ncases);
            for (size_t k = 0; k < s->n; k++) {
                const struct vwc_case *c = &s->cases[k];
                if (strcmp(c->spec, rule->spec))
                    continue;
                size_t ri;
                json_t *rj;
                json_array_foreach(c->rules, ri, rj) {
                    if (!strcmp(json_string_value(rj), rule->id)) {
                        fprintf(out, " %s", c->id);
                        break;
                    }
                }
            }
            fputc('\n', out);
        }
    }
    if (out != stdout && fclose(out)) {
        fprintf(stderr, "vmwire-conformance: --coverage %s: write error\n", path);
        return -1;
    }
    if (out == stdout)
        fflush(stdout);
    return 0;
}
