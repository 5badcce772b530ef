/* Loading golden vector files (conformance/FORMAT.md) into runnable cases. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/operations.h"
#include "conformance/runner.h"
#include "vmwire/status.h"

static const char *const operations[] = { VWT_OPERATION_NAMES };

/* Members of a group or case that describe the case rather than feed the testee. */
static const char *const group_meta[] = { "operation", "message", "comment", "cases", NULL };
static const char *const case_meta[] = {
    "id", "rules", "comment", "flags", "result", "output", "error", "offset", "steps", NULL,
};
static const char *const step_meta[] = { "comment", "result", "output", "error", "offset", NULL };

static bool in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0)
            return true;
    return false;
}

/* Lowercase hex bytes: an even number of 0-9a-f. */
static bool is_hex(const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s)
        return false;
    size_t n = strspn(s, "0123456789abcdef");
    return s[n] == 0 && n % 2 == 0 && n == json_string_length(v);
}

/* The type the operation's input must have (FORMAT.md, "Operations"):
 * bytes for decode, validate and respond (and a session step's "input"), a
 * list of byte chunks for deframe, an object for dispatch. encode's message
 * JSON is the kind's to define. */
static int input_ok(const char *op, const json_t *in, const char *where, char *err, size_t errlen)
{
    bool ok = true;
    const char *want = "";
    if (!strcmp(op, "decode") || !strcmp(op, "validate") || !strcmp(op, "respond") || !strcmp(op, "session")) {
        ok = is_hex(in);
        want = "a lowercase hex string of whole bytes";
    } else if (!strcmp(op, "deframe")) {
        size_t i;
        const json_t *ch;
        ok = json_is_array(in);
        json_array_foreach(in, i, ch) ok = ok && is_hex(ch);
        want = "an array of lowercase hex strings";
    } else if (!strcmp(op, "dispatch")) {
        ok = json_is_object(in);
        want = "an object";
    }
    if (!ok)
        snprintf(err, errlen, "%s: \"input\" of a %s case must be %s", where, op, want);
    return ok ? 0 : -1;
}

static int expectation_ok(const json_t *o, const char *where, char *err, size_t errlen)
{
    const char *r = json_string_value(json_object_get(o, "result"));
    if (!r || (strcmp(r, "valid") && strcmp(r, "invalid") && strcmp(r, "acceptable"))) {
        snprintf(err, errlen, "%s: \"result\" must be valid, invalid or acceptable", where);
        return -1;
    }
    if (!strcmp(r, "valid") && !json_object_get(o, "output")) {
        snprintf(err, errlen, "%s: a valid result needs \"output\"", where);
        return -1;
    }
    if (!strcmp(r, "invalid")) {
        const char *e = json_string_value(json_object_get(o, "error"));
        if (!e || !vw_status_from_name(e, NULL)) {
            snprintf(err, errlen, "%s: an invalid result needs \"error\" naming a vw_status", where);
            return -1;
        }
    }
    const json_t *off = json_object_get(o, "offset");
    if (off && (strcmp(r, "invalid") || !json_is_integer(off) || json_integer_value(off) < 0)) {
        snprintf(err, errlen, "%s: \"offset\" is a byte offset (integer >= 0) of an invalid result", where);
        return -1;
    }
    return 0;
}

