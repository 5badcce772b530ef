/* Fuzz target: the runner's vector loader (tools/conformance/vectors.c,
 * vwc_load_buffer and vwc_check_doc) on arbitrary bytes as a vector file.
 *
 * Properties: loading never crashes or leaks; a document the loader accepts
 * yields cases whose request has the case's id, a known operation and the
 * message kind, and (for sessions) one cleaned step per expected step; and
 * the expected answer of every accepted case, sent back as the testee's
 * answer, passes its own case (with and without --strict-errors). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/operations.h"
#include "conformance/runner.h"
#include "fuzz.h"

static const char *const ops[] = { VWT_OPERATION_NAMES };

/* The answer an ideal testee gives: the expectation, "acceptable" as valid. */
static json_t *oracle_one(const json_t *exp)
{
    json_t *a = json_object();
    const char *r = json_string_value(json_object_get(exp, "result"));
    if (!strcmp(r, "acceptable")) {
        json_object_set_new(a, "result", json_string("valid"));
        json_object_set_new(a, "output", json_null());
        return a;
    }
    json_object_set_new(a, "result", json_string(r));
    if (json_object_get(exp, "output"))
        json_object_set(a, "output", json_object_get(exp, "output"));
    if (json_object_get(exp, "error"))
        json_object_set(a, "error", json_object_get(exp, "error"));
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader explains every refusal on stderr: silence it for the call
     * (FUZZ_RUNNER_VERBOSE=1 shows it), keeping stderr for the properties. */
    static int devnull = -2;
    if (devnull == -2)
        devnull = getenv("FUZZ_RUNNER_VERBOSE") ? -1 : open("/dev/null", O_WRONLY);
    int saved = devnull >= 0 ? dup(2) : -1;
    if (saved >= 0)
        dup2(devnull, 2);
    struct vwc_suite s = { 0 };
    int rc = vwc_load_buffer(&s, "fuzz.json", (const char *)data, size);
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
    }
    if (rc == 0) {
        for (size_t i = 0; i < s.n; i++) {
            struct vwc_case *c = &s.cases[i];
            const json_t *req = c->request;
            FUZZ_CHECK(json_is_object(req));
            FUZZ_CHECK(c->id && *c->id && !strcmp(json_string_value(json_object_get(req, "id")), c->id));
            FUZZ_CHECK(!strcmp(json_string_value(json_object_get(req, "message")), c->message));
            bool known = false;
            for (size_t k = 0; ops[k]; k++)
                known |= !strcmp(ops[k], c->operation);
            FUZZ_CHECK(known && !strcmp(json_string_value(json_object_get(req, "operation")), c->operation));
            FUZZ_CHECK(json_is_array(c->rules) && json_array_size(c->rules) > 0);
            json_t *ans;
            const json_t *steps = json_object_get(c->expect, "steps");
            if (steps) {
                FUZZ_CHECK(!strcmp(c->operation, "session"));
                FUZZ_CHECK(json_array_size(json_object_get(req, "steps")) == json_array_size(steps));
                ans = json_object();
                json_t *outs = json_array();
                size_t k;
                json_t *st;
                json_array_foreach(steps, k, st) json_array_append_new(outs, oracle_one(st));
                json_object_set_new(ans, "result", json_string("valid"));
                json_object_set_new(ans, "output", outs);
            } else {
                FUZZ_CHECK(json_object_get(req, "input") != NULL);
                ans = oracle_one(c->expect);
            }
            for (int strict = 0; strict < 2; strict++) {
                vwc_judge(c, ans, strict);
                if (c->verdict != VWC_PASS)
                    FUZZ_FAIL("case %s: its own expected answer does not pass: %s", c->id,
                              c->detail ? c->detail : "");
            }
            json_decref(ans);
        }
    }
    vwc_suite_free(&s);
    return 0;
}
