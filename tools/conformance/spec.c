/* Spec rule declarations (doc/CONVENTIONS.md, "Specs"): every spec/<name>.md
 * declares its rules once each, as `**ID**` at the start of a line or of a
 * list item. The runner checks that cases name declared rules and lists the
 * rules no case covers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"

/* ID := [A-Z][A-Z0-9]*(-[A-Z0-9]+)+ ; returns its length, or 0. */
static size_t rule_id_len(const char *p)
{
    size_t i = 0, parts = 0;
    if (!(p[0] >= 'A' && p[0] <= 'Z'))
        return 0;
    for (i = 1; (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9'); i++)
        ;
    while (p[i] == '-') {
        size_t j = i + 1;
        while ((p[j] >= 'A' && p[j] <= 'Z') || (p[j] >= '0' && p[j] <= '9'))
            j++;
        if (j == i + 1)
            return 0;
        i = j;
        parts++;
    }
    return parts ? i : 0;
}

/* If the line declares a rule, return the start of its id and set *len. */
static const char *declared_rule(const char *line, size_t *len)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    /* an optional list marker: "-", "*", "+" or "12." followed by blanks */
    if ((*p == '-' || *p == '*' || *p == '+') && (p[1] == ' ' || p[1] == '\t')) {
        p++;
    } else if (isdigit((unsigned char)*p)) {
        const char *q = p;
        while (isdigit((unsigned char)*q))
            q++;
        if ((*q == '.' || *q == ')') && (q[1] == ' ' || q[1] == '\t'))
            p = q + 1;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] != '*' || p[1] != '*')
        return NULL;
    size_t l = rule_id_len(p + 2);
    if (!l || p[2 + l] != '*' || p[3 + l] != '*')
        return NULL;
    *len = l;
    return p + 2;
}

static int add_rule(struct vwc_specs *sp, const char *id, size_t idlen, const char *spec, const char *text,
                    unsigned line)
{
    for (size_t i = 0; i < sp->n; i++) {
        if (strlen(sp->rules[i].id) == idlen && !strncmp(sp->rules[i].id, id, idlen)) {
            fprintf(stderr, "vmwire-conformance: warning: %s:%u: rule %s is declared again (first in %s:%u)\n",
                    spec, line, sp->rules[i].id, sp->rules[i].spec, sp->rules[i].line);
            return 0;
        }
    }
    if (sp->n == sp->cap) {
        size_t ncap = sp->cap ? sp->cap * 2 : 256;
        struct vwc_rule *nr = realloc(sp->rules, ncap * sizeof *nr);
        if (!nr) {
            vwt_nomem();
            return -1;
        }
        sp->rules = nr;
        sp->cap = ncap;
    }
    struct vwc_rule *r = &sp->rules[sp->n];
    memset(r, 0, sizeof *r);
    r->id = strndup(id, idlen);
    r->spec = strdup(spec);
    /* The title: the rule's first sentence (text may run over several
     * lines, joined by the caller), without markup. */
    while (*text == ' ' || *text == '\t' || *text == '.' || *text == ':')
        text++;
    char title[600];
    size_t n = 0;
    int depth = 0;
    for (; *text && n < sizeof title - 1; text++) {
        char ch = *text == '\n' || *text == '\r' || *text == '\t' ? ' ' : *text;
        if (ch == '*' || ch == '`' || (ch == ' ' && n && title[n - 1] == ' '))
            continue;
        title[n++] = ch;
        depth += ch == '(' ? 1 : ch == ')' && depth ? -1 : 0;
        if ((ch == '.' || ch == '!' || ch == '?') && depth == 0 && (text[1] == 0 || isspace((unsigned char)text[1]))) {
            const char *q = text + 1;
            while (isspace((unsigned char)*q))
                q++;
            if (!*q || !islower((unsigned char)*q))
                break; /* the end of the sentence, not "e.g. x" */
        }
    }
    while (n && title[n - 1] == ' ')
        n--;
    title[n] = 0;
    r->title = strdup(title);
    r->line = line;
    if (!r->id || !r->spec || !r->title) {
        vwt_nomem();
        free(r->id);
        free(r->spec);
        free(r->title);
        return -1;
    }
    sp->n++;
    return 0;
}