int vwc_check_doc(const json_t *doc, char *err, size_t errlen)
{
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "top level is not an object");
        return -1;
    }
    if (!json_is_string(json_object_get(doc, "protocol")) || !json_is_string(json_object_get(doc, "spec")) ||
        !json_is_integer(json_object_get(doc, "version"))) {
        snprintf(err, errlen, "needs \"protocol\" (string), \"spec\" (string) and \"version\" (integer)");
        return -1;
    }
    const json_t *groups = json_object_get(doc, "groups");
    if (!json_is_array(groups)) {
        snprintf(err, errlen, "needs \"groups\" (array)");
        return -1;
    }
    size_t gi;
    const json_t *g;
    json_array_foreach(groups, gi, g) {
        const char *op = json_string_value(json_object_get(g, "operation"));
        if (!op || !in_list(op, operations)) {
            snprintf(err, errlen, "group %zu: unknown \"operation\"", gi);
            return -1;
        }
        if (!json_is_string(json_object_get(g, "message")) || !json_is_array(json_object_get(g, "cases"))) {
            snprintf(err, errlen, "group %zu: needs \"message\" (string) and \"cases\" (array)", gi);
            return -1;
        }
        size_t ci;
        const json_t *c;
        json_array_foreach(json_object_get(g, "cases"), ci, c) {
            const char *id = json_string_value(json_object_get(c, "id"));
            char where[256], shown_id[96];
            /* a vector file is untrusted text: its id is shown escaped */
            vwc_escape_into(shown_id, sizeof shown_id, id ? id : "(no id)");
            snprintf(where, sizeof where, "group %zu case %s", gi, shown_id);
            if (!id || !*id) {
                snprintf(err, errlen, "%s: needs \"id\"", where);
                return -1;
            }
            /* FORMAT.md: ids go into lists (--expected-failures, --case-file) one word a line */
            if (!isalnum((unsigned char)id[0]) ||
                strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") != strlen(id) ||
                strlen(id) != json_string_length(json_object_get(c, "id"))) {
                snprintf(err, errlen, "group %zu: case id \"%s\" is not [A-Za-z0-9][A-Za-z0-9_.:-]*", gi,
                         shown_id);
                return -1;
            }
            const json_t *rules = json_object_get(c, "rules");
            if (!json_is_array(rules) || json_array_size(rules) == 0) {
                snprintf(err, errlen, "%s: needs a non-empty \"rules\" array", where);
                return -1;
            }
            size_t ri;
            const json_t *r;
            json_array_foreach(rules, ri, r) if (!json_is_string(r))
            {
                snprintf(err, errlen, "%s: rules must be strings", where);
                return -1;
            }
            if (!json_is_string(json_object_get(c, "comment"))) {
                snprintf(err, errlen, "%s: needs \"comment\"", where);
                return -1;
            }
            if (!strcmp(op, "session")) {
                const json_t *steps = json_object_get(c, "steps");
                if (!json_is_array(steps) || json_array_size(steps) == 0) {
                    snprintf(err, errlen, "%s: a session case needs \"steps\"", where);
                    return -1;
                }
                size_t si;
                const json_t *st;
                json_array_foreach(steps, si, st) {
                    char w2[300];
                    snprintf(w2, sizeof w2, "%s step %zu", where, si);
                    if (!json_is_object(st)) {
                        snprintf(err, errlen, "%s: not an object", w2);
                        return -1;
                    }
                    if (expectation_ok(st, w2, err, errlen))
                        return -1;
                    if (json_object_get(st, "input") && input_ok(op, json_object_get(st, "input"), w2, err, errlen))
                        return -1;
                }
            } else {
                if (!json_object_get(c, "input")) {
                    snprintf(err, errlen, "%s: needs \"input\"", where);
                    return -1;
                }
                if (expectation_ok(c, where, err, errlen))
                    return -1;
                if (input_ok(op, json_object_get(c, "input"), where, err, errlen))
                    return -1;
            }
        }
    }
    return 0;
}

/* Returns -1 if @p dst is NULL or a member could not be set (out of memory). */
static int copy_params(json_t *dst, const json_t *src, const char *const *meta)
{
    const char *k;
    json_t *v;
    int bad = !dst;
    json_object_foreach((json_t *)src, k, v) if (!in_list(k, meta) && json_object_set(dst, k, v)) bad = 1;
    return bad ? -1 : 0;
}

/* NULL when out of memory. */
static json_t *expectation(const json_t *o)
{
    json_t *e = json_object();
    int bad = !e || json_object_set(e, "result", json_object_get(o, "result"));
    if (!bad && json_object_get(o, "output"))
        bad = json_object_set(e, "output", json_object_get(o, "output"));
    if (!bad && json_object_get(o, "error"))
        bad = json_object_set(e, "error", json_object_get(o, "error"));
    if (!bad && json_object_get(o, "offset"))
        bad = json_object_set(e, "offset", json_object_get(o, "offset"));
    if (bad) {
        json_decref(e);
        return NULL;
    }
    return e;
}

static int add_case(struct vwc_suite *s, const char *file, const json_t *doc, const json_t *g, const json_t *c)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        struct vwc_case *nc = realloc(s->cases, ncap * sizeof *nc);
        if (!nc) {
            vwt_nomem();
            return -1;
        }
        s->cases = nc;
        s->cap = ncap;
    }
    struct vwc_case *k = &s->cases[s->n];
    memset(k, 0, sizeof *k);
    k->file = strdup(file);
    if (!k->file) {
        vwt_nomem();
        return -1;
    }
    k->protocol = json_string_value(json_object_get(doc, "protocol"));
    k->spec = json_string_value(json_object_get(doc, "spec"));
    k->id = json_string_value(json_object_get(c, "id"));
    k->operation = json_string_value(json_object_get(g, "operation"));
    k->message = json_string_value(json_object_get(g, "message"));
    k->rules = json_object_get(c, "rules");

    /* Out of memory anywhere below: the case is not added (bad). */
    json_t *req = json_object();
    int bad = copy_params(req, g, group_meta);
    bad |= copy_params(req, c, case_meta);
    /* after the parameters: a parameter named like these cannot change them */
    bad |= json_object_set_new(req, "id", json_string(k->id));
    bad |= json_object_set_new(req, "operation", json_string(k->operation));
    bad |= json_object_set_new(req, "message", json_string(k->message));
    if (!strcmp(k->operation, "session")) {
        json_t *steps = json_array(), *exp = json_array();
        size_t i;
        json_t *st;
        bad |= !steps || !exp;
        json_array_foreach(json_object_get(c, "steps"), i, st) {
            json_t *clean = json_object();
            bad |= copy_params(clean, st, step_meta);
            bad |= json_array_append_new(steps, clean);
            json_t *e = expectation(st);
            bad |= !e;
            bad |= json_array_append_new(exp, e);
        }
        bad |= json_object_set_new(req, "steps", steps);
        k->expect = json_object();
        bad |= !k->expect;
        bad |= json_object_set_new(k->expect, "result", json_string("valid"));
        bad |= json_object_set_new(k->expect, "steps", exp);
    } else {
        k->expect = expectation(c);
        bad |= !k->expect;
    }
    if (bad) {
        json_decref(req);
        json_decref(k->expect);
        free(k->file);
        memset(k, 0, sizeof *k);
        return -1;
    }
    k->request = req;
    s->n++;
    return 0;
}

