/* Unit tests of the IC guest responder (src/ic/guest.c), both profiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmwire/ic.h"
#include "engine_state.h"

/* Every feed and completion below also checks the engine contract: a feed
 * the state does not want is refused and reads nothing, a completion the
 * state does not wait for is refused, and state() agrees with output(). */
static vw_status checked_guest_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len,
                                    struct vw_ic_guest_event *ev, size_t *used)
{
    unsigned before = vw_ic_guest_state(g);
    vw_status s = vw_ic_guest_feed(g, in, len, ev, used);
    if (g && used && (in || !len)) {
        if (!(before & VW_ENGINE_WANT_INPUT)) {
            assert_true(s == VW_E_STATE || s == VW_E_FAILED);
            assert_int_equal(*used, 0);
        }
        VWT_STATE_AGREES(vw_ic_guest, g);
    }
    return s;
}

static vw_status checked_guest_complete_ip(struct vw_ic_guest *g, const struct vw_ic_guest_answer *a,
                                           const struct vw_ic_guest_ip_answer *ip)
{
    unsigned before = vw_ic_guest_state(g);
    vw_status s = vw_ic_guest_complete_ip(g, a, ip);
    if (g && a) {
        if (!(before & VW_ENGINE_WAIT_APP))
            assert_int_equal(s, VW_E_STATE);
        VWT_STATE_AGREES(vw_ic_guest, g);
    }
    return s;
}

static vw_status checked_guest_complete(struct vw_ic_guest *g, const struct vw_ic_guest_answer *a)
{
    return checked_guest_complete_ip(g, a, NULL);
}
#define vw_ic_guest_feed checked_guest_feed
#define vw_ic_guest_complete checked_guest_complete
#define vw_ic_guest_complete_ip checked_guest_complete_ip

static struct vw_ic_guest G; /* large: keep it off the stack */
static uint8_t OUT[VW_IC_MAX_PACKET];

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The OpenVMM host's shutdown offer, built by hand: pipe(8) + header(20) + body(32). */
static size_t sd_offer(uint8_t *p, uint8_t tid)
{
    static const uint16_t v[] = { 1, 0, 3, 0, 1, 0, 3, 0, 3, 1, 3, 2 };
    memset(p, 0, 60);
    put32(p, 1);
    put32(p + 4, 52);
    put16(p + 8 + 10, 32);
    p[8 + 16] = tid;
    p[8 + 17] = 3;
    put16(p + 28, 2);
    put16(p + 30, 4);
    for (int i = 0; i < 12; i++)
        put16(p + 36 + 2 * i, v[i]);
    return 60;
}

static size_t sd_request(uint8_t *p, uint32_t flags)
{
    memset(p, 0, 8 + 20 + 2060);
    put32(p, 1);
    put32(p + 4, 20 + 2060);
    p[8] = 3;
    p[8 + 4] = 3;
    p[8 + 6] = 3;
    p[8 + 8] = 2;
    put16(p + 8 + 10, 2060);
    p[8 + 16] = 0x21;
    p[8 + 17] = 3;
    put32(p + 28 + 8, flags);
    return 8 + 20 + 2060;
}

static void init(enum vw_ic_profile prof, uint16_t svc, bool agent, bool hib)
{
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = prof;
    cfg.service = svc;
    cfg.agent_ready = agent;
    cfg.hibernate_supported = hib;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_OK);
}

static size_t take(void)
{
    size_t w = 12345;
    assert_int_equal(vw_ic_guest_output(&G, OUT, sizeof OUT, &w), VW_OK);
    return w;
}

static void init_checks(void **state)
{
    (void)state;
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.service = 0;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_E_INVALID_ARG);
    cfg.service = VW_IC_MSG_HEARTBEAT;
    cfg.profile = VW_IC_PROFILE_OPENVMM;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_E_UNSUPPORTED);
    cfg.profile = VW_IC_PROFILE_LINUX;
    struct vw_ic_version many[9] = { { 1, 0 } };
    cfg.message_versions = many;
    cfg.n_message_versions = 9;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_E_INVALID_ARG);
    cfg.n_message_versions = 1;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_OK);
}

