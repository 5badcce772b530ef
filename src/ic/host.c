/* IC host initiator: offers versions, checks the guest's answer, sends one
 * request at a time and matches the reply (OpenVMM's host, IC-HOST-*). The
 * caller's clock drives deadlines; the engine never reads a clock. */
#include <string.h>

#include "core/bytes.h"
#include "ic/ic_internal.h"

enum { ST_IDLE = 0, ST_WAIT_VERSION, ST_READY, ST_WAIT_REPLY, ST_FAILED };

#define P_HDR VW_IC_PIPE_HEADER_SIZE

vw_status vw_ic_host_init(struct vw_ic_host *h, const struct vw_ic_host_config *cfg)
{
    if (!h || !cfg || !vw_ic__is_service(cfg->service))
        return VW_E_INVALID_ARG;
    const struct vw_ic_version *f = NULL, *m = NULL;
    size_t nf = 0, nm = 0;
    (void)vw_ic_profile_versions(VW_IC_PROFILE_OPENVMM, true, cfg->service, &f, &nf, &m, &nm);
    static const struct vw_ic_version ov_fw[] = { { 1, 0 }, { 3, 0 } };
    if (cfg->framework_versions)
        f = cfg->framework_versions, nf = cfg->n_framework_versions;
    else
        f = ov_fw, nf = 2;
    if (cfg->message_versions)
        m = cfg->message_versions, nm = cfg->n_message_versions;
    if (!m || nf == 0 || nm == 0 || nf > VW_IC_MAX_CONFIG_VERSIONS || nm > VW_IC_MAX_CONFIG_VERSIONS)
        return VW_E_INVALID_ARG; /* heartbeat and VSS have no OpenVMM list: the caller must give one */
    memset(h, 0, offsetof(struct vw_ic_host, buf));
    h->cfg = *cfg;
    h->cfg.framework_versions = NULL;
    h->cfg.message_versions = NULL;
    memcpy(h->fw, f, nf * sizeof *f);
    memcpy(h->msgv, m, nm * sizeof *m);
    h->nfw = nf;
    h->nmsg = nm;
    h->state = ST_IDLE;
    return VW_OK;
}

static void arm(struct vw_ic_host *h, uint64_t now_ns)
{
    h->has_deadline = h->cfg.timeout_ns != 0;
    h->deadline = now_ns + h->cfg.timeout_ns;
}

vw_status vw_ic_host_start(struct vw_ic_host *h, uint64_t now_ns)
{
    if (!h)
        return VW_E_INVALID_ARG;
    struct vw_ic_packet p;
    memset(&p, 0, sizeof p);
    size_t body = VW_IC_NEGOTIATE_FIXED_SIZE + 4 * (h->nfw + h->nmsg);
    p.pipe.type = VW_IC_PIPE_DATA;
    p.pipe.size = (uint32_t)(VW_IC_HEADER_SIZE + body);
    /* IC-HOST-1: header versions 0.0, type 0, status 0, transaction 0, flags 0x03. */
    p.message.header.message_type = VW_IC_MSG_NEGOTIATE;
    p.message.header.message_size = (uint16_t)body;
    p.message.header.flags = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_REQUEST;
    p.message.kind = VW_IC_BODY_NEGOTIATE;
    p.message.body.negotiate.framework_count = (uint16_t)h->nfw;
    p.message.body.negotiate.message_count = (uint16_t)h->nmsg;
    p.message.body.negotiate.framework_versions = h->fw;
    p.message.body.negotiate.message_versions = h->msgv;
    size_t w;
    vw_status s = vw_ic_packet_encode(&p, h->buf, sizeof h->buf, &w);
    if (s != VW_OK)
        return s;
    h->out_len = w;
    h->tid = 0;
    h->state = ST_WAIT_VERSION;
    arm(h, now_ns);
    return VW_OK;
}

