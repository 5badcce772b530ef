/* Unit tests of the IC host initiator (src/ic/host.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/ic.h"
#include "engine_state.h"

/* Every feed below also checks the engine contract: a feed the state does
 * not want reads nothing (IC-HOST-4) or is refused, and state() agrees with
 * output() after every call. */
static vw_status checked_host_feed(struct vw_ic_host *h, const uint8_t *in, size_t len, uint64_t now,
                                   struct vw_ic_host_event *ev, size_t *used)
{
    unsigned before = vw_ic_host_state(h);
    vw_status s = vw_ic_host_feed(h, in, len, now, ev, used);
    if (h && used && (in || !len)) {
        if (!(before & VW_ENGINE_WANT_INPUT)) {
            assert_true(s == VW_OK || s == VW_E_STATE || s == VW_E_FAILED);
            if (s != VW_E_STATE)
                assert_int_equal(*used, 0);
        }
        VWT_STATE_AGREES(vw_ic_host, h);
    }
    return s;
}

static vw_status checked_host_send(struct vw_ic_host *h, const struct vw_ic_message *m, uint64_t now)
{
    vw_status s = vw_ic_host_send(h, m, now);
    if (h)
        VWT_STATE_AGREES(vw_ic_host, h);
    return s;
}

static vw_status checked_host_start(struct vw_ic_host *h, uint64_t now)
{
    vw_status s = vw_ic_host_start(h, now);
    if (h)
        VWT_STATE_AGREES(vw_ic_host, h);
    return s;
}
#define vw_ic_host_feed checked_host_feed
#define vw_ic_host_send checked_host_send
#define vw_ic_host_start checked_host_start

static struct vw_ic_host H;
static uint8_t OUT[16384];

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* A negotiate answer: pipe + header(type 0, size 16, flags) + 1/1 + versions. */
static size_t answer(uint8_t *p, uint8_t tid, uint8_t flags, uint16_t f, uint16_t m, uint16_t fmaj, uint16_t mmaj,
                     uint16_t mmin)
{
    memset(p, 0, 44);
    p[0] = 1;
    p[4] = 36;
    p[8 + 10] = 16;
    p[8 + 16] = tid;
    p[8 + 17] = flags;
    put16(p + 28, f);
    put16(p + 30, m);
    put16(p + 36, fmaj);
    put16(p + 40, mmaj);
    put16(p + 42, mmin);
    return 44;
}

/* A shutdown reply without body (the OpenVMM guest form). */
static size_t sd_reply(uint8_t *p, uint8_t tid, uint32_t status, uint16_t type)
{
    memset(p, 0, 28);
    p[0] = 1;
    p[4] = 20;
    p[8] = 3;
    p[12] = (uint8_t)type;
    p[14] = 3;
    p[16] = 2;
    p[20] = (uint8_t)status;
    p[21] = (uint8_t)(status >> 8);
    p[22] = (uint8_t)(status >> 16);
    p[23] = (uint8_t)(status >> 24);
    p[24] = tid;
    p[25] = 5;
    return 28;
}

static void setup(uint16_t svc, uint64_t timeout, bool strict)
{
    struct vw_ic_host_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = svc;
    cfg.timeout_ns = timeout;
    cfg.strict = strict;
    assert_int_equal(vw_ic_host_init(&H, &cfg), VW_OK);
}

static size_t take(void)
{
    size_t w = 999;
    assert_int_equal(vw_ic_host_output(&H, OUT, sizeof OUT, &w), VW_OK);
    return w;
}