static void linux_negotiate_echo(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t n = sd_offer(in, 0x44), used;
    struct vw_ic_guest_event ev;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_SHUTDOWN, false, false);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    assert_int_equal(used, n);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_NEGOTIATED);
    assert_true(ev.ok);
    assert_int_equal(ev.message.major, 3);
    assert_int_equal(ev.message.minor, 2);
    /* Output: too small keeps it pending and reports the size. */
    size_t w = 0;
    assert_int_equal(vw_ic_guest_output(&G, OUT, 10, &w), VW_E_NOSPACE);
    assert_int_equal(w, n);
    /* Pending reply: feeding again is out of state. */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_STATE);
    assert_int_equal(take(), n);
    assert_int_equal(OUT[8 + 17], 5);       /* flags */
    assert_int_equal(OUT[8 + 16], 0x44);    /* transaction kept */
    assert_int_equal(OUT[8 + 10], 16);      /* message_size */
    assert_int_equal(OUT[28], 1);           /* counts 1/1 */
    assert_int_equal(OUT[30], 1);
    assert_int_equal(OUT[36], 3);           /* framework 3.0 */
    assert_int_equal(OUT[40], 3);           /* message 3.2 */
    assert_int_equal(OUT[42], 2);
    assert_memory_equal(OUT + 44, in + 44, n - 44); /* stale entries */
    assert_memory_equal(OUT, in, 8);                /* pipe header kept */
    assert_int_equal(take(), 0);                    /* nothing more */
}

static void linux_negotiate_failures(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t n = sd_offer(in, 0), used;
    struct vw_ic_guest_event ev;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_SHUTDOWN, false, false);
    put16(in + 36, 2); /* frameworks 2.0 and 3.0 ... */
    put16(in + 40, 2); /* ... now 2.0 and 2.0: no common framework */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(vw_ic_guest_error_offset(&G), 28);
    assert_false(ev.ok);
    assert_int_equal(take(), n);
    assert_int_equal(OUT[28], 0);
    assert_int_equal(OUT[30], 0);
    assert_int_equal(OUT[36], 2); /* fallback (F,0) = (2,0) */
    assert_int_equal(OUT[40], 4); /* fallback (M,0) = (4,0) */
    /* counts over 100 */
    sd_offer(in, 0);
    put16(in + 28, 101);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(take(), n);
    assert_int_equal(OUT[36], 101);
    /* too short for the counts: flags only */
    sd_offer(in, 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, 31, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 31);
    assert_int_equal(OUT[25], 5);
    assert_memory_equal(OUT + 26, in + 26, 5);
    assert_int_equal(OUT[18], 32); /* message_size untouched */
    /* shorter than the headers: nothing */
    assert_int_equal(vw_ic_guest_feed(&G, in, 27, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);
}

