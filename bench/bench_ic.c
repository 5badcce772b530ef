/* vmwire-bench: Hyper-V Integration Components.
 *
 * The requests are made by the library's own host initiator (vw_ic_host_*,
 * negotiated against the guest responder first), so the bytes are what a
 * host sends. Two kinds of case:
 *   ic/<type>/decode_validate  vw_ic_packet_decode + vw_ic_packet_validate of
 *                              one request packet (memcpy of it as the bound);
 *   ic/<type>/guest_reply      the guest responder (Linux profile): feed the
 *                              request, complete it where the application must
 *                              answer (KVP), copy the reply out.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "vmwire/ic.h"

#define IC_CAP 8192
#define N_TYPES 6

struct ic_ctx {
    uint16_t service;
    size_t len;
    _Alignas(16) uint8_t pkt[IC_CAP];
    _Alignas(16) uint8_t out[VW_IC_MAX_PACKET];
    size_t reply_len;
    struct vw_ic_host host;
    struct vw_ic_guest guest;
    struct vw_ic_guest_answer answer;
    int needs_complete;
};

static struct ic_ctx ic_ctxs[N_TYPES];
static uint8_t kvp_key[64];

static int ic_decode_validate(void *arg, uint64_t n)
{
    struct ic_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct vw_ic_packet p;
        size_t off;
        vw_status st = vw_ic_packet_decode(c->pkt, c->len, &p, &off);
        if (st == VW_OK)
            st = vw_ic_packet_validate(&p, VW_IC_PROFILE_LINUX, &off);
        bad |= st != VW_OK;
        BENCH_USE(&p);
    }
    return bad;
}

static int ic_copy(void *arg, uint64_t n)
{
    struct ic_ctx *c = arg;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(c->out, c->pkt, c->len);
        BENCH_CLOBBER();
    }
    return 0;
}

static int ic_guest_reply(void *arg, uint64_t n)
{
    struct ic_ctx *c = arg;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct vw_ic_guest_event ev;
        size_t used, w;
        vw_status st = vw_ic_guest_feed(&c->guest, c->pkt, c->len, &ev, &used);
        if (st == VW_OK && c->needs_complete)
            st = vw_ic_guest_complete(&c->guest, &c->answer);
        if (st == VW_OK)
            st = vw_ic_guest_output(&c->guest, c->out, sizeof c->out, &w);
        bad |= st != VW_OK || w != c->reply_len;
        BENCH_CLOBBER();
    }
    return bad;
}

/* Negotiate host and guest of one service; leave the request packet in c->pkt. */
static const char *ic_setup(struct ic_ctx *c, int t)
{
    static const uint16_t services[N_TYPES] = {VW_IC_MSG_HEARTBEAT, VW_IC_MSG_HEARTBEAT, VW_IC_MSG_SHUTDOWN,
                                               VW_IC_MSG_TIMESYNC,  VW_IC_MSG_KVP,       VW_IC_MSG_VSS};
    c->service = services[t];
    struct vw_ic_host_config hc;
    memset(&hc, 0, sizeof hc);
    hc.service = c->service;
    /* Offer what the Linux guest prefers (the host needs an explicit list for some services). */
    const struct vw_ic_version *fwl = NULL, *msl = NULL;
    size_t nfw = 0, nms = 0;
    vw_status st = vw_ic_profile_versions(VW_IC_PROFILE_LINUX, false, c->service, &fwl, &nfw, &msl, &nms);
    if (st != VW_OK)
        return bench_errf("vw_ic_profile_versions: %s", vw_status_name(st));
    hc.framework_versions = fwl;
    hc.n_framework_versions = nfw;
    hc.message_versions = msl;
    hc.n_message_versions = nms;
    hc.strict = true; /* the host generates a KVP GET, which only strict sends (IC-STRICT-9) */
    st = vw_ic_host_init(&c->host, &hc);
    if (st != VW_OK)
        return bench_errf("vw_ic_host_init: %s", vw_status_name(st));
    struct vw_ic_guest_config gc;
    memset(&gc, 0, sizeof gc);
    gc.profile = VW_IC_PROFILE_LINUX;
    gc.service = c->service;
    gc.agent_ready = true;
    st = vw_ic_guest_init(&c->guest, &gc);
    if (st != VW_OK)
        return bench_errf("vw_ic_guest_init: %s", vw_status_name(st));
    size_t w = 0, used = 0;
    struct vw_ic_guest_event ev;
    if ((st = vw_ic_host_start(&c->host, 0)) != VW_OK ||
        (st = vw_ic_host_output(&c->host, c->pkt, sizeof c->pkt, &w)) != VW_OK)
        return bench_errf("host negotiate request: %s", vw_status_name(st));
    c->len = w;
    if ((st = vw_ic_guest_feed(&c->guest, c->pkt, c->len, &ev, &used)) != VW_OK ||
        (st = vw_ic_guest_output(&c->guest, c->out, sizeof c->out, &w)) != VW_OK)
        return bench_errf("guest negotiate reply: %s", vw_status_name(st));
    if (ev.kind != VW_IC_GUEST_EV_NEGOTIATED || !ev.ok)
        return "the guest found no common version";
    struct vw_ic_host_event hev;
    if ((st = vw_ic_host_feed(&c->host, c->out, w, 0, &hev, &used)) != VW_OK)
        return bench_errf("host feed of the negotiate reply: %s", vw_status_name(st));
    if (t == 0) /* negotiate: the request packet is the negotiate itself */
        return NULL;
    struct vw_ic_version fw, mv;
    if ((st = vw_ic_host_versions(&c->host, &fw, &mv)) != VW_OK)
        return bench_errf("host versions: %s", vw_status_name(st));
    struct vw_ic_message m;
    memset(&m, 0, sizeof m);
    c->needs_complete = 0;
    switch (c->service) {
    case VW_IC_MSG_HEARTBEAT:
        m.kind = VW_IC_BODY_HEARTBEAT;
        m.body.heartbeat.sequence_number = 1234567;
        m.body.heartbeat.size = VW_IC_HEARTBEAT_SIZE_LINUX;
        break;
    case VW_IC_MSG_SHUTDOWN:
        m.kind = VW_IC_BODY_SHUTDOWN;
        m.body.shutdown.reason_code = VW_IC_SD_REASON_PLANNED;
        m.body.shutdown.timeout_secs = 30;
        m.body.shutdown.flags = 0;
        break;
    case VW_IC_MSG_TIMESYNC:
        m.kind = VW_IC_BODY_TIMESYNC;
        m.body.timesync.v4 = mv.major >= 4;
        m.body.timesync.size = m.body.timesync.v4 ? VW_IC_TIMESYNC4_SIZE_LINUX : VW_IC_TIMESYNC_SIZE_LINUX;
        m.body.timesync.parent_time = VW_IC_FILETIME_UNIX_EPOCH + UINT64_C(17000000000000000);
        m.body.timesync.vm_reference_time = UINT64_C(123456789);
        m.body.timesync.flags = VW_IC_TS_FLAG_SAMPLE;
        break;
    case VW_IC_MSG_KVP: {
        size_t kw = 0;
        if ((st = vw_ic_utf8_to_utf16("HostName", 9, kvp_key, sizeof kvp_key, &kw)) != VW_OK)
            return bench_errf("vw_ic_utf8_to_utf16: %s", vw_status_name(st));
        m.kind = VW_IC_BODY_KVP;
        m.body.kvp.operation = VW_IC_KVP_OP_GET;
        m.body.kvp.pool = VW_IC_KVP_POOL_AUTO;
        m.body.kvp.value.key.p = kvp_key;
        m.body.kvp.value.key.size = kw;
        m.body.kvp.value.value_type = VW_IC_KVP_TYPE_STRING;
        c->needs_complete = 1;
        c->answer.status = VW_IC_S_OK;
        c->answer.value = "guest-vm-01.example.internal";
        break;
    }
    default:
        m.kind = VW_IC_BODY_VSS;
        m.body.vss.operation = VW_IC_VSS_OP_HOT_BACKUP;
        m.body.vss.form = VW_IC_VSS_FORM_BASIC;
        break;
    }
    if ((st = vw_ic_host_send(&c->host, &m, 0)) != VW_OK ||
        (st = vw_ic_host_output(&c->host, c->pkt, sizeof c->pkt, &w)) != VW_OK)
        return bench_errf("host request: %s", vw_status_name(st));
    c->len = w;
    return NULL;
}

