/* A compact diff of two JSON values: every differing member, by path, for
 * the reason of a failed case ("output.header.flags differs: expected 3,
 * got 5; output.size differs: expected 8, got no member"). */
#include <stdlib.h>
#include <string.h>

#include "conformance/runner.h"

#define MAX_DIFFS 12 /* differences spelled out; the rest are counted */

struct diff {
    char *out;
    size_t len, used;
    unsigned n; /* differences found */
};

static char *brief(const json_t *v, size_t max)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (s && strlen(s) > max)
        strcpy(s + max - 3, "...");
    return s;
}

static void note(struct diff *d, const char *path, const json_t *a, const json_t *b)
{
    d->n++;
    if (d->n > MAX_DIFFS)
        return;
    char *x = brief(a, 120), *y = brief(b, 120);
    int w = snprintf(d->out + d->used, d->len - d->used, "%s%s differs: expected %s, got %s", d->n > 1 ? "; " : "",
                     path, x ? x : "no member", y ? y : "no member");
    if (w > 0)
        d->used = (size_t)w >= d->len - d->used ? d->len - 1 : d->used + (size_t)w;
    free(x);
    free(y);
}

static void walk(struct diff *d, const json_t *a, const json_t *b, char *path, size_t pl)
{
    size_t base = strlen(path);
    if (a && b && json_typeof(a) == json_typeof(b) && json_is_object(a)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) {
            json_t *w = json_object_get(b, k);
            if (w && json_equal(v, w))
                continue;
            snprintf(path + base, pl - base, ".%s", k);
            walk(d, v, w, path, pl);
        }
        json_object_foreach((json_t *)b, k, v) {
            if (json_object_get(a, k))
                continue;
            snprintf(path + base, pl - base, ".%s", k);
            note(d, path, NULL, v);
        }
        path[base] = 0;
        return;
    }
    if (a && b && json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
        for (size_t i = 0; i < json_array_size(a); i++) {
            if (json_equal(json_array_get(a, i), json_array_get(b, i)))
                continue;
            snprintf(path + base, pl - base, "[%zu]", i);
            walk(d, json_array_get(a, i), json_array_get(b, i), path, pl);
        }
        path[base] = 0;
        return;
    }
    note(d, path, a, b);
}

void vwc_json_diff(const json_t *expected, const json_t *got, const char *root, char *out, size_t outlen)
{
    struct diff d = { out, outlen, 0, 0 };
    char path[512];
    snprintf(path, sizeof path, "%s", root);
    if (outlen)
        out[0] = 0;
    if (!got) {
        char *x = brief(expected, 160);
        snprintf(out, outlen, "%s differs: expected %s, got no output", root, x ? x : "?");
        free(x);
        return;
    }
    walk(&d, expected, got, path, sizeof path);
    if (d.n > MAX_DIFFS && d.used < outlen)
        snprintf(out + d.used, outlen - d.used, "; and %u more differences", d.n - MAX_DIFFS);
}