static void linux_shutdown_flags(void **state)
{
    (void)state;
    static uint8_t in[4096];
    size_t used;
    struct vw_ic_guest_event ev;
    static const struct {
        uint32_t flags;
        bool hib;
        vw_status s;
        uint32_t status;
        enum vw_ic_shutdown_action act;
    } t[] = {
        { 0, false, VW_OK, 0, VW_IC_SD_POWER_OFF },
        { 1, false, VW_OK, 0, VW_IC_SD_POWER_OFF },
        { 3, false, VW_OK, 0, VW_IC_SD_REBOOT },
        { 4, false, VW_E_UNSUPPORTED, VW_IC_E_FAIL, VW_IC_SD_REFUSED },
        { 5, true, VW_OK, 0, VW_IC_SD_HIBERNATE },
        { 6, true, VW_E_BAD_FLAGS, VW_IC_E_FAIL, VW_IC_SD_REFUSED },
        { 8, true, VW_E_BAD_FLAGS, VW_IC_E_FAIL, VW_IC_SD_REFUSED },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        init(VW_IC_PROFILE_LINUX, VW_IC_MSG_SHUTDOWN, false, t[i].hib);
        size_t n = sd_request(in, t[i].flags);
        assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), t[i].s);
        assert_int_equal(ev.kind, VW_IC_GUEST_EV_SHUTDOWN);
        assert_int_equal(ev.action, t[i].act);
        assert_int_equal(take(), n);
        assert_int_equal(get32(OUT + 20), t[i].status);
        assert_int_equal(OUT[25], 5);
    }
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_SHUTDOWN, false, false);
    size_t n = sd_request(in, 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, n - 1, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);
    in[8 + 4] = VW_IC_MSG_HEARTBEAT; /* wrong type on this channel */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_BAD_TYPE);
    assert_int_equal(take(), n);
    assert_int_equal(get32(OUT + 20), VW_IC_E_FAIL);
    /* IC-PROF-12: a 4097-byte payload is clamped to 4080 bytes (max_pkt_size 4096 less the
     * ring descriptor), read as a (here failed) negotiation and echoed with 4080 bytes. */
    static uint8_t big[4097];
    assert_int_equal(vw_ic_guest_feed(&G, big, sizeof big, &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(used, 4080);
    assert_int_equal(take(), 4080);
    assert_int_equal(OUT[25], 5);
}

static void linux_heartbeat_and_timesync(void **state)
{
    (void)state;
    uint8_t in[8 + 20 + 40];
    size_t used;
    struct vw_ic_guest_event ev;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_HEARTBEAT, false, false);
    memset(in, 0, sizeof in);
    in[8] = 3;
    in[12] = 1;
    in[14] = 3;
    in[18] = 40;
    in[25] = 3;
    memset(in + 28, 0xff, 8); /* 2^64-1 wraps to 0 */
    in[36] = 0x77;
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_HEARTBEAT);
    assert_int_equal(take(), sizeof in);
    for (int i = 0; i < 8; i++)
        assert_int_equal(OUT[28 + i], 0);
    assert_int_equal(OUT[36], 0x77);
    assert_int_equal(vw_ic_guest_feed(&G, in, 35, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);

    /* Time sync: before negotiation the old layout needs 53 bytes. */
    uint8_t ts[8 + 20 + 28];
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_TIMESYNC, false, false);
    memset(ts, 0, sizeof ts);
    ts[8] = 3;
    ts[12] = 4;
    ts[14] = 3;
    ts[18] = 25;
    ts[25] = 3;
    ts[28] = 0x10;
    ts[28 + 24] = VW_IC_TS_FLAG_SYNC;
    assert_int_equal(vw_ic_guest_feed(&G, ts, 52, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(vw_ic_guest_feed(&G, ts, 53, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_TIMESYNC);
    assert_false(ev.msg.body.timesync.v4);
    assert_int_equal(ev.msg.body.timesync.flags, VW_IC_TS_FLAG_SYNC);
    assert_int_equal(ev.msg.body.timesync.parent_time, 0x10);
    assert_int_equal(take(), 53);
}

static void linux_kvp_agent(void **state)
{
    (void)state;
    static uint8_t in[8 + 20 + 2580];
    size_t used, n = sizeof in;
    struct vw_ic_guest_event ev;
    memset(in, 0, sizeof in);
    put32(in, 1);
    put32(in + 4, 2600);
    in[8] = 3;
    in[12] = 2;
    in[14] = 4;
    put16(in + 18, 2580);
    in[25] = 3;
    in[28] = VW_IC_KVP_OP_ENUMERATE;
    in[29] = VW_IC_KVP_POOL_AUTO;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_KVP, false, false);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_STATE); /* no agent: not read */
    assert_int_equal(take(), 0);
    struct vw_ic_guest_answer a = { 0, "K", "V\xc3\xa9" };
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_E_STATE);
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_KVP, true, false);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_KVP);
    assert_true(ev.pending);
    assert_int_equal(take(), 0); /* waits for the agent */
    struct vw_ic_guest_answer badans = { 0, "K", "\xff" };
    assert_int_equal(vw_ic_guest_complete(&G, &badans), VW_E_BAD_UTF8);
    assert_int_equal(take(), 0); /* still waiting */
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), n);
    assert_int_equal(get32(OUT + 36), VW_IC_KVP_TYPE_STRING);
    assert_int_equal(get32(OUT + 40), 4); /* key "K": 2 * (1 + 1) */
    assert_int_equal(get32(OUT + 44), 6); /* value "Vé": 2 * (2 + 1) */
    assert_int_equal(OUT[48], 'K');
    assert_int_equal(OUT[560], 'V');
    assert_int_equal(OUT[562], 0xe9);
    assert_int_equal(OUT[25], 5);
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_E_STATE);
    /* An agent failure: status only. */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    struct vw_ic_guest_answer none = { VW_IC_E_NO_MORE_ITEMS, NULL, NULL };
    assert_int_equal(vw_ic_guest_complete(&G, &none), VW_OK);
    assert_int_equal(take(), n);
    assert_int_equal(get32(OUT + 20), VW_IC_E_NO_MORE_ITEMS);
    assert_memory_equal(OUT + 28, in + 28, n - 28);
    /* IC-KVP-14: GET_IP_INFO writes the agent's texts into the record at body offset 2. */
    in[28] = VW_IC_KVP_OP_GET_IP_INFO;
    in[30] = 'Z'; /* the host's adapter id "ZZ" */
    in[32] = 'Z';
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    struct vw_ic_guest_ip_answer ip = { "e", "1.2.3.4", NULL, NULL, "\xff", 2, 1 };
    assert_int_equal(vw_ic_guest_complete_ip(&G, &a, &ip), VW_E_BAD_UTF8); /* bad text: nothing written */
    ip.dns = "9.9.9.9";
    assert_int_equal(vw_ic_guest_complete_ip(&G, &a, &ip), VW_OK);
    assert_int_equal(take(), n);
    assert_int_equal(OUT[30], 'e');
    assert_int_equal(OUT[32], 'Z'); /* no NUL written: the host's text shows through */
    assert_int_equal(OUT[30 + 256], 2); /* address_family */
    assert_int_equal(OUT[30 + 257], 1); /* dhcp_enabled */
    assert_int_equal(OUT[30 + 258], '1');
    assert_int_equal(OUT[30 + 258 + 12], '4');
    /* gateway and dns (offsets 4354, 5378) lie past this 2608-byte packet: written, not sent. */
    assert_int_equal(OUT[30 + 2306], 0); /* subnet NULL: empty */
    /* Without an IP answer (vw_ic_guest_complete): texts empty, family and DHCP 0. */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), n);
    assert_int_equal(OUT[30], 'Z');
    assert_int_equal(OUT[30 + 256], 0);
}