/* Does this line end the paragraph of a rule (blank, a new list item, a
 * heading, a table, a fence, another rule)? */
static bool ends_rule_text(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '\n' || *p == '\r' || *p == '#' || *p == '|' || !strncmp(p, "```", 3) || !strncmp(p, "~~~", 3))
        return true;
    if ((*p == '-' || *p == '*' || *p == '+') && (p[1] == ' ' || p[1] == '\t'))
        return true;
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p))
            p++;
        if ((*p == '.' || *p == ')') && (p[1] == ' ' || p[1] == '\t'))
            return true;
    }
    return false;
}

static int load_doc(struct vwc_specs *sp, const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vmwire-conformance: %s: cannot read\n", path);
        return -1;
    }
    /* All lines first: a rule's text may continue on the next ones. */
    char **lines = NULL;
    size_t nl = 0, capl = 0;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while ((errno = 0, getline(&line, &cap, f)) >= 0) {
        if (nl == capl) {
            capl = capl ? capl * 2 : 256;
            char **nls = realloc(lines, capl * sizeof *nls);
            if (!nls) {
                rc = -1;
                break;
            }
            lines = nls;
        }
        if (!(lines[nl] = strdup(line))) {
            rc = -1;
            break;
        }
        nl++;
    }
    if (rc || errno == ENOMEM) { /* a line not read for want of memory is not the end of the spec */
        vwt_nomem();
        rc = -1;
    }
    free(line);
    fclose(f);
    bool fence = false;
    for (size_t i = 0; i < nl && !rc; i++) {
        const char *p = lines[i];
        while (*p == ' ')
            p++;
        if (!strncmp(p, "```", 3) || !strncmp(p, "~~~", 3)) {
            fence = !fence; /* rule-like text in code examples declares nothing */
            continue;
        }
        size_t l;
        const char *id = fence ? NULL : declared_rule(lines[i], &l);
        if (!id)
            continue;
        char text[1200];
        snprintf(text, sizeof text, "%s", id + l + 2);
        for (size_t k = i + 1; k < nl && k < i + 12 && !ends_rule_text(lines[k]); k++) {
            size_t used = strlen(text);
            snprintf(text + used, sizeof text - used, "%s", lines[k]);
        }
        if (add_rule(sp, id, l, name, text, (unsigned)(i + 1)))
            rc = -1;
    }
    /* The rules of this document named in its "Rules checked outside the
     * vectors" section (a heading with those words, to the next heading):
     * the tests that check them are not cases, so the reports say so. */
    bool outside = false;
    fence = false;
    for (size_t i = 0; i < nl && !rc; i++) {
        const char *p = lines[i];
        while (*p == ' ')
            p++;
        if (!strncmp(p, "```", 3) || !strncmp(p, "~~~", 3))
            fence = !fence;
        if (fence)
            continue;
        if (*p == '#') {
            outside = strstr(p, "hecked outside the vectors") != NULL;
            continue;
        }
        for (const char *q = p; outside && *q; q++) {
            if (q > lines[i] && (isalnum((unsigned char)q[-1]) || q[-1] == '-' || q[-1] == '_'))
                continue;
            size_t l = rule_id_len(q);
            if (!l)
                continue;
            for (size_t k = 0; k < sp->n; k++)
                if (!strcmp(sp->rules[k].spec, name) && strlen(sp->rules[k].id) == l &&
                    !strncmp(sp->rules[k].id, q, l))
                    sp->rules[k].outside = true;
            q += l - 1;
        }
    }
    for (size_t i = 0; i < nl; i++)
        free(lines[i]);
    free(lines);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int vwc_specs_load(struct vwc_specs *sp, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    sp->found = true;
    struct dirent *e;
    size_t cap = 0;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".md") || e->d_name[0] == '.')
            continue;
        if (sp->ndocs == cap) {
            cap = cap ? cap * 2 : 16;
            char **nd = realloc(sp->docs, cap * sizeof *nd);
            if (!nd) {
                rc = -1;
                break;
            }
            sp->docs = nd;
        }
        size_t nl = l + 6;
        if (!(sp->docs[sp->ndocs] = malloc(nl))) {
            rc = -1;
            break;
        }
        snprintf(sp->docs[sp->ndocs++], nl, "spec/%s", e->d_name);
    }
    closedir(d);
    if (rc) {
        vwt_nomem();
        return rc;
    }
    if (sp->docs)
        qsort(sp->docs, sp->ndocs, sizeof *sp->docs, cmp_str);
    for (size_t i = 0; i < sp->ndocs && !rc; i++) {
        size_t pl = strlen(dir) + strlen(sp->docs[i]) + 2;
        char *path = malloc(pl);
        if (!path) {
            vwt_nomem();
            return -1;
        }
        snprintf(path, pl, "%s/%s", dir, sp->docs[i] + 5);
        rc = load_doc(sp, path, sp->docs[i]);
        free(path);
    }
    return rc;
}

