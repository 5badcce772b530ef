/* The tools' one session driver (tools/common/session.c): output taken
 * through state() and output(), feeds repeated over what is not consumed,
 * steps run until a skipped one, the production adapters of
 * tools/common/engines.c over real engines (IC guest and host, crosvm main,
 * vCPU and splitter, serial deframer), and the one deframe loop. */
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
#include "vmwire/serial.h"

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

/* The production adapters (tools/common/engines.c) over real engines. */
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
    struct vwt_engine e = vwt_ic_guest_engine(&g);
    assert_string_equal(e.name, "ic guest");
    assert_ptr_equal(e.ctx, &g);
    assert_true(vwt_engine_state(&e) & VW_ENGINE_WANT_INPUT);
    uint8_t bad[3] = { 1, 2, 3 }, *out;
    size_t used, n;
    assert_int_not_equal(vwt_engine_feed(&e, bad, sizeof bad, NULL, &used), VW_OK);
    assert_int_equal(vwt_engine_take(&e, &out, &n), VW_OK);

    /* crosvm splitter: two frames in one chunk, then a partial one */
    uint8_t store[64];
    struct vw_crosvm_splitter s;
    assert_int_equal(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ store, sizeof store, false }), VW_OK);
    struct vwt_splitter sp = vwt_crosvm_splitter_engine(&s);
    const struct vwt_engine se = sp.e;
    assert_true(sp.truncated_at_end);
    const uint8_t chunk[] = { 1, 0xaa, 2, 0xbb, 0xcc, 3, 0xdd };
    struct vwt_frame fr;
    frames = 0;
    assert_int_equal(vwt_engine_feed_all(&se, chunk, sizeof chunk, &fr, on_frame, NULL, &used), VW_OK);
    assert_int_equal(used, sizeof chunk);
    assert_int_equal(frames, 2);
    assert_true(vwt_engine_state(&se) & VW_ENGINE_PARTIAL);
    assert_int_equal(sp.pending(se.ctx), 2); /* the prefix 03 and dd */
    assert_int_equal(vwt_engine_take(&se, &out, &n), VW_OK);
    assert_int_equal(n, 0);
}

/* The adapters whose feed takes an extra argument read it through their
 * context at every feed: the IC host's clock, the crosvm main fd count. */
static void adapters_read_their_argument(void **state)
{
    (void)state;
    struct vw_ic_host_config hc;
    memset(&hc, 0, sizeof hc);
    hc.service = VW_IC_MSG_SHUTDOWN; /* has an OpenVMM version list */
    hc.strict = true;
    hc.timeout_ns = 100; /* IC-STRICT-6 */
    struct vw_ic_host h;
    uint64_t now = 0;
    struct vwt_ic_host_at at = { &h, &now };
    const uint8_t junk[4] = { 0 };
    uint8_t *out;
    size_t n, used;
    for (int late = 0; late < 2; late++) {
        assert_int_equal(vw_ic_host_init(&h, &hc), VW_OK);
        struct vwt_engine e = vwt_ic_host_engine(&at);
        assert_string_equal(e.name, "ic host");
        assert_int_equal(vw_ic_host_start(&h, 0), VW_OK);
        assert_int_equal(vwt_engine_state(&e), vw_ic_host_state(&h));
        assert_int_equal(vwt_engine_take(&e, &out, &n), VW_OK); /* the negotiate offer */
        assert_true(n > 0);
        free(out);
        now = late ? 101 : 100; /* the deadline is 0 + 100: only after it is late */
        vw_status st = vwt_engine_feed(&e, junk, sizeof junk, NULL, &used);
        if (late)
            assert_int_equal(st, VW_E_TIMEOUT);
        else
            assert_true(st != VW_OK && st != VW_E_TIMEOUT); /* read, and refused as a packet */
    }

    /* crosvm main host: an empty datagram ends the connection (CV-MAIN-1) and
     * the fds that came with it are dropped */
    struct vw_crosvm_vm vm;
    static uint8_t mem[1 << 16];
    struct vw_arena a;
    vw_arena_init(&a, mem, sizeof mem);
    assert_int_equal(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ VW_CROSVM_FINAL, 1, false }), VW_OK);
    struct vw_crosvm_main m;
    struct vw_crosvm_main_config mc = { VW_CROSVM_HOST, &vm, &a, false };
    assert_int_equal(vw_crosvm_main_init(&m, &mc), VW_OK);
    unsigned nfds = 2;
    struct vwt_crosvm_main_fds mf = { &m, &nfds };
    struct vwt_engine me = vwt_crosvm_main_engine(&mf);
    assert_string_equal(me.name, "crosvm main");
    struct vw_crosvm_main_event ev;
    assert_int_equal(vwt_engine_state(&me), vw_crosvm_main_state(&m));
    assert_int_equal(vwt_engine_feed(&me, NULL, 0, &ev, &used), VW_E_CLOSED);
    assert_int_equal(ev.fds_dropped, 2);
    assert_int_equal(ev.end, VW_CROSVM_END_CONNECTION);
    assert_true(vwt_engine_state(&me) & VW_ENGINE_FAILED);

    struct vw_crosvm_vcpu v;
    struct vw_crosvm_vcpu_config vc = { VW_CROSVM_FINAL, VW_CROSVM_HOST, &vm, 0, &a, false };
    assert_int_equal(vw_crosvm_vcpu_init(&v, &vc), VW_OK);
    struct vwt_engine ve = vwt_crosvm_vcpu_engine(&v);
    assert_string_equal(ve.name, "crosvm vcpu");
    assert_ptr_equal(ve.ctx, &v);
    assert_int_equal(vwt_engine_state(&ve), vw_crosvm_vcpu_state(&v));
}