/* Linux reads and writes its receive buffer past the received length; the
 * bytes past a fed packet read as zero, whatever earlier replies wrote there
 * (the responder clears only what may have been written, see lx_touch). */
static void assert_zero_from(size_t from)
{
    for (size_t i = from; i < sizeof G.buf; i++)
        if (G.buf[i]) {
            print_error("buf[%zu] = %u, not zero\n", i, G.buf[i]);
            fail();
        }
}

static void linux_unsent_part_reads_zero(void **state)
{
    (void)state;
    uint8_t in[8 + 20 + 8];
    size_t used;
    struct vw_ic_guest_event ev;
    memset(in, 0, sizeof in);
    put32(in, 1);
    put32(in + 4, 28);
    in[8] = 3;
    in[12] = 2;
    in[14] = 4;
    put16(in + 18, 8);
    in[25] = 3;
    in[28] = VW_IC_KVP_OP_ENUMERATE;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_KVP, true, false);
    memset(G.buf, 0xAA, sizeof G.buf); /* init leaves buf alone: the first feed clears it */
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_OK);
    assert_zero_from(sizeof in);
    /* The answer's record lands past the 36 bytes received (value at 36 + 524). */
    static char value[1000];
    memset(value, 'v', sizeof value - 1);
    struct vw_ic_guest_answer a = { 0, "key", value };
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), sizeof in);
    assert_int_equal(G.buf[36 + 524 + 2 * 998], 'v');
    /* A bare header: the operation byte itself lies past the packet. */
    in[8 + 10] = 0;
    put32(in + 4, 20);
    assert_int_equal(vw_ic_guest_feed(&G, in, 28, &ev, &used), VW_OK);
    assert_zero_from(28);
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK); /* reads operation 0: GET */
    assert_int_equal(take(), 28);
    assert_int_equal(G.buf[32 + 524], 'v');
    /* A negotiate too short for its versions writes the chosen ones past it. */
    in[8 + 4] = VW_IC_MSG_NEGOTIATE;
    put16(in + 28, 5); /* counts whose versions are not in the packet */
    put16(in + 30, 7);
    assert_int_equal(vw_ic_guest_feed(&G, in, 32, &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(take(), 32);
    assert_int_equal(G.buf[28 + 8], 5); /* fallback framework version 5.0 */
    assert_int_equal(G.buf[28 + 12], 7); /* fallback message version 7.0 */
    in[8 + 4] = VW_IC_MSG_KVP;
    in[28] = VW_IC_KVP_OP_SET;
    assert_int_equal(vw_ic_guest_feed(&G, in, 30, &ev, &used), VW_OK);
    assert_zero_from(30);
}

static void linux_vss(void **state)
{
    (void)state;
    uint8_t in[8 + 20 + 12];
    size_t used;
    struct vw_ic_guest_event ev;
    memset(in, 0, sizeof in);
    in[8] = 3;
    in[12] = 5;
    in[14] = 5;
    in[18] = 12;
    in[25] = 3;
    in[28] = VW_IC_VSS_OP_HOT_BACKUP;
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_VSS, false, false);
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_E_STATE);
    assert_int_equal(take(), sizeof in);
    assert_int_equal(get32(OUT + 20), VW_IC_E_FAIL);
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_VSS, true, false);
    /* IC-VSS-9: the flags become 5 only when the agent's status has 2 in its low byte. */
    static const struct { uint32_t status; uint32_t flags; } hb[] = {
        { 0, 0x77 }, { VW_IC_E_FAIL, 0x77 }, { 2, VW_IC_VSS_HBU_NO_AUTO_RECOVERY }, { 0x80000102u, VW_IC_VSS_HBU_NO_AUTO_RECOVERY },
    };
    put32(in + 36, 0x77);
    for (size_t i = 0; i < sizeof hb / sizeof hb[0]; i++) {
        assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_OK);
        assert_true(ev.pending);
        struct vw_ic_guest_answer a = { hb[i].status, NULL, NULL };
        assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
        assert_int_equal(take(), sizeof in);
        assert_int_equal(get32(OUT + 20), hb[i].status);
        assert_int_equal(get32(OUT + 36), hb[i].flags);
    }
    in[28] = VW_IC_VSS_OP_GET_DM_INFO;
    put32(in + 36, 0x55);
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_OK);
    assert_false(ev.pending);
    assert_int_equal(take(), sizeof in);
    assert_int_equal(get32(OUT + 36), 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, 39, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);
}