static int add_doc(struct vwc_suite *s, const char *path, json_t *doc);

/* jansson's parse error quotes the bytes near the fault: untrusted text, so
 * shown escaped (no terminal control sequence reaches the user's screen) */
static void load_error(const char *path, const json_error_t *jerr)
{
    char text[3 * JSON_ERROR_TEXT_LENGTH];
    vwc_escape_into(text, sizeof text, jerr->text);
    fprintf(stderr, "vmwire-conformance: %s:%d: %s\n", path, jerr->line, text);
}

static int load_file(struct vwc_suite *s, const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!doc) {
        load_error(path, &jerr);
        return -1;
    }
    return add_doc(s, path, doc);
}

int vwc_load_buffer(struct vwc_suite *s, const char *name, const char *data, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!doc) {
        load_error(name, &jerr);
        return -1;
    }
    return add_doc(s, name, doc);
}

/* Check a loaded document and add its cases (the suite owns doc then). */
static int add_doc(struct vwc_suite *s, const char *path, json_t *doc)
{
    char err[512];
    if (vwc_check_doc(doc, err, sizeof err)) {
        fprintf(stderr, "vmwire-conformance: %s: %s\n", path, err);
        json_decref(doc);
        return -1;
    }
    if (s->ndocs == s->capdocs) {
        size_t ncap = s->capdocs ? s->capdocs * 2 : 16;
        json_t **nd = realloc(s->docs, ncap * sizeof *nd);
        if (!nd) {
            vwt_nomem();
            fprintf(stderr, "vmwire-conformance: out of memory\n");
            json_decref(doc);
            return -1;
        }
        s->docs = nd;
        s->capdocs = ncap;
    }
    s->docs[s->ndocs++] = doc;
    size_t gi, ci;
    json_t *g, *c;
    if (!s->ids && !(s->ids = json_object()))
        return -1;
    json_array_foreach(json_object_get(doc, "groups"), gi, g) {
        json_array_foreach(json_object_get(g, "cases"), ci, c) {
            const char *id = json_string_value(json_object_get(c, "id"));
            const json_t *prev = json_object_get(s->ids, id);
            if (prev) {
                fprintf(stderr, "vmwire-conformance: %s: case id %s repeats one in %s\n", path, id,
                        s->cases[json_integer_value(prev)].file);
                return -1;
            }
            json_object_set_new(s->ids, id, json_integer((json_int_t)s->n));
            if (add_case(s, path, doc, g, c)) {
                fprintf(stderr, "vmwire-conformance: out of memory\n");
                return -1;
            }
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int vwc_load(struct vwc_suite *s, const char *path)
{
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "vmwire-conformance: %s: no such file or directory\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(s, path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "vmwire-conformance: %s: cannot open\n", path);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                vwt_nomem();
                rc = -1;
                break;
            }
            names = nn;
        }
        size_t plen = strlen(path) + l + 2;
        names[n] = malloc(plen);
        if (!names[n]) {
            vwt_nomem();
            rc = -1;
            break;
        }
        snprintf(names[n], plen, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && load_file(s, names[i]))
            rc = -1;
        free(names[i]);
    }
    free(names);
    if (rc == 0 && n == 0) {
        fprintf(stderr, "vmwire-conformance: %s: a directory without vector files (*.json)\n", path);
        rc = -1;
    }
    return rc;
}

void vwc_suite_free(struct vwc_suite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->cases[i].file);
        free(s->cases[i].detail);
        json_decref(s->cases[i].request);
        json_decref(s->cases[i].expect);
        json_decref(s->cases[i].got);
        free(s->cases[i].stderr_text);
    }
    json_decref(s->ids);
    free(s->cases);
    for (size_t i = 0; i < s->ndocs; i++)
        json_decref(s->docs[i]);
    free(s->docs);
    memset(s, 0, sizeof *s);
}
