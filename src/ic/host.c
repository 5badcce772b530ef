/* IC host initiator: offers versions, checks the guest's answer, sends one
 * request at a time and matches the reply.
 *
 * Default: OpenVMM's host devices (hyperv_ic/src/common.rs, shutdown.rs,
 * timesync.rs, kvp.rs), IC-HOST-*: every read or parse fault ends the
 * channel, the reply's type is not looked at, nothing is read while no answer
 * is expected, and there is no deadline.
 * `strict` (IC-STRICT-5 .. IC-STRICT-9): vmwire's own host: faults after
 * negotiation fail only the request, the reply's type must match, a message
 * while nothing is expected is refused, the caller's clock sets deadlines and
 * the time-sync layout must follow the negotiated version. The engine never
 * reads a clock. */
#include <string.h>

#include "core/bytes.h"
#include "core/engine.h"
#include "ic/internal.h"

enum { ST_IDLE = 0, ST_WAIT_VERSION, ST_READY, ST_WAIT_REPLY, ST_FAILED };

#define P_HDR VW_IC_PIPE_HEADER_SIZE

vw_status vw_ic_host_init(struct vw_ic_host *h, const struct vw_ic_host_config *cfg)
{
    if (!h || !cfg || !vw_ic__is_service(cfg->service))
        return VW_E_INVALID_ARG;
    const struct vw_ic_version *f = NULL, *m = NULL;
    size_t nf = 0, nm = 0;
    (void)vw_ic_profile_versions(VW_IC_PROFILE_OPENVMM, true, cfg->service, &f, &nf, &m, &nm);
    if (cfg->framework_versions)
        f = cfg->framework_versions, nf = cfg->n_framework_versions;
    else
        vw_ic__framework_versions(&f, &nf); /* also for heartbeat and VSS, which have no OpenVMM list */
    if (cfg->message_versions)
        m = cfg->message_versions, nm = cfg->n_message_versions;
    if (!m || nf == 0 || nm == 0 || nf > VW_IC_MAX_CONFIG_VERSIONS || nm > VW_IC_MAX_CONFIG_VERSIONS)
        return VW_E_INVALID_ARG; /* heartbeat and VSS have no OpenVMM list: the caller must give one */
    if (cfg->timeout_ns && !cfg->strict)
        return VW_E_INVALID_ARG; /* IC-STRICT-6: a deadline is vmwire's own rule */
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
    h->has_deadline = h->cfg.strict && h->cfg.timeout_ns != 0; /* IC-STRICT-6 */
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
    bool strict = h->cfg.strict;
    if (body->kind == VW_IC_BODY_TIMESYNC) {
        if (strict && body->body.timesync.v4 != (h->nego_msg.major >= 4))
            return VW_E_BAD_VERSION; /* IC-STRICT-9: the layout follows the negotiated version */
        if (!strict && !body->body.timesync.v4)
            return VW_E_UNSUPPORTED; /* IC-HOST-11: OpenVMM sends the 4.0 layout only */
    }
    if (body->kind == VW_IC_BODY_KVP) {
        const struct vw_ic_kvp *k = &body->body.kvp;
        if (k->operation >= VW_IC_KVP_OP_GET_IP_INFO && (!k->ip_binary || h->nego_msg.major < 5))
            return VW_E_UNSUPPORTED; /* IC-HOST-7: binary IP info only, KVP 5.0 or later */
        /* IC-HOST-12 (kvp.rs): OpenVMM never sends GET, sends ENUMERATE with a zeroed
         * record and IP info in the guest pool. */
        bool record = k->value.value_type || k->value.key.size || k->value.value_size;
        if (!strict && (k->operation == VW_IC_KVP_OP_GET || (k->operation == VW_IC_KVP_OP_ENUMERATE && record) ||
                        (k->operation >= VW_IC_KVP_OP_GET_IP_INFO && k->pool != VW_IC_KVP_POOL_GUEST)))
            return VW_E_UNSUPPORTED;
    }
    size_t bsize;
    vw_status s = vw_ic_body_size(&p.message, &bsize);
    if (s == VW_E_TOO_LONG && !strict)
        h->state = ST_FAILED; /* IC-HOST-12: write_str fails, and `?` ends the channel */
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

/* IC-STRICT-6: abandon the request in flight. */
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

/* strict: KVP enumerate replies as vmwire parses them (IC-STRICT-8). */
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

/* kvp.rs parse_str: n bytes of a field of cap UTF-16 units; embedded NULs are
 * accepted (String::from_utf16), lone surrogates are not. */
static vw_status ov_parse_str(const uint8_t *p, size_t cap, uint32_t n, size_t at, size_t *off)
{
    *off = at;
    if (n % 2)
        return VW_E_BAD_LENGTH; /* "invalid string length" */
    size_t units = n / 2;
    if (units > cap)
        return VW_E_TOO_LONG; /* "string length too large" */
    if (units == 0 || vw_get_u16le(p + 2 * (units - 1)) != 0)
        return VW_E_BAD_UTF16; /* "missing null terminator" */
    for (size_t i = 0; i + 1 < units; i++) {
        uint16_t u = vw_get_u16le(p + 2 * i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            uint16_t v = i + 2 < units ? vw_get_u16le(p + 2 * (i + 1)) : 0;
            if (v < 0xDC00 || v > 0xDFFF)
                return VW_E_BAD_UTF16;
            i++;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return VW_E_BAD_UTF16;
        }
    }
    return VW_OK;
}

/* IC-HOST-9 (kvp.rs parse_enumerate_response): the body is read as an ENUMERATE
 * record at body offset 4 whatever its operation byte says. Offsets are from
 * the start of the IC header. */
static vw_status ov_parse_enumerate(const uint8_t *b, size_t n, size_t *off)
{
    if (n < 4 + 4 + VW_IC_KVP_VALUE_RECORD_SIZE) {
        *off = VW_IC_HEADER_SIZE + n;
        return VW_E_TRUNCATED; /* "missing response" */
    }
    const uint8_t *rec = b + 8;
    size_t at = VW_IC_HEADER_SIZE + 8;
    uint32_t type = vw_get_u32le(rec), ks = vw_get_u32le(rec + 4), vs = vw_get_u32le(rec + 8);
    vw_status s = ov_parse_str(rec + VW_IC__KVP_REC_KEY, VW_IC_KVP_MAX_KEY_SIZE / 2, ks, at + 4, off);
    if (s != VW_OK)
        return s;
    switch (type) {
    case VW_IC_KVP_TYPE_DWORD:
    case VW_IC_KVP_TYPE_QWORD:
        *off = at + 8;
        return vs == (type == VW_IC_KVP_TYPE_DWORD ? 4u : 8u) ? VW_OK : VW_E_BAD_LENGTH;
    case VW_IC_KVP_TYPE_STRING:
    case VW_IC_KVP_TYPE_EXPAND_STRING:
        return ov_parse_str(rec + VW_IC__KVP_REC_VALUE, VW_IC_KVP_MAX_VALUE_SIZE / 2, vs, at + 8, off);
    default:
        *off = at;
        return VW_E_BAD_TYPE; /* "invalid value type" */
    }
}

/* IC-HOST-10 (kvp.rs parse_ip_info_response): the binary record at body offset 4,
 * with every count inside its array. */
static vw_status ov_parse_ip_info(const uint8_t *b, size_t n, size_t *off)
{
    if (n < 4 + VW_IC_KVP_IP_BINARY_SIZE) {
        *off = VW_IC_HEADER_SIZE + n;
        return VW_E_TRUNCATED;
    }
    static const struct { uint8_t at; uint8_t max; } lim[] = {
        { 0, VW_IC_KVP_IP_MAX_ADDRESSES }, { 4, VW_IC_KVP_IP_MAX_ADDRESSES }, { 16, VW_IC_KVP_IP_MAX_ADDRESSES },
        { 20, VW_IC_KVP_IP_MAX_ADDRESSES }, { 8, VW_IC_KVP_IP_MAX_GATEWAYS }, { 12, VW_IC_KVP_IP_MAX_GATEWAYS },
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        if (vw_get_u32le(b + 4 + lim[i].at) > lim[i].max) {
            *off = VW_IC_HEADER_SIZE + 4 + lim[i].at;
            return VW_E_TOO_LONG;
        }
    }
    return VW_OK;
}

vw_status vw_ic_host_feed(struct vw_ic_host *h, const uint8_t *in, size_t len, uint64_t now_ns,
                          struct vw_ic_host_event *ev, size_t *consumed)
{
    struct vw_ic_host_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status entry = vw_engine__feed_args(h, in, len, consumed);
    if (entry != VW_OK)
        return entry;
    if (h->state == ST_FAILED)
        return fault(h, VW_E_FAILED, 0, false);
    bool strict = h->cfg.strict;
    if (h->state != ST_WAIT_VERSION && h->state != ST_WAIT_REPLY) {
        if (strict) {
            *consumed = len;
            return fault(h, VW_E_STATE, 0, false); /* IC-STRICT-5: nothing expected, refused */
        }
        return VW_OK; /* IC-HOST-4: the pipe is not read now; the packet stays queued */
    }
    *consumed = len;
    if (expired(h, now_ns))
        return time_out(h); /* IC-STRICT-6 */
    h->out_len = 0; /* the request has been sent if a reply arrives */
    bool negotiating = h->state == ST_WAIT_VERSION;
    bool sticky = negotiating || !strict; /* IC-HOST-2, IC-HOST-4; IC-STRICT-7 */
    struct vw_ic_pipe_header ph;
    size_t off;
    vw_status s = vw_ic_pipe_header_decode(in, len, &ph, &off);
    if (s != VW_OK)
        return fault(h, s, off, sticky);
    if (ph.type != VW_IC_PIPE_DATA)
        return fault(h, VW_E_BAD_TYPE, 0, sticky); /* IC-PIPE-2 */
    if (ph.size > VW_IC_OPENVMM_MAX_MESSAGE) {
        *consumed = 0; /* IC-PIPE-5: PacketTooLarge, the packet is not consumed */
        return fault(h, VW_E_TOO_LONG, 4, true);
    }
    if (ph.size > len - P_HDR)
        return fault(h, VW_E_TRUNCATED, len, sticky); /* IC-PIPE-3 */
    const uint8_t *m = in + P_HDR;
    size_t mlen = ph.size;
    struct vw_ic_header hd;
    s = vw_ic_header_decode(m, mlen, &hd, &off);
    if (s != VW_OK)
        return fault(h, s, P_HDR + off, sticky);
    /* IC-HOST-2 (common.rs read_message): transaction 0, TRANSACTION and RESPONSE set,
     * checked for every message before its type is looked at. */
    uint8_t need = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_RESPONSE;
    if (hd.transaction_id != h->tid)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_TID, sticky);
    if ((hd.flags & need) != need)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_FLAGS, sticky);
    if (hd.message_size > mlen - VW_IC_HEADER_SIZE)
        return fault(h, VW_E_TRUNCATED, P_HDR + mlen, sticky); /* IC-HDR-8 */
    if (negotiating && hd.message_type != VW_IC_MSG_NEGOTIATE) {
        ev->kind = VW_IC_HOST_EV_DROPPED; /* IC-HOST-3: stale message, dropped */
        return VW_OK;
    }
    const uint8_t *b = m + VW_IC_HEADER_SIZE;
    size_t n = hd.message_size;
    if (negotiating) {
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
    if (strict && hd.message_type != h->inflight_type)
        return fault(h, VW_E_MISMATCH, P_HDR + VW_IC__OFF_TYPE, false); /* IC-STRICT-7 */
    h->state = ST_READY; /* IC-HOST-4 (read_response): the type is not looked at */
    h->has_deadline = false;
    ev->kind = VW_IC_HOST_EV_REPLY;
    ev->status = hd.status;
    /* The body is bounded by message_size (IC-HOST-2); decode it best-effort for the caller. */
    struct vw_ic_message msg;
    s = vw_ic_message_decode(m, VW_IC_HEADER_SIZE + n, &msg, &off);
    if (s == VW_OK)
        ev->msg = msg;
    else
        ev->msg.header = hd;
    if (h->inflight_type == VW_IC_MSG_TIMESYNC && !strict)
        return VW_OK; /* IC-HOST-9 (timesync.rs): the reply's status is ignored */
    if (h->inflight_type == VW_IC_MSG_KVP && h->inflight_op == VW_IC_KVP_OP_ENUMERATE) {
        if (hd.status == VW_IC_E_NO_MORE_ITEMS)
            return VW_OK; /* IC-HOST-9: no item at this index */
        if (hd.status == VW_IC_S_OK) {
            if (!strict) {
                s = ov_parse_enumerate(b, n, &off);
                return s == VW_OK ? VW_OK : fault(h, s, P_HDR + off, true);
            }
            if (s != VW_OK)
                return fault(h, s, P_HDR + off, false);
            s = check_enumerate(&msg, &off);
            return s == VW_OK ? VW_OK : fault(h, s, P_HDR + off, false);
        }
    }
    if (h->inflight_type == VW_IC_MSG_KVP && h->inflight_op == VW_IC_KVP_OP_GET_IP_INFO && !strict &&
        hd.status == VW_IC_S_OK) {
        s = ov_parse_ip_info(b, n, &off);
        return s == VW_OK ? VW_OK : fault(h, s, P_HDR + off, true);
    }
    if (hd.status != VW_IC_S_OK)
        return fault(h, VW_E_BAD_STATUS, P_HDR + VW_IC__OFF_STATUS, false); /* IC-HOST-9 */
    return VW_OK;
}

vw_status vw_ic_host_output(struct vw_ic_host *h, uint8_t *out, size_t cap, size_t *written)
{
    vw_status s = vw_engine__output_args(h, out, cap, written);
    if (s != VW_OK)
        return s;
    int taken;
    s = vw_engine__output_copy(h->buf, h->out_len, out, cap, written, &taken);
    if (taken)
        h->out_len = 0;
    return s;
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

unsigned vw_ic_host_state(const struct vw_ic_host *h)
{
    if (!h)
        return 0;
    unsigned f = vw_engine__out_flag(h->out_len);
    switch (h->state) {
    case ST_FAILED: return f | VW_ENGINE_FAILED;
    case ST_WAIT_VERSION:
    case ST_WAIT_REPLY: return f | VW_ENGINE_WANT_INPUT;
    default: return f | VW_ENGINE_WAIT_APP; /* idle: start; ready: send */
    }
}
