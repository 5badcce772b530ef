/* The requests the conformance runner would send for the golden vectors, for
 * the allocation-failure tests (tests/test_allocfail_tools.c,
 * tests/test_allocfail_runner.c): one request per group, from the group's
 * first case, in the runner's shape (the group's parameters, the case's
 * input or steps), every expectation removed. Static: included once per
 * test program, after <jansson.h>. */
#ifndef VW_TESTS_VECTOR_REQUESTS_H
#define VW_TESTS_VECTOR_REQUESTS_H

#include <string.h>

#include <jansson.h>

/* The request for case @p c of group @p g (a new reference). */
static json_t *vector_request(json_t *g, json_t *c)
{
    json_t *req = json_deep_copy(g);
    json_object_del(req, "cases");
    json_object_del(req, "comment");
    const char *k;
    json_t *v;
    json_object_foreach(c, k, v) {
        if (strcmp(k, "rules") && strcmp(k, "comment") && strcmp(k, "flags") &&
            strcmp(k, "result") && strcmp(k, "output") && strcmp(k, "error"))
            json_object_set(req, k, v);
    }
    json_t *steps = json_object_get(req, "steps");
    if (json_is_array(steps)) {
        json_t *clean = json_array();
        size_t si;
        json_t *st;
        json_array_foreach(steps, si, st) {
            json_t *cs = json_deep_copy(st);
            json_object_del(cs, "result");
            json_object_del(cs, "output");
            json_object_del(cs, "error");
            json_object_del(cs, "comment");
            json_array_append_new(clean, cs);
        }
        json_object_set_new(req, "steps", clean);
    }
    return req;
}

/* Append to @p reqs the request of the first case of each of the first
 * @p max_groups groups (0: every group) of the vector file at @p path.
 * Returns how many were appended (0 for a file that does not load). */
static size_t vector_requests_of_file(const char *path, size_t max_groups, json_t *reqs)
{
    json_t *doc = json_load_file(path, 0, NULL);
    if (!doc)
        return 0;
    size_t gi, n = 0;
    json_t *g;
    json_array_foreach(json_object_get(doc, "groups"), gi, g) {
        json_t *c = json_array_get(json_object_get(g, "cases"), 0);
        if (!c || (max_groups && gi >= max_groups))
            continue;
        json_array_append_new(reqs, vector_request(g, c));
        n++;
    }
    json_decref(doc);
    return n;
}

#endif /* VW_TESTS_VECTOR_REQUESTS_H */