static bool body_matches(uint16_t svc, enum vw_ic_body_kind k)
{
    switch (svc) {
    case VW_IC_MSG_HEARTBEAT: return k == VW_IC_BODY_HEARTBEAT;
    case VW_IC_MSG_KVP: return k == VW_IC_BODY_KVP;
    case VW_IC_MSG_SHUTDOWN: return k == VW_IC_BODY_SHUTDOWN;
    case VW_IC_MSG_TIMESYNC: return k == VW_IC_BODY_TIMESYNC;
    default: return k == VW_IC_BODY_VSS;
    }
}

vw_status vw_ic_host_send(struct vw_ic_host *h, const struct vw_ic_message *body, uint64_t now_ns)
{
    if (!h || !body)
        return VW_E_INVALID_ARG;
    if (h->state != ST_READY)
        return VW_E_STATE; /* IC-HOST-5: negotiated, nothing in flight */
    if (!body_matches(h->cfg.service, body->kind))
        return VW_E_BAD_TYPE;
    struct vw_ic_packet p;
    memset(&p, 0, sizeof p);
    p.message = *body;
    p.message.trailing.len = 0;
    p.message.trailing.p = NULL;
    if (body->kind == VW_IC_BODY_TIMESYNC && body->body.timesync.v4 != (h->nego_msg.major >= 4))
        return VW_E_BAD_VERSION; /* IC-TS-2: the layout follows the negotiated version */
    if (body->kind == VW_IC_BODY_KVP && body->body.kvp.operation >= VW_IC_KVP_OP_GET_IP_INFO) {
        if (!body->body.kvp.ip_binary || h->nego_msg.major < 5)
            return VW_E_UNSUPPORTED; /* IC-HOST-7: binary IP info only, KVP 5.0 or later */
    }
    size_t bsize;
    vw_status s = vw_ic_body_size(&p.message, &bsize);
    if (s != VW_OK)
        return s;
    if (body->kind == VW_IC_BODY_KVP) /* IC-HOST-6: fixed KVP message sizes */
        bsize = body->body.kvp.operation >= VW_IC_KVP_OP_GET_IP_INFO ? VW_IC_KVP_IP_MESSAGE_SIZE
                                                                     : VW_IC_KVP_MESSAGE_SIZE;
    if (bsize > VW_IC_OPENVMM_MAX_MESSAGE - VW_IC_HEADER_SIZE)
        return VW_E_TOO_LONG;
    struct vw_ic_header *hd = &p.message.header;
    memset(hd, 0, sizeof *hd);
    hd->framework_version = h->nego_fw;
    hd->message_type = h->cfg.service;
    hd->message_version = h->nego_msg;
    hd->message_size = (uint16_t)bsize;
    hd->flags = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_REQUEST; /* IC-HOST-5 */
    p.pipe.type = VW_IC_PIPE_DATA;
    p.pipe.size = (uint32_t)(VW_IC_HEADER_SIZE + bsize);
    size_t w;
    s = vw_ic_packet_encode(&p, h->buf, sizeof h->buf, &w);
    if (s != VW_OK)
        return s;
    h->out_len = w;
    h->inflight_type = h->cfg.service;
    h->inflight_op = body->kind == VW_IC_BODY_KVP ? body->body.kvp.operation : 0;
    h->state = ST_WAIT_REPLY;
    arm(h, now_ns);
    return VW_OK;
}

static vw_status fault(struct vw_ic_host *h, vw_status s, size_t off, bool sticky)
{
    h->err_off = off;
    if (sticky)
        h->state = ST_FAILED;
    return s;
}

static bool expired(const struct vw_ic_host *h, uint64_t now_ns)
{
    return h->has_deadline && now_ns > h->deadline;
}

/* IC-HOST-8: abandon the request in flight. */
static vw_status time_out(struct vw_ic_host *h)
{
    h->out_len = 0;
    if (h->state == ST_WAIT_VERSION)
        h->state = ST_FAILED;
    else
        h->state = ST_READY;
    h->err_off = 0;
    return VW_E_TIMEOUT;
}

