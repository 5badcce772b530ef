/* The tools' one session driver (tools/common/session.c): output taken
 * through state() and output(), feeds repeated over what is not consumed,
 * steps run until a skipped one, and the same vtable over real engines (the
 * IC guest, the crosvm splitter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/session.h"
#include "common/vwt.h"
#include "vmwire/crosvm.h"
#include "vmwire/ic.h"

/* A toy engine: consumes up to `chunk` bytes a feed, echoes them as output,
 * fails (sticky) on '!'; `lie` makes state() claim output it has not. */
struct toy {
    uint8_t out[64];
    size_t out_len, chunk;
    int failed, lie, feeds;
};

static vw_status toy_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    struct toy *t = c;
    *used = 0;
    if (t->failed)
        return VW_E_FAILED;
    t->feeds++;
    size_t n = len < t->chunk ? len : t->chunk;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '!') {
            t->failed = 1;
            *used = i + 1;
            return VW_E_BAD_VALUE;
        }
        if (t->out_len < sizeof t->out)
            t->out[t->out_len++] = in[i];
    }
    if (ev)
        *(size_t *)ev = n;
    *used = n;
    return VW_OK;
}

static vw_status toy_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    struct toy *t = c;
    *w = t->out_len;
    if (!t->out_len)
        return VW_OK;
    if (cap < t->out_len)
        return VW_E_NOSPACE;
    memcpy(out, t->out, t->out_len);
    t->out_len = 0;
    return VW_OK;
}

static unsigned toy_state(const void *c)
{
    const struct toy *t = c;
    if (t->failed)
        return VW_ENGINE_FAILED;
    return VW_ENGINE_WANT_INPUT | (t->out_len || t->lie ? VW_ENGINE_HAVE_OUTPUT : 0u);
}

static size_t toy_error(const void *c)
{
    (void)c;
    return 0;
}

static struct vwt_engine toy_engine(struct toy *t)
{
    return (struct vwt_engine){ "toy", t, toy_feed, toy_output, toy_state, toy_error };
}

static void take_nothing_then_bytes(void **state)
{
    (void)state;
    struct toy t = { .chunk = 8 };
    struct vwt_engine e = toy_engine(&t);
    uint8_t *out = (uint8_t *)&t;
    size_t n = 99, used;
    assert_int_equal(vwt_engine_take(&e, &out, &n), VW_OK);
    assert_null(out);
    assert_int_equal(n, 0);
    assert_int_equal(vwt_engine_feed(&e, (const uint8_t *)"abc", 3, NULL, &used), VW_OK);
    assert_int_equal(used, 3);
    assert_int_equal(vwt_engine_take(&e, &out, &n), VW_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "abc", 3);
    free(out);
    assert_false(vwt_engine_state(&e) & VW_ENGINE_HAVE_OUTPUT); /* taken */
    t.lie = 1;                                                   /* HAVE_OUTPUT without bytes */
    assert_int_equal(vwt_engine_take(&e, &out, &n), VW_E_STATE);
    assert_null(out);
    assert_int_equal(n, 0);
}

static int events;
static vw_status count_event(void *user, void *ev)
{
    (void)user;
    events += (int)*(size_t *)ev;
    return *(size_t *)ev == 1 ? VW_E_CONFLICT : VW_OK; /* a 1-byte feed ends the loop */
}

static void feed_all_repeats_and_stops(void **state)
{
    (void)state;
    struct toy t = { .chunk = 2 };
    struct vwt_engine e = toy_engine(&t);
    size_t ev, used;
    events = 0;
    assert_int_equal(vwt_engine_feed_all(&e, (const uint8_t *)"abcd", 4, &ev, count_event, NULL, &used), VW_OK);
    assert_int_equal(used, 4);
    assert_int_equal(t.feeds, 2);
    assert_int_equal(events, 4);
    /* the hook ends the loop with its status */
    assert_int_equal(vwt_engine_feed_all(&e, (const uint8_t *)"xyz", 3, &ev, count_event, NULL, &used),
                     VW_E_CONFLICT);
    assert_int_equal(used, 3);
    /* a fault ends it with the fault's status and what was consumed through it */
    t.out_len = 0;
    assert_int_equal(vwt_engine_feed_all(&e, (const uint8_t *)"ab!cd", 5, &ev, NULL, NULL, &used),
                     VW_E_BAD_VALUE);
    assert_int_equal(used, 3);
    /* sticky: nothing consumed, the loop does not spin */
    assert_int_equal(vwt_engine_feed_all(&e, (const uint8_t *)"cd", 2, &ev, NULL, NULL, &used), VW_E_FAILED);
    assert_int_equal(used, 0);
}

/* A session over the toy: each step feeds its "input" text and answers the output. */
struct toy_sess {
    struct toy t;
    struct vwt_engine e;
};
static int fini_calls;

static const char *ts_init(void *s, const char *operation, const json_t *req)
{
    struct toy_sess *ts = s;
    (void)operation;
    if (json_object_get(req, "refuse"))
        return "refused by init";
    ts->t.chunk = 1;
    ts->e = toy_engine(&ts->t);
    return NULL;
}