/* IC-FCOPY-*: the Linux file-copy daemon. */
static void linux_fcopy(void **state)
{
    (void)state;
    uint8_t in[8 + 20 + 36];
    size_t used;
    struct vw_ic_guest_event ev;
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = VW_IC_PROFILE_OPENVMM;
    cfg.service = VW_IC_MSG_FCOPY;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_E_UNSUPPORTED); /* IC-FCOPY-1 */
    cfg.service = 6;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_E_INVALID_ARG);
    init(VW_IC_PROFILE_LINUX, VW_IC_MSG_FCOPY, false, false);
    memset(in, 0, sizeof in);
    put32(in, 1);
    put32(in + 4, 56);
    in[8] = 3;
    in[12] = VW_IC_MSG_FCOPY;
    in[14] = 1;
    in[16] = 1;
    in[18] = 36;
    in[25] = 3;
    in[28] = VW_IC_FCOPY_COMPLETE;
    /* No negotiation needed; the daemon's result becomes the status (IC-FCOPY-4). */
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_FCOPY);
    assert_true(ev.pending);
    struct vw_ic_guest_answer a = { VW_IC_E_DISK_FULL, NULL, NULL };
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), sizeof in);
    assert_int_equal(get32(OUT + 20), VW_IC_E_DISK_FULL);
    assert_int_equal(OUT[25], 5);
    /* CANCEL: E_FAIL at once. */
    in[28] = VW_IC_FCOPY_CANCEL;
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_E_UNSUPPORTED);
    assert_false(ev.pending);
    assert_int_equal(take(), sizeof in);
    assert_int_equal(get32(OUT + 20), VW_IC_E_FAIL);
    /* A negotiate request with a non-zero status is answered with status 0 on success (IC-FCOPY-3). */
    static const uint8_t neg[] = { 1, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 9, 0, 0, 0, 0, 3, 0, 0,
                                   1, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 1, 0 };
    assert_int_equal(vw_ic_guest_feed(&G, neg, sizeof neg, &ev, &used), VW_OK);
    assert_true(ev.ok);
    assert_int_equal(take(), sizeof neg);
    assert_int_equal(get32(OUT + 20), 0);
    /* No receive clamp; vmwire's buffer holds at most VW_IC_MAX_PACKET bytes (IC-FCOPY-1). */
    static uint8_t huge[VW_IC_MAX_PACKET + 1];
    memcpy(huge, in, sizeof in);
    assert_int_equal(vw_ic_guest_feed(&G, huge, sizeof huge, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(used, sizeof huge);
    assert_int_equal(take(), 0);
    /* A header-only packet too short for the file-copy header ends the daemon (IC-FCOPY-5). */
    in[28] = VW_IC_FCOPY_COMPLETE;
    assert_int_equal(vw_ic_guest_feed(&G, in, 8 + 20 + 35, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, sizeof in, &ev, &used), VW_E_FAILED);
    assert_int_equal(take(), 0);
}

static void openvmm_shutdown(void **state)
{
    (void)state;
    static uint8_t in[8 + 20 + 2060];
    uint8_t offer[64];
    size_t used;
    struct vw_ic_guest_event ev;
    init(VW_IC_PROFILE_OPENVMM, VW_IC_MSG_SHUTDOWN, false, false);
    size_t n = sd_request(in, 6);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_STATE); /* before negotiation */
    assert_int_equal(take(), 0);
    size_t on = sd_offer(offer, 9);
    assert_int_equal(vw_ic_guest_feed(&G, offer, on, &ev, &used), VW_OK);
    assert_int_equal(take(), 44);
    static const uint8_t want[44] = { 1, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0,
                                      0, 0, 9, 5, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 2, 0 };
    assert_memory_equal(OUT, want, 44);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    assert_int_equal(ev.kind, VW_IC_GUEST_EV_SHUTDOWN);
    assert_int_equal(ev.action, VW_IC_SD_REBOOT); /* flags 6: restart bit wins */
    assert_false(ev.force);
    assert_true(ev.pending);
    assert_int_equal(take(), 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_STATE); /* one at a time */
    struct vw_ic_guest_answer a = { VW_IC_E_FAIL, NULL, NULL };
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), 28);
    static const uint8_t rep[28] = { 1, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 3, 0, 3, 0, 2, 0, 0, 0, 0x05, 0x40, 0x00, 0x80, 0x21, 5, 0, 0 };
    assert_memory_equal(OUT, rep, 28);
    in[8 + 4] = VW_IC_MSG_HEARTBEAT;
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_BAD_TYPE);
    assert_int_equal(take(), 0);
    in[0] = 2; /* not a data packet */
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_BAD_TYPE);
    assert_int_equal(vw_ic_guest_error_offset(&G), 0);
}