static void negotiate(void)
{
    uint8_t a[44];
    size_t used;
    struct vw_ic_host_event ev;
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    (void)take();
    assert_int_equal(vw_ic_host_feed(&H, a, answer(a, 0, 5, 1, 1, 3, 3, 2), 0, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_HOST_EV_NEGOTIATED);
}

static void offer_bytes(void **state)
{
    (void)state;
    setup(VW_IC_MSG_SHUTDOWN, 0, false);
    size_t w = 0;
    assert_int_equal(vw_ic_host_output(&H, OUT, sizeof OUT, &w), VW_OK);
    assert_int_equal(w, 0); /* nothing before start */
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    assert_int_equal(vw_ic_host_output(&H, OUT, 10, &w), VW_E_NOSPACE);
    assert_int_equal(w, 60);
    assert_int_equal(take(), 60);
    static const uint8_t want[60] = { 1, 0, 0, 0, 52, 0, 0, 0,                       /* pipe */
                                      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0, 0, 0, 0, 3, 0, 0, /* header */
                                      2, 0, 4, 0, 0, 0, 0, 0,                          /* counts */
                                      1, 0, 0, 0, 3, 0, 0, 0,                          /* 1.0 3.0 */
                                      1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 1, 0, 3, 0, 2, 0 }; /* 1.0 3.0 3.1 3.2 */
    assert_memory_equal(OUT, want, 60);
    struct vw_ic_host_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = VW_IC_MSG_HEARTBEAT; /* OpenVMM has no heartbeat list */
    assert_int_equal(vw_ic_host_init(&H, &cfg), VW_E_INVALID_ARG);
}

static void negotiation_checks(void **state)
{
    (void)state;
    uint8_t a[64];
    size_t used, n;
    struct vw_ic_host_event ev;
    struct vw_ic_version f, m;
    setup(VW_IC_MSG_SHUTDOWN, 0, false);
    /* IC-HOST-4: before the offer the host does not read: nothing consumed. */
    used = 99;
    assert_int_equal(vw_ic_host_feed(&H, a, answer(a, 0, 5, 1, 1, 3, 3, 2), 0, &ev, &used), VW_OK);
    assert_int_equal(used, 0);
    assert_int_equal(ev.kind, VW_IC_HOST_EV_NONE);
    assert_int_equal(vw_ic_host_versions(&H, &f, &m), VW_E_STATE);
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    n = sd_reply(a, 0, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, a, n, 0, &ev, &used), VW_OK); /* stale: dropped */
    assert_int_equal(ev.kind, VW_IC_HOST_EV_DROPPED);
    assert_int_equal(used, n);
    n = answer(a, 0, 5, 1, 1, 3, 3, 1);
    assert_int_equal(vw_ic_host_feed(&H, a, n, 0, &ev, &used), VW_OK);
    assert_int_equal(ev.message.minor, 1);
    assert_int_equal(vw_ic_host_versions(&H, &f, &m), VW_OK);
    assert_int_equal(f.major, 3);
    assert_int_equal(m.minor, 1);
    /* Each fault while negotiating is sticky. */
    static const struct {
        uint8_t tid, flags;
        uint16_t f, m;
        vw_status s;
        size_t off;
    } t[] = {
        { 1, 5, 1, 1, VW_E_MISMATCH, 24 },
        { 0, 4, 1, 1, VW_E_MISMATCH, 25 },
        { 0, 5, 0, 0, VW_E_NO_COMMON_VERSION, 28 },
        { 0, 5, 2, 1, VW_E_NO_COMMON_VERSION, 28 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
        n = answer(a, t[i].tid, t[i].flags, t[i].f, t[i].m, 3, 3, 2);
        assert_int_equal(vw_ic_host_feed(&H, a, n, 0, &ev, &used), t[i].s);
        assert_int_equal(vw_ic_host_error_offset(&H), t[i].off);
        n = answer(a, 0, 5, 1, 1, 3, 3, 2);
        assert_int_equal(vw_ic_host_feed(&H, a, n, 0, &ev, &used), VW_E_FAILED);
    }
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    assert_int_equal(vw_ic_host_feed(&H, a, 27, 0, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(vw_ic_host_error_offset(&H), 27);
    /* IC-HOST-3 after IC-HOST-2: a stale message with transaction 1 fails the channel. */
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    n = sd_reply(a, 1, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, a, n, 0, &ev, &used), VW_E_MISMATCH);
    assert_int_equal(vw_ic_host_feed(&H, a, answer(a, 0, 5, 1, 1, 3, 3, 2), 0, &ev, &used), VW_E_FAILED);
    /* IC-PIPE-5: a message above 13312 bytes is not consumed and ends the channel. */
    static uint8_t big[8 + 13313];
    memset(big, 0, sizeof big);
    big[0] = 1;
    big[4] = (uint8_t)13313;
    big[5] = (uint8_t)(13313 >> 8);
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    used = 99;
    assert_int_equal(vw_ic_host_feed(&H, big, sizeof big, 0, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(used, 0);
    assert_int_equal(vw_ic_host_feed(&H, big, sizeof big, 0, &ev, &used), VW_E_FAILED);
    /* IC-STRICT-5: with strict, a message before the offer is consumed and refused. */
    setup(VW_IC_MSG_SHUTDOWN, 0, true);
    assert_int_equal(vw_ic_host_feed(&H, a, answer(a, 0, 5, 1, 1, 3, 3, 2), 0, &ev, &used), VW_E_STATE);
    assert_int_equal(used, 44);
}

static void requests_and_replies(void **state)
{
    (void)state;
    uint8_t r[64];
    size_t used, n;
    struct vw_ic_host_event ev;
    struct vw_ic_message body;
    setup(VW_IC_MSG_SHUTDOWN, 0, false);
    memset(&body, 0, sizeof body);
    body.kind = VW_IC_BODY_SHUTDOWN;
    body.body.shutdown.flags = VW_IC_SD_FLAG_FORCE;
    negotiate();
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    assert_int_equal(take(), 8 + 20 + 2060);
    /* IC-HOST-4: the reply's type is not looked at. */
    n = sd_reply(r, 0, 0, VW_IC_MSG_HEARTBEAT);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_HOST_EV_REPLY);
    /* Nothing expected: not read. */
    used = 99;
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_OK);
    assert_int_equal(used, 0);
    /* IC-HOST-9: a failure status fails only the request. */
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    n = sd_reply(r, 0, VW_IC_E_FAIL, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_BAD_STATUS);
    assert_int_equal(ev.status, VW_IC_E_FAIL);
    /* IC-HOST-4: any other fault ends the channel. */
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    n = sd_reply(r, 1, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_MISMATCH);
    n = sd_reply(r, 0, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_FAILED);
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_STATE);
}

static void requests_and_replies_strict(void **state)
{
    (void)state;
    uint8_t r[64];
    size_t used, n;
    struct vw_ic_host_event ev;
    struct vw_ic_message body;
    setup(VW_IC_MSG_SHUTDOWN, 0, true); /* IC-STRICT-5, IC-STRICT-7 */
    memset(&body, 0, sizeof body);
    body.kind = VW_IC_BODY_SHUTDOWN;
    body.body.shutdown.flags = VW_IC_SD_FLAG_FORCE;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_STATE); /* before negotiation */
    negotiate();
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_STATE); /* one in flight */
    assert_int_equal(take(), 8 + 20 + 2060);
    assert_int_equal(OUT[8], 3);       /* negotiated framework 3.0 */
    assert_int_equal(OUT[8 + 4], 3);   /* type */
    assert_int_equal(OUT[8 + 8], 2);   /* version 3.2 */
    assert_int_equal(OUT[8 + 10], 0x0c);
    assert_int_equal(OUT[8 + 11], 0x08); /* 2060 */
    assert_int_equal(OUT[8 + 17], 3);
    assert_int_equal(OUT[28 + 8], 1);
    n = sd_reply(r, 1, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_MISMATCH); /* not sticky */
    n = sd_reply(r, 0, 0, VW_IC_MSG_HEARTBEAT);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_MISMATCH);
    n = sd_reply(r, 0, VW_IC_E_FAIL, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_BAD_STATUS);
    assert_int_equal(ev.kind, VW_IC_HOST_EV_REPLY);
    assert_int_equal(ev.status, VW_IC_E_FAIL);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_E_STATE); /* nothing in flight */
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    n = sd_reply(r, 0, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 0, &ev, &used), VW_OK);
    assert_int_equal(ev.status, 0);
    body.kind = VW_IC_BODY_HEARTBEAT;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_BAD_TYPE);
}