static json_t *ts_step(void *s, const json_t *req, const json_t *step)
{
    struct toy_sess *ts = s;
    (void)req;
    const char *in = json_string_value(json_object_get(step, "input"));
    if (!in)
        return vwt_skipped("no input");
    size_t used;
    vw_status st = vwt_engine_feed_all(&ts->e, (const uint8_t *)in, strlen(in), NULL, NULL, NULL, &used);
    uint8_t *out;
    size_t n;
    assert_int_equal(vwt_engine_take(&ts->e, &out, &n), VW_OK);
    json_t *r = st == VW_OK ? vwt_valid(json_stringn((const char *)out, n)) : vwt_invalid(st);
    free(out);
    return r;
}

static void ts_fini(void *s)
{
    (void)s;
    fini_calls++;
}

static const struct vwt_session toy_session = { sizeof(struct toy_sess), ts_init, ts_step, ts_fini };

static void session_runs_steps(void **state)
{
    (void)state;
    fini_calls = 0;
    json_t *req = json_pack("{s:[{s:s},{s:s},{s:s}]}", "steps", "input", "hi", "input", "a!", "input", "x");
    json_t *r = vwt_session_run(&toy_session, "session", req);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "valid");
    json_t *steps = json_object_get(r, "output");
    assert_int_equal(json_array_size(steps), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 0), "output")), "hi");
    assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 1), "error")), "bad_value");
    assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 2), "error")), "failed");
    assert_int_equal(fini_calls, 1);
    json_decref(r);
    json_decref(req);

    /* a skipped step ends the case with its answer */
    req = json_pack("{s:[{s:s},{},{s:s}]}", "steps", "input", "hi", "input", "x");
    r = vwt_session_run(&toy_session, "session", req);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "skipped");
    assert_string_equal(json_string_value(json_object_get(r, "reason")), "no input");
    assert_int_equal(fini_calls, 2);
    json_decref(r);
    json_decref(req);

    /* init's refusal is the skip reason; fini still runs */
    req = json_pack("{s:b,s:[]}", "refuse", 1, "steps");
    r = vwt_session_run(&toy_session, "session", req);
    assert_string_equal(json_string_value(json_object_get(r, "reason")), "refused by init");
    assert_int_equal(fini_calls, 3);
    json_decref(r);
    json_decref(req);

    /* single: the request is its own step */
    req = json_pack("{s:s}", "input", "ok");
    r = vwt_session_single(&toy_session, "respond", req);
    assert_string_equal(json_string_value(json_object_get(r, "output")), "ok");
    json_decref(r);
    json_decref(req);
}

/* The same vtable over real engines. */
static vw_status guest_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    return vw_ic_guest_feed(c, in, len, ev, used);
}
static vw_status guest_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    return vw_ic_guest_output(c, out, cap, w);
}
static unsigned guest_state(const void *c)
{
    return vw_ic_guest_state(c);
}
static size_t guest_error(const void *c)
{
    return vw_ic_guest_error_offset(c);
}
static vw_status split_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    struct vwt_frame *f = ev;
    return vw_crosvm_splitter_feed(c, in, len, &f->p, &f->len, used);
}
static vw_status split_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    (void)c, (void)out, (void)cap;
    *w = 0;
    return VW_OK;
}
static unsigned split_state(const void *c)
{
    return vw_crosvm_splitter_state(c);
}
static size_t split_error(const void *c)
{
    return vw_crosvm_splitter_error_offset(c);
}

static int frames;
static vw_status on_frame(void *user, void *ev)
{
    (void)user;
    frames += ((struct vwt_frame *)ev)->p != NULL;
    return VW_OK;
}

static void real_engines(void **state)
{
    (void)state;
    /* IC guest (heartbeat, default profile): a bad packet is a fault with no output */
    struct vw_ic_guest g;
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = VW_IC_MSG_HEARTBEAT;
    assert_int_equal(vw_ic_guest_init(&g, &cfg), VW_OK);
    struct vwt_engine e = { "ic guest", &g, guest_feed, guest_output, guest_state, guest_error };
    assert_true(vwt_engine_state(&e) & VW_ENGINE_WANT_INPUT);
    uint8_t bad[3] = { 1, 2, 3 }, *out;
    size_t used, n;
    assert_int_not_equal(vwt_engine_feed(&e, bad, sizeof bad, NULL, &used), VW_OK);
    assert_int_equal(vwt_engine_take(&e, &out, &n), VW_OK);

    /* crosvm splitter: two frames in one chunk, then a partial one */
    uint8_t store[64];
    struct vw_crosvm_splitter s;
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ store, sizeof store, false }), VW_OK);
    struct vwt_engine se = { "splitter", &s, split_feed, split_output, split_state, split_error };
    const uint8_t chunk[] = { 1, 0xaa, 2, 0xbb, 0xcc, 3, 0xdd };
    struct vwt_frame fr;
    frames = 0;
    assert_int_equal(vwt_engine_feed_all(&se, chunk, sizeof chunk, &fr, on_frame, NULL, &used), VW_OK);
    assert_int_equal(used, sizeof chunk);
    assert_int_equal(frames, 2);
    assert_true(vwt_engine_state(&se) & VW_ENGINE_PARTIAL);
    assert_int_equal(vwt_engine_take(&se, &out, &n), VW_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_nothing_then_bytes),
        cmocka_unit_test(feed_all_repeats_and_stops),
        cmocka_unit_test(session_runs_steps),
        cmocka_unit_test(real_engines),
    };
    return cmocka_run_group_tests_name("tools_session", tests, NULL, NULL);
}