/* Run the guest twice to learn the reply size and prove it can repeat. */
static const char *ic_guest_check(struct ic_ctx *c)
{
    size_t first = 0;
    for (int r = 0; r < 2; r++) {
        struct vw_ic_guest_event ev;
        size_t used, w = 0;
        vw_status st = vw_ic_guest_feed(&c->guest, c->pkt, c->len, &ev, &used);
        if (st != VW_OK)
            return bench_errf("guest feed #%d: %s", r + 1, vw_status_name(st));
        if (used != c->len)
            return "the guest did not consume the whole packet";
        if (c->needs_complete && (st = vw_ic_guest_complete(&c->guest, &c->answer)) != VW_OK)
            return bench_errf("guest complete #%d: %s", r + 1, vw_status_name(st));
        if ((st = vw_ic_guest_output(&c->guest, c->out, sizeof c->out, &w)) != VW_OK)
            return bench_errf("guest output #%d: %s", r + 1, vw_status_name(st));
        if (w == 0)
            return "the guest queued no reply";
        if (r == 0)
            first = w;
        else if (w != first)
            return "the reply size changed between two identical requests";
        /* The reply must itself decode and validate. */
        struct vw_ic_packet p;
        size_t off;
        if ((st = vw_ic_packet_decode(c->out, w, &p, &off)) != VW_OK ||
            (st = vw_ic_packet_validate(&p, VW_IC_PROFILE_LINUX, &off)) != VW_OK)
            return bench_errf("the guest's reply does not validate: %s at %zu", vw_status_name(st), off);
        if (!(p.message.header.flags & VW_IC_FLAG_RESPONSE))
            return "the guest's reply is not flagged as a response";
    }
    c->reply_len = first;
    return NULL;
}