static void timeouts(void **state)
{
    (void)state;
    uint8_t r[64];
    size_t used, n;
    struct vw_ic_host_event ev;
    struct vw_ic_message body;
    struct vw_ic_host_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = VW_IC_MSG_SHUTDOWN;
    cfg.timeout_ns = 1000;
    assert_int_equal(vw_ic_host_init(&H, &cfg), VW_E_INVALID_ARG); /* IC-STRICT-6: a deadline needs strict */
    setup(VW_IC_MSG_SHUTDOWN, 1000, true);
    negotiate();
    memset(&body, 0, sizeof body);
    body.kind = VW_IC_BODY_SHUTDOWN;
    assert_int_equal(vw_ic_host_send(&H, &body, 5000), VW_OK);
    assert_int_equal(vw_ic_host_tick(&H, 6000), VW_OK); /* at the deadline: still in time */
    assert_int_equal(vw_ic_host_tick(&H, 6001), VW_E_TIMEOUT);
    assert_int_equal(vw_ic_host_tick(&H, 9000), VW_OK); /* reported once */
    n = sd_reply(r, 0, 0, VW_IC_MSG_SHUTDOWN);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 9000, &ev, &used), VW_E_STATE);
    assert_int_equal(vw_ic_host_send(&H, &body, 10000), VW_OK);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 11001, &ev, &used), VW_E_TIMEOUT);
    /* A timed-out negotiation fails the channel. */
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    assert_int_equal(vw_ic_host_tick(&H, 2000), VW_E_TIMEOUT);
    assert_int_equal(vw_ic_host_feed(&H, r, n, 2000, &ev, &used), VW_E_FAILED);
}

