/* Allocation-failure tests of the tools' code paths that allocate: the hex
 * and JSON helpers of tools/common and the built-in testee handler of every
 * protocol (tools/common/impl_*.c), which the conformance runner, the testee
 * and the CLI all use. The library itself never allocates (see SECURITY.md).
 *
 * Every allocation is counted: the tools' own malloc/calloc/realloc/free/
 * strdup calls through the linker's --wrap (see fuzz/local.mk), jansson's
 * through json_set_alloc_funcs(). Each scenario is run once to count its N
 * allocations, then N more times with allocation i failing (nghttp2's
 * failmalloc scheme). Each run must end cleanly: no crash (ASan/UBSan in the
 * sanitizer build), an error result (NULL, -1 or an error response) where
 * the scenario cannot complete, and no leak: the number of live blocks
 * returns to what it was before the run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/vwt.h"

#include "allocfail.h"
#include "vector_requests.h"

/* ---- scenarios -------------------------------------------------------------- */

static int sc_hex_decode(const void *arg)
{
    uint8_t *out = NULL;
    size_t len = 0;
    int r = vwt_hex_decode(arg, &out, &len);
    if (r != 0) {
        assert_null(out);
        return 0;
    }
    free(out);
    return 1;
}

static int sc_json_hex(const void *arg)
{
    json_t *s = json_string(arg);
    if (!s)
        return 0;
    uint8_t *out = NULL;
    size_t len = 0;
    int r = vwt_json_hex(s, &out, &len);
    json_decref(s);
    if (r != 0)
        return 0;
    free(out);
    return 1;
}

static int sc_hex_json(const void *arg)
{
    (void)arg;
    static const uint8_t b[] = {0, 1, 0xfe, 0xff, 0x10};
    json_t *j = vwt_hex_json(b, sizeof b);
    if (!j)
        return 0;
    int ok = json_is_string(j) && strcmp(json_string_value(j), "0001feff10") == 0;
    json_decref(j);
    return ok;
}

static int sc_responses(const void *arg)
{
    (void)arg;
    int ok = 1;
    json_t *r[5];
    r[0] = vwt_valid(json_integer(7));
    r[1] = vwt_valid_hex((const uint8_t *)"\x01\x02", 2);
    r[2] = vwt_invalid(VW_E_TRUNCATED);
    r[3] = vwt_invalid_output(VW_E_BAD_FLAGS, json_string("0102"));
    r[4] = vwt_skipped("no %s here", "thing");
    for (int i = 0; i < 5; i++) {
        /* a response is either missing or whole: never a half-built object */
        if (!r[i] || !json_is_string(json_object_get(r[i], "result")))
            ok = 0;
        json_decref(r[i]);
    }
    return ok;
}

static int sc_handle(const void *arg)
{
    json_t *resp = vwt_impl_handle(arg);
    if (!resp)
        return 0;
    const char *res = json_string_value(json_object_get(resp, "result"));
    int ok = res != NULL;
    if (failed && res && strcmp(res, "valid") == 0 && !json_object_get(resp, "output"))
        ok = 0;
    json_decref(resp);
    return ok;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_hex(void **state)
{
    (void)state;
    begin_test();
    run_failing(sc_hex_decode, "00ff10aB", "vwt_hex_decode");
    run_failing(sc_hex_decode, "", "vwt_hex_decode(\"\")");
    run_failing(sc_json_hex, "abcd", "vwt_json_hex");
    run_failing(sc_hex_json, NULL, "vwt_hex_json");
    end_test();
}

static void test_responses(void **state)
{
    (void)state;
    begin_test();
    run_failing(sc_responses, NULL, "vwt_valid/invalid/skipped");
    end_test();
}

/* One request per group of every vector file (every .json file of
 * conformance/vectors), as the conformance runner sends it
 * (tests/vector_requests.h). */
static json_t *requests_from_vectors(void)
{
    const char *top = getenv("top_srcdir");
    char path[8192];
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/conformance/vectors", top ? top : ".");
    json_t *reqs = json_array();
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 6 || strcmp(e->d_name + nl - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        vector_requests_of_file(path, 0, reqs);
    }
    if (d)
        closedir(d);
    return reqs;
}

/* Every request of one protocol's vector files through vwt_impl_handle(). */
static void impl_handlers(const char *proto)
{
    begin_test();
    json_t *reqs = requests_from_vectors();
    assert_true(json_array_size(reqs) > 0);
    size_t i, count = 0;
    json_t *req;
    long runs0 = runs_total;
    json_array_foreach(reqs, i, req) {
        const char *msg = json_string_value(json_object_get(req, "message"));
        size_t pl = strlen(proto);
        if (!msg || strncmp(msg, proto, pl) != 0 || msg[pl] != '.')
            continue;
        char what[256];
        snprintf(what, sizeof what, "vwt_impl_handle(%s %s, %s)",
                 json_string_value(json_object_get(req, "operation")), msg,
                 json_string_value(json_object_get(req, "id")));
        run_failing(sc_handle, req, what);
        count++;
    }
    json_decref(reqs);
    printf("# %s: %zu requests, %ld runs with one allocation failing\n", proto, count,
           runs_total - runs0);
    end_test();
}

static void test_impl_ic(void **state)
{
    (void)state;
    impl_handlers("ic");
}

static void test_impl_crosvm(void **state)
{
    (void)state;
    impl_handlers("crosvm");
}

static void test_impl_serial(void **state)
{
    (void)state;
    impl_handlers("serial");
}

static void test_impl_bridge(void **state)
{
    (void)state;
    impl_handlers("bridge");
}

int main(void)
{
    json_set_alloc_funcs(j_malloc, j_free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_impl_ic),
        cmocka_unit_test(test_impl_crosvm),
        cmocka_unit_test(test_impl_serial),
        cmocka_unit_test(test_impl_bridge),
    };
    return cmocka_run_group_tests_name("allocfail_tools", tests, NULL, NULL);
}