void bench_register_ic(void)
{
    static const char *const names[N_TYPES] = {"negotiate", "heartbeat", "shutdown", "timesync", "kvp_get", "vss"};
    for (int t = 0; t < N_TYPES; t++) {
        struct ic_ctx *c = &ic_ctxs[t];
        const char *err = ic_setup(c, t);
        const char *derr = err;
        if (!derr) {
            struct vw_ic_packet p;
            size_t off;
            vw_status st = vw_ic_packet_decode(c->pkt, c->len, &p, &off);
            if (st == VW_OK)
                st = vw_ic_packet_validate(&p, VW_IC_PROFILE_LINUX, &off);
            if (st != VW_OK)
                derr = bench_errf("decode+validate: %s at %zu", vw_status_name(st), off);
            else if (p.message.header.message_type != c->service && t != 0)
                derr = "wrong message type";
        }
        char grp[112];
        snprintf(grp, sizeof grp, "ic/%s/decode_validate", names[t]);
        bench_add(grp, "vmwire", BENCH_REF, ic_decode_validate, c, (double)c->len, 1, derr);
        bench_add(grp, "memcpy", BENCH_LIMIT, ic_copy, c, (double)c->len, 1, derr);
        if (t == 5) /* VSS needs the agent's completion protocol; decode only */
            continue;
        const char *gerr = err ? err : ic_guest_check(c);
        snprintf(grp, sizeof grp, "ic/%s/guest_reply", names[t]);
        bench_add(grp, "vmwire", BENCH_REF, ic_guest_reply, c, (double)c->len, 1, gerr);
    }
}