void vwc_specs_free(struct vwc_specs *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        free(sp->rules[i].id);
        free(sp->rules[i].spec);
        free(sp->rules[i].title);
    }
    free(sp->rules);
    for (size_t i = 0; i < sp->ndocs; i++)
        free(sp->docs[i]);
    free(sp->docs);
    memset(sp, 0, sizeof *sp);
}

struct vwc_rule *vwc_specs_find(const struct vwc_specs *sp, const char *id)
{
    for (size_t i = 0; i < sp->n; i++)
        if (!strcmp(sp->rules[i].id, id))
            return &sp->rules[i];
    return NULL;
}

static bool have_doc(const struct vwc_specs *sp, const char *spec)
{
    for (size_t i = 0; i < sp->ndocs; i++)
        if (!strcmp(sp->docs[i], spec))
            return true;
    return false;
}

size_t vwc_specs_check(struct vwc_specs *sp, const struct vwc_suite *s)
{
    size_t problems = 0;
    const char *warned = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!have_doc(sp, c->spec)) {
            /* Without the document we cannot check the rules (a partial
             * install); coverage then simply lacks that document. */
            if (!warned || strcmp(warned, c->spec))
                fprintf(stderr, "vmwire-conformance: warning: %s names %s, which is not in the spec directory; "
                                "its rules are not checked\n", c->file, c->spec);
            warned = c->spec;
            continue;
        }
        size_t ri;
        json_t *rj;
        json_array_foreach(c->rules, ri, rj) {
            const char *id = json_string_value(rj);
            struct vwc_rule *r = vwc_specs_find(sp, id);
            if (!r || strcmp(r->spec, c->spec)) {
                if (problems < 20)
                    fprintf(stderr, "vmwire-conformance: %s: case %s names rule %s, which %s does not declare\n",
                            c->file, c->id, id, c->spec);
                problems++;
                continue;
            }
            r->ncases++;
        }
    }
    if (problems > 20)
        fprintf(stderr, "vmwire-conformance: ... %zu undeclared rule references in all\n", problems);
    return problems;
}

void vwc_specs_tally(struct vwc_specs *sp, const struct vwc_suite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct vwc_case *c = &s->cases[i];
        if (!c->selected)
            continue;
        size_t ri;
        json_t *rj;
        json_array_foreach(c->rules, ri, rj) {
            struct vwc_rule *r = vwc_specs_find(sp, json_string_value(rj));
            if (r)
                r->v[c->verdict]++;
        }
    }
}

size_t vwc_specs_covered(const struct vwc_specs *sp)
{
    size_t n = 0;
    for (size_t i = 0; i < sp->n; i++)
        n += sp->rules[i].ncases > 0;
    return n;
}

size_t vwc_specs_outside(const struct vwc_specs *sp)
{
    size_t n = 0;
    for (size_t i = 0; i < sp->n; i++)
        n += !sp->rules[i].ncases && sp->rules[i].outside;
    return n;
}