static const char *event_str(const json_t *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(r, "output"), i), key));
}
static json_int_t event_int(const json_t *r, size_t i, const char *key)
{
    return json_integer_value(json_object_get(json_array_get(json_object_get(r, "output"), i), key));
}

/* The one deframe loop over the serial deframer (default limit 600, resync):
 * frames across chunks, a bad length skipped one byte at a time, the held
 * bytes reported at the end (spec/serial.md SER-FRAME-4, SER-FRAME-6). */
static void deframe_serial(void **state)
{
    (void)state;
    struct vw_serial_deframer *d = malloc(sizeof *d);
    assert_non_null(d);
    assert_int_equal(vw_serial_deframer_init(d, NULL), VW_OK);
    struct vwt_splitter sp = vwt_serial_deframer_engine(d);
    assert_string_equal(sp.e.name, "serial deframer");
    assert_false(sp.truncated_at_end);
    /* 01 00 aa | 02 00 bb cc | ff ff: length 65535 > 600 */
    json_t *chunks = json_pack("[s,s,s]", "0100aa02", "00bbcc", "ffff");
    json_t *r = vwt_deframe_run(&sp, chunks);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "valid");
    assert_int_equal(json_array_size(json_object_get(r, "output")), 4);
    assert_string_equal(event_str(r, 0, "frame"), "aa");
    assert_string_equal(event_str(r, 1, "frame"), "bbcc");
    assert_string_equal(event_str(r, 2, "error"), "too_long");
    assert_int_equal(event_int(r, 2, "skipped"), 1);
    assert_int_equal(event_int(r, 3, "pending"), 1); /* the second ff */
    json_decref(r);
    json_decref(chunks);

    /* a chunk that is not hex skips the case, naming the chunk */
    assert_int_equal(vw_serial_deframer_init(d, NULL), VW_OK);
    chunks = json_pack("[s,s]", "0100aa", "xyz");
    r = vwt_deframe_run(&sp, chunks);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "skipped");
    assert_string_equal(json_string_value(json_object_get(r, "reason")), "deframe: chunk 1 is not a hex string");
    json_decref(r);
    json_decref(chunks);
    free(d);
}

/* The same loop over the crosvm splitter: a sticky fault's offset counts from
 * the start of the stream and nothing after it is fed; a stream ending inside
 * a frame is truncated at its end (spec/crosvm.md CV-VCPU-16). */
static void deframe_crosvm(void **state)
{
    (void)state;
    uint8_t store[64];
    struct vw_crosvm_splitter s;
    struct vw_crosvm_splitter_config cfg = { store, sizeof store, false };
    assert_int_equal(vw_crosvm_splitter_init(&s, &cfg), VW_OK);
    struct vwt_splitter sp = vwt_crosvm_splitter_engine(&s);
    /* 01 aa | 02 bb cc | five continuation bytes, then a sixth prefix byte at stream offset 10 */
    json_t *chunks = json_pack("[s,s,s,s]", "01aa02bb", "cc", "ffffffffff7f", "00");
    json_t *r = vwt_deframe_run(&sp, chunks);
    assert_int_equal(json_array_size(json_object_get(r, "output")), 3);
    assert_string_equal(event_str(r, 0, "frame"), "aa");
    assert_string_equal(event_str(r, 1, "frame"), "bbcc");
    assert_string_equal(event_str(r, 2, "error"), "bad_varint");
    assert_int_equal(event_int(r, 2, "offset"), 10);
    json_decref(r);
    json_decref(chunks);

    assert_int_equal(vw_crosvm_splitter_init(&s, &cfg), VW_OK);
    chunks = json_pack("[s,s]", "00", "03aa"); /* an empty frame, then 1 of 3 body bytes */
    r = vwt_deframe_run(&sp, chunks);
    assert_int_equal(json_array_size(json_object_get(r, "output")), 2);
    assert_string_equal(event_str(r, 0, "frame"), "");
    assert_string_equal(event_str(r, 1, "error"), "truncated");
    assert_int_equal(event_int(r, 1, "offset"), 3);
    json_decref(r);
    json_decref(chunks);
}

/* A splitter that never consumes nor reports: the loop ends, it does not spin. */
static vw_status stuck_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    (void)c, (void)in, (void)len;
    memset(ev, 0, sizeof(struct vwt_frame));
    *used = 0;
    return VW_OK;
}
static size_t stuck_pending(const void *c)
{
    (void)c;
    return 0;
}

static void deframe_no_progress(void **state)
{
    (void)state;
    struct toy t = { .chunk = 0 };
    struct vwt_splitter sp = { toy_engine(&t), stuck_pending, false };
    sp.e.feed = stuck_feed;
    json_t *chunks = json_pack("[s]", "0102");
    json_t *r = vwt_deframe_run(&sp, chunks);
    assert_string_equal(json_string_value(json_object_get(r, "result")), "valid");
    assert_int_equal(json_array_size(json_object_get(r, "output")), 0);
    json_decref(r);
    json_decref(chunks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_nothing_then_bytes),
        cmocka_unit_test(feed_all_repeats_and_stops),
        cmocka_unit_test(session_runs_steps),
        cmocka_unit_test(real_engines),
        cmocka_unit_test(adapters_read_their_argument),
        cmocka_unit_test(deframe_serial),
        cmocka_unit_test(deframe_crosvm),
        cmocka_unit_test(deframe_no_progress),
    };
    return cmocka_run_group_tests_name("tools_session", tests, NULL, NULL);
}