vw_status vw_ic_host_tick(struct vw_ic_host *h, uint64_t now_ns)
{
    if (!h)
        return VW_E_INVALID_ARG;
    if ((h->state == ST_WAIT_VERSION || h->state == ST_WAIT_REPLY) && expired(h, now_ns))
        return time_out(h);
    return VW_OK;
}

/* KVP enumerate replies are parsed by the host (IC-HOST-9). */
static vw_status check_enumerate(const struct vw_ic_message *m, size_t *off)
{
    if (m->kind != VW_IC_BODY_KVP || m->body.kvp.operation != VW_IC_KVP_OP_ENUMERATE) {
        *off = VW_IC_HEADER_SIZE;
        return VW_E_BAD_TYPE;
    }
    const struct vw_ic_kvp_value *v = &m->body.kvp.value;
    size_t rec = VW_IC_HEADER_SIZE + 8;
    if (v->key.size == 0) {
        *off = rec + 4;
        return VW_E_BAD_UTF16;
    }
    switch (v->value_type) {
    case VW_IC_KVP_TYPE_DWORD:
        if (v->value_size != 4) {
            *off = rec + 8;
            return VW_E_BAD_LENGTH;
        }
        return VW_OK;
    case VW_IC_KVP_TYPE_QWORD:
        if (v->value_size != 8) {
            *off = rec + 8;
            return VW_E_BAD_LENGTH;
        }
        return VW_OK;
    case VW_IC_KVP_TYPE_STRING:
    case VW_IC_KVP_TYPE_EXPAND_STRING:
        return VW_OK;
    default:
        *off = rec;
        return VW_E_BAD_TYPE;
    }
}