/* A negotiate packet with one framework and one message version (openvmm form). */
static size_t ov_offer1(uint8_t *p, uint16_t fmaj, uint16_t fmin, uint16_t mmaj, uint16_t mmin)
{
    memset(p, 0, 44);
    put32(p, 1);
    put32(p + 4, 36);
    put16(p + 8 + 10, 16);
    p[8 + 17] = 3;
    put16(p + 28, 1);
    put16(p + 30, 1);
    put16(p + 36, fmaj);
    put16(p + 38, fmin);
    put16(p + 40, mmaj);
    put16(p + 42, mmin);
    return 44;
}

/* openvmm guest accidents and limits: IC-PROF-18, IC-PROF-22, IC-PIPE-5, IC-STRICT-4. */
static void openvmm_negotiation_upstream(void **state)
{
    (void)state;
    uint8_t o[64];
    size_t used;
    struct vw_ic_guest_event ev;
    init(VW_IC_PROFILE_OPENVMM, VW_IC_MSG_SHUTDOWN, false, false);
    /* Each list falls back on its own, to the last entry of the guest's list. */
    assert_int_equal(vw_ic_guest_feed(&G, o, ov_offer1(o, 1, 0, 9, 0), &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(take(), 44);
    assert_int_equal(OUT[36], 1); /* framework 1.0 kept */
    assert_int_equal(OUT[40], 3); /* message falls back to 3.2 */
    assert_int_equal(OUT[42], 2);
    assert_int_equal(vw_ic_guest_feed(&G, o, ov_offer1(o, 7, 0, 3, 1), &ev, &used), VW_E_NO_COMMON_VERSION);
    assert_int_equal(take(), 44);
    assert_int_equal(OUT[36], 3); /* framework falls back to 3.0 */
    assert_int_equal(OUT[42], 1); /* message 3.1 kept */
    /* The fallback answer counts as negotiated: a shutdown is answered. */
    static uint8_t in[8 + 20 + 2060];
    size_t n = sd_request(in, 1);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_OK);
    assert_true(ev.pending);
    struct vw_ic_guest_answer a = { 0, NULL, NULL };
    assert_int_equal(vw_ic_guest_complete(&G, &a), VW_OK);
    assert_int_equal(take(), 28);
    /* A 4-byte negotiate body resets the channel and sends nothing. */
    ov_offer1(o, 3, 0, 3, 2);
    put32(o + 4, 24);
    put16(o + 8 + 10, 4);
    assert_int_equal(vw_ic_guest_feed(&G, o, 32, &ev, &used), VW_E_TRUNCATED);
    assert_int_equal(take(), 0);
    assert_int_equal(vw_ic_guest_feed(&G, in, n, &ev, &used), VW_E_STATE);
    assert_int_equal(take(), 0);
    /* A message above 13312 bytes is not consumed. */
    static uint8_t big[8 + 13313 + 7];
    memset(big, 0, sizeof big);
    put32(big, 1);
    put32(big + 4, 13313);
    used = 99;
    assert_int_equal(vw_ic_guest_feed(&G, big, sizeof big, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(used, 0);
    /* 101 framework versions: upstream scans them all; strict refuses. */
    static uint8_t many[8 + 20 + 8 + 4 * 102];
    memset(many, 0, sizeof many);
    put32(many, 1);
    put32(many + 4, 20 + 8 + 4 * 102);
    put16(many + 8 + 10, 8 + 4 * 102);
    many[8 + 17] = 3;
    put16(many + 28, 101);
    put16(many + 30, 1);
    put16(many + 36 + 4 * 100, 3); /* the 101st framework version: 3.0 */
    put16(many + 36 + 4 * 101, 3); /* message 3.2 */
    put16(many + 36 + 4 * 101 + 2, 2);
    assert_int_equal(vw_ic_guest_feed(&G, many, sizeof many, &ev, &used), VW_OK);
    assert_int_equal(take(), 44);
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = VW_IC_PROFILE_OPENVMM;
    cfg.service = VW_IC_MSG_SHUTDOWN;
    cfg.strict = true;
    assert_int_equal(vw_ic_guest_init(&G, &cfg), VW_OK);
    assert_int_equal(vw_ic_guest_feed(&G, many, sizeof many, &ev, &used), VW_E_TOO_LONG);
    assert_int_equal(take(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_checks),
        cmocka_unit_test(linux_negotiate_echo),
        cmocka_unit_test(linux_negotiate_failures),
        cmocka_unit_test(linux_shutdown_flags),
        cmocka_unit_test(linux_heartbeat_and_timesync),
        cmocka_unit_test(linux_kvp_agent),
        cmocka_unit_test(linux_unsent_part_reads_zero),
        cmocka_unit_test(linux_vss),
        cmocka_unit_test(linux_fcopy),
        cmocka_unit_test(openvmm_shutdown),
        cmocka_unit_test(openvmm_negotiation_upstream),
    };
    return cmocka_run_group_tests_name("ic_guest", tests, NULL, NULL);
}