static void kvp_rules(void **state)
{
    (void)state;
    struct vw_ic_host_config cfg;
    uint8_t a[44];
    size_t used;
    struct vw_ic_host_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = VW_IC_MSG_KVP;
    assert_int_equal(vw_ic_host_init(&H, &cfg), VW_OK);
    assert_int_equal(vw_ic_host_start(&H, 0), VW_OK);
    assert_int_equal(take(), 8 + 20 + 8 + 4 * 5);
    assert_int_equal(vw_ic_host_feed(&H, a, answer(a, 0, 5, 1, 1, 3, 4, 0), 0, &ev, &used), VW_OK);
    struct vw_ic_message body;
    memset(&body, 0, sizeof body);
    body.kind = VW_IC_BODY_KVP;
    body.body.kvp.operation = VW_IC_KVP_OP_GET_IP_INFO;
    body.body.kvp.ip_binary = true;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_UNSUPPORTED); /* needs 5.0 */
    body.body.kvp.operation = VW_IC_KVP_OP_GET;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_E_UNSUPPORTED); /* IC-HOST-12: OpenVMM never sends GET */
    body.body.kvp.operation = VW_IC_KVP_OP_ENUMERATE;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    assert_int_equal(take(), 8 + 20 + 2580);
    assert_int_equal(OUT[8 + 10] | OUT[8 + 11] << 8, 2580);
    /* IC-HOST-9 (kvp.rs parse_enumerate_response): an echo of the request with a key
     * "A\0B" (embedded NUL) and a string value "V" is accepted, whatever the op byte. */
    static uint8_t r[8 + 20 + 2580];
    memcpy(r, OUT, sizeof r);
    r[8 + 17] = 5;
    r[28] = 0; /* operation byte: not looked at */
    uint8_t *rec = r + 28 + 8;
    rec[0] = VW_IC_KVP_TYPE_STRING;
    rec[4] = 8;
    rec[8] = 4;
    rec[12] = 'A';
    rec[16] = 'B';
    rec[524] = 'V';
    assert_int_equal(vw_ic_host_feed(&H, r, sizeof r, 0, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_HOST_EV_REPLY);
    /* A string value of size 0 has no terminator: the channel ends. */
    body.body.kvp.operation = VW_IC_KVP_OP_ENUMERATE;
    assert_int_equal(vw_ic_host_send(&H, &body, 0), VW_OK);
    (void)take();
    rec[8] = 0;
    assert_int_equal(vw_ic_host_feed(&H, r, sizeof r, 0, &ev, &used), VW_E_BAD_UTF16);
    assert_int_equal(vw_ic_host_error_offset(&H), 8 + 20 + 8 + 8);
    assert_int_equal(vw_ic_host_feed(&H, r, sizeof r, 0, &ev, &used), VW_E_FAILED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offer_bytes),
        cmocka_unit_test(negotiation_checks),
        cmocka_unit_test(requests_and_replies),
        cmocka_unit_test(requests_and_replies_strict),
        cmocka_unit_test(timeouts),
        cmocka_unit_test(kvp_rules),
    };
    return cmocka_run_group_tests_name("ic_host", tests, NULL, NULL);
}