vw_status vw_ic_host_feed(struct vw_ic_host *h, const uint8_t *in, size_t len, uint64_t now_ns,
                          struct vw_ic_host_event *ev, size_t *consumed)
{
    struct vw_ic_host_event dummy;
    if (!h || !consumed || (!in && len))
        return VW_E_INVALID_ARG;
    if (!ev)
        ev = &dummy;
    memset(ev, 0, sizeof *ev);
    *consumed = 0;
    if (h->state == ST_FAILED)
        return fault(h, VW_E_FAILED, 0, false);
    if (h->state != ST_WAIT_VERSION && h->state != ST_WAIT_REPLY)
        return fault(h, VW_E_STATE, 0, false); /* IC-HOST-4: nothing expected */
    *consumed = len;
    if (expired(h, now_ns))
        return time_out(h); /* IC-HOST-8 */
    h->out_len = 0; /* the request has been sent if a reply arrives */
    bool negotiating = h->state == ST_WAIT_VERSION;
    struct vw_ic_pipe_header ph;
    size_t off;
    vw_status s = vw_ic_pipe_header_decode(in, len, &ph, &off);
    if (s != VW_OK)
        return fault(h, s, off, negotiating);
    if (ph.type != VW_IC_PIPE_DATA)
        return fault(h, VW_E_BAD_TYPE, 0, negotiating); /* IC-PIPE-2 */
    if (ph.size > len - P_HDR)
        return fault(h, VW_E_TRUNCATED, len, negotiating); /* IC-PIPE-3 */
    const uint8_t *m = in + P_HDR;
    size_t mlen = ph.size;
    struct vw_ic_header hd;
    s = vw_ic_header_decode(m, mlen, &hd, &off);
    if (s != VW_OK)
        return fault(h, s, P_HDR + off, negotiating);
    if (hd.message_size > mlen - VW_IC_HEADER_SIZE)
        return fault(h, VW_E_TRUNCATED, P_HDR + mlen, negotiating); /* IC-HDR-8 */
    if (negotiating && hd.message_type != VW_IC_MSG_NEGOTIATE) {
        ev->kind = VW_IC_HOST_EV_DROPPED; /* IC-HOST-3: stale message, dropped */
        return VW_OK;
    }
    /* IC-HOST-2: transaction 0, TRANSACTION and RESPONSE set. */
    uint8_t need = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_RESPONSE;
    if (hd.transaction_id != h->tid)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_TID, negotiating);
    if ((hd.flags & need) != need)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_FLAGS, negotiating);
    if (negotiating) {
        const uint8_t *b = m + VW_IC_HEADER_SIZE;
        size_t n = hd.message_size;
        if (n < 8)
            return fault(h, VW_E_TRUNCATED, P_HDR + VW_IC_HEADER_SIZE + n, true);
        if (vw_get_u16le(b) != 1 || vw_get_u16le(b + 2) != 1)
            return fault(h, VW_E_NO_COMMON_VERSION, P_HDR + VW_IC_HEADER_SIZE, true); /* IC-HOST-2 */
        if (n < 16)
            return fault(h, VW_E_TRUNCATED, P_HDR + VW_IC_HEADER_SIZE + n, true);
        h->nego_fw.major = vw_get_u16le(b + 8);
        h->nego_fw.minor = vw_get_u16le(b + 10);
        h->nego_msg.major = vw_get_u16le(b + 12);
        h->nego_msg.minor = vw_get_u16le(b + 14);
        h->state = ST_READY;
        h->has_deadline = false;
        ev->kind = VW_IC_HOST_EV_NEGOTIATED;
        ev->framework = h->nego_fw;
        ev->message = h->nego_msg;
        return VW_OK;
    }
    if (hd.message_type != h->inflight_type)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_TYPE, false); /* IC-HOST-4 */
    h->state = ST_READY;
    h->has_deadline = false;
    ev->kind = VW_IC_HOST_EV_REPLY;
    ev->status = hd.status;
    /* The body is bounded by message_size (IC-HOST-2); decode it best-effort for the caller. */
    struct vw_ic_message msg;
    s = vw_ic_message_decode(m, VW_IC_HEADER_SIZE + hd.message_size, &msg, &off);
    if (s == VW_OK)
        ev->msg = msg;
    else
        ev->msg.header = hd;
    if (h->inflight_type == VW_IC_MSG_KVP && h->inflight_op == VW_IC_KVP_OP_ENUMERATE) {
        if (hd.status == VW_IC_E_NO_MORE_ITEMS)
            return VW_OK; /* IC-HOST-9: no item at this index */
        if (hd.status == VW_IC_S_OK) {
            if (s != VW_OK)
                return fault(h, s, P_HDR + off, false);
            s = check_enumerate(&msg, &off);
            return s == VW_OK ? VW_OK : fault(h, s, P_HDR + off, false);
        }
    }
    if (hd.status != VW_IC_S_OK)
        return fault(h, VW_E_BAD_STATUS, P_HDR + VW_IC__OFF_STATUS, false); /* IC-HOST-9 */
    return VW_OK;
}

vw_status vw_ic_host_output(struct vw_ic_host *h, uint8_t *out, size_t cap, size_t *written)
{
    if (!h || !written)
        return VW_E_INVALID_ARG;
    *written = h->out_len;
    if (!h->out_len)
        return VW_OK;
    if (!out || cap < h->out_len)
        return VW_E_NOSPACE;
    memcpy(out, h->buf, h->out_len);
    h->out_len = 0;
    return VW_OK;
}

vw_status vw_ic_host_versions(const struct vw_ic_host *h, struct vw_ic_version *framework,
                              struct vw_ic_version *message)
{
    if (!h || !framework || !message)
        return VW_E_INVALID_ARG;
    if (h->state != ST_READY && h->state != ST_WAIT_REPLY)
        return VW_E_STATE;
    *framework = h->nego_fw;
    *message = h->nego_msg;
    return VW_OK;
}

size_t vw_ic_host_error_offset(const struct vw_ic_host *h)
{
    return h ? h->err_off : 0;
}
