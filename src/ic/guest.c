/* IC guest responder: one engine per service channel, two profiles, each its
 * upstream's behaviour (accidents included); `strict` adds vmwire's own rules.
 *
 * linux   (IC-PROF-4 and following; hv_util.c, hv_kvp.c, hv_snapshot.c,
 *         channel_mgmt.c, ring_buffer.c, and the file-copy daemon): the reply
 *         is the received packet edited in place and sent back with its full
 *         length (pipe header, stale bytes and ring padding included);
 *         oversized packets are clamped to the receive limit (IC-PROF-12).
 * openvmm (IC-PROF-2, IC-PROF-5; hyperv_ic_guest/src/shutdown.rs): only the
 *         shutdown service exists; replies are built fresh and minimal;
 *         shutdowns are answered only after a negotiation was answered.
 */
#include <string.h>

#include "core/bytes.h"
#include "core/engine.h"
#include "ic/internal.h"

enum { ST_NEGOTIATING = 0, ST_READY = 1, ST_DEAD = 2 };

/* Offsets in the packet (pipe header included) of header fields. */
#define P_HDR VW_IC_PIPE_HEADER_SIZE
#define P_BODY (VW_IC_PIPE_HEADER_SIZE + VW_IC_HEADER_SIZE) /* 28: Linux's ICMSG_HDR */

static vw_status copy_list(struct vw_ic_version *dst, size_t *n, const struct vw_ic_version *src, size_t cnt)
{
    if (cnt == 0 || cnt > VW_IC_MAX_CONFIG_VERSIONS)
        return VW_E_INVALID_ARG;
    memcpy(dst, src, cnt * sizeof *dst);
    *n = cnt;
    return VW_OK;
}

vw_status vw_ic_guest_init(struct vw_ic_guest *g, const struct vw_ic_guest_config *cfg)
{
    if (!g || !cfg || (!vw_ic__is_service(cfg->service) && cfg->service != VW_IC_MSG_FCOPY))
        return VW_E_INVALID_ARG;
    if (cfg->profile != VW_IC_PROFILE_LINUX && cfg->profile != VW_IC_PROFILE_OPENVMM)
        return VW_E_INVALID_ARG;
    const struct vw_ic_version *f, *m;
    size_t nf, nm;
    vw_status s = vw_ic_profile_versions(cfg->profile, false, cfg->service, &f, &nf, &m, &nm);
    if (s != VW_OK)
        return s; /* IC-PROF-2: openvmm has a guest for shutdown only */
    memset(g, 0, offsetof(struct vw_ic_guest, buf));
    g->dirty = sizeof g->buf; /* buf is not cleared here: the first feed does it */
    g->cfg = *cfg;
    if (cfg->framework_versions)
        s = copy_list(g->fw, &g->nfw, cfg->framework_versions, cfg->n_framework_versions);
    else
        s = copy_list(g->fw, &g->nfw, f, nf);
    if (s == VW_OK) {
        if (cfg->message_versions)
            s = copy_list(g->msgv, &g->nmsg, cfg->message_versions, cfg->n_message_versions);
        else
            s = copy_list(g->msgv, &g->nmsg, m, nm);
    }
    g->cfg.framework_versions = NULL;
    g->cfg.message_versions = NULL;
    g->state = ST_NEGOTIATING;
    return s;
}

static vw_status fault(struct vw_ic_guest *g, vw_status s, size_t off)
{
    g->err_off = off;
    return s;
}

/* ---- linux profile ------------------------------------------------------ */

/* The Linux driver reads and writes its receive buffer past the received
 * length; here the bytes of g->buf past the fed packet read as zero. Rather
 * than clearing the whole buffer on every feed, g->dirty bounds the bytes
 * that may be non-zero: every write past a fed packet's length raises it
 * (lx_touch), and lx_feed clears only up to it. */
static void lx_touch(struct vw_ic_guest *g, size_t end)
{
    if (end > g->dirty)
        g->dirty = end;
}

/* IC-PROF-4 (vmbus_prep_negotiate_resp): edit the negotiate request in g->buf
 * (len bytes are sent). Returns whether a common version was found and sets
 * the chosen or fallback versions. Writes past len land in the unsent part of
 * the buffer, as in the kernel's larger receive buffer. */
static bool lx_negotiate(struct vw_ic_guest *g, size_t len, struct vw_ic_version *fw, struct vw_ic_version *msg,
                         bool *touched)
{
    uint8_t *b = g->buf;
    *touched = false;
    if (len < P_BODY + 4)
        return false; /* IC-PROF-4: too short to hold the counts: nothing is edited */
    *touched = true;
    vw_put_u16le(b + P_HDR + VW_IC__OFF_SIZE, 16);
    uint16_t F = vw_get_u16le(b + P_BODY), M = vw_get_u16le(b + P_BODY + 2);
    struct vw_ic_version cf = { F, 0 }, cm = { M, 0 };
    bool found = false;
    const uint8_t *vers = b + P_BODY + 8;
    if (F <= VW_IC_NEGOTIATE_MAX_COUNT && M <= VW_IC_NEGOTIATE_MAX_COUNT &&
        (size_t)P_BODY + 8 + 4u * ((size_t)F + M) <= len) {
        for (size_t i = 0; i < g->nfw && !found; i++) {
            for (size_t j = 0; j < F; j++) {
                if (vw_get_u16le(vers + 4 * j) == g->fw[i].major && vw_get_u16le(vers + 4 * j + 2) == g->fw[i].minor) {
                    cf = g->fw[i];
                    found = true;
                    break;
                }
            }
        }
        if (found) {
            found = false;
            for (size_t i = 0; i < g->nmsg && !found; i++) {
                for (size_t j = F; j < (size_t)F + M; j++) {
                    if (vw_get_u16le(vers + 4 * j) == g->msgv[i].major &&
                        vw_get_u16le(vers + 4 * j + 2) == g->msgv[i].minor) {
                        cm = g->msgv[i];
                        found = true;
                        break;
                    }
                }
            }
        }
    }
    vw_put_u16le(b + P_BODY, found ? 1 : 0);
    vw_put_u16le(b + P_BODY + 2, found ? 1 : 0);
    vw_put_u16le(b + P_BODY + 8, cf.major);
    vw_put_u16le(b + P_BODY + 10, cf.minor);
    vw_put_u16le(b + P_BODY + 12, cm.major);
    vw_put_u16le(b + P_BODY + 14, cm.minor);
    lx_touch(g, P_BODY + 16);
    *fw = cf;
    *msg = cm;
    return found;
}

static void lx_finish(struct vw_ic_guest *g, size_t len)
{
    g->buf[P_HDR + VW_IC__OFF_FLAGS] = VW_IC_FLAG_TRANSACTION | VW_IC_FLAG_RESPONSE; /* IC-PROF-4 */
    g->out_len = len;
}

static void set_status(struct vw_ic_guest *g, uint32_t st)
{
    vw_put_u32le(g->buf + P_HDR + VW_IC__OFF_STATUS, st);
}

/* Best-effort strict decode of the request for the event (Linux is lenient). */
static void event_msg(const uint8_t *in, size_t len, bool use_pipe, struct vw_ic_guest_event *ev)
{
    size_t off;
    if (len < P_HDR)
        return;
    const uint8_t *m = in + P_HDR;
    size_t mlen = len - P_HDR;
    uint32_t psize = vw_get_u32le(in + 4);
    if (use_pipe && psize <= mlen)
        mlen = psize; /* openvmm reads the pipe size; linux ignores the pipe header */
    if (vw_ic_message_decode(m, mlen, &ev->msg, &off) != VW_OK) {
        memset(&ev->msg, 0, sizeof ev->msg);
        (void)vw_ic_header_decode(m, mlen, &ev->msg.header, &off);
    }
}

static vw_status fc_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev);

/* Take one linux-profile packet into the receive buffer: the unsent part of a
 * longer earlier packet is cleared (the reply is built in place), and the
 * event carries the packet as read. */
static void lx_load(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev)
{
    memcpy(g->buf, in, len);
    if (g->dirty > len)
        memset(g->buf + len, 0, g->dirty - len);
    g->dirty = len;
    event_msg(in, len, false, ev);
}

/* A NEGOTIATE packet in the linux profile (every service, file copy included). */
static vw_status lx_negotiate_packet(struct vw_ic_guest *g, size_t len, struct vw_ic_guest_event *ev)
{
    struct vw_ic_version fw = { 0, 0 }, msg = { 0, 0 }; /* stay 0.0 when nothing was edited */
    bool touched;
    bool ok = lx_negotiate(g, len, &fw, &msg, &touched);
    ev->kind = VW_IC_GUEST_EV_NEGOTIATED;
    ev->ok = ok;
    ev->framework = fw;
    ev->message = msg;
    if (touched) {
        g->nego_fw = fw; /* IC-PROF-4: set even when negotiation fails */
        g->nego_msg = msg;
    }
    g->negotiated = ok;
    g->state = ST_READY;
    if (ok && g->cfg.service == VW_IC_MSG_FCOPY)
        set_status(g, VW_IC_S_OK); /* IC-FCOPY-3: status 0 only on success */
    lx_finish(g, len);
    if (!touched)
        return fault(g, VW_E_TRUNCATED, len);
    return ok ? VW_OK : fault(g, VW_E_NO_COMMON_VERSION, P_BODY);
}

static vw_status lx_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev,
                         size_t *consumed)
{
    uint16_t svc = g->cfg.service;
    if (svc == VW_IC_MSG_KVP && !g->cfg.agent_ready) {
        *consumed = 0;
        return fault(g, VW_E_STATE, 0); /* IC-PROF-14: the channel is not read */
    }
    /* IC-PROF-12 (ring_buffer.c hv_pkt_iter_first): the packet, descriptor included,
     * is clamped to max_pkt_size; the payload read is at most limit - 16 bytes, and
     * the ring advances by the clamped length only. */
    if (svc == VW_IC_MSG_FCOPY) {
        if (g->state == ST_DEAD)
            return fault(g, VW_E_FAILED, 0); /* IC-FCOPY-5: the daemon has exited; nothing read */
        *consumed = len; /* the daemon reads the raw ring: no clamp (IC-FCOPY-1) */
        return fc_feed(g, in, len, ev);
    }
    size_t limit = vw_ic__linux_recv_limit(svc) - 16;
    if (len > limit)
        len = limit;
    *consumed = len;
    if (len < P_BODY)
        return fault(g, VW_E_TRUNCATED, len); /* IC-PROF-4: too short for the headers, dropped */
    lx_load(g, in, len, ev);
    uint16_t type = vw_get_u16le(in + P_HDR + VW_IC__OFF_TYPE);

    if (type == VW_IC_MSG_NEGOTIATE)
        return lx_negotiate_packet(g, len, ev);
    if (type != svc) {
        if (svc == VW_IC_MSG_KVP || svc == VW_IC_MSG_VSS)
            return fault(g, VW_E_BAD_TYPE, P_HDR + VW_IC__OFF_TYPE); /* IC-PROF-15: dropped */
        set_status(g, VW_IC_E_FAIL); /* IC-PROF-15 */
        lx_finish(g, len);
        return fault(g, VW_E_BAD_TYPE, P_HDR + VW_IC__OFF_TYPE);
    }
    uint8_t *b = g->buf + P_BODY;
    switch (svc) {
    case VW_IC_MSG_HEARTBEAT:
        if (len < P_BODY + 8)
            return fault(g, VW_E_TRUNCATED, len); /* IC-HB-4 */
        vw_put_u64le(b, vw_get_u64le(b) + 1); /* IC-HB-4 */
        ev->kind = VW_IC_GUEST_EV_HEARTBEAT;
        lx_finish(g, len);
        return VW_OK;
    case VW_IC_MSG_SHUTDOWN: {
        if (len < P_BODY + VW_IC_SHUTDOWN_SIZE)
            return fault(g, VW_E_TRUNCATED, len); /* IC-SD-4 */
        uint32_t f = vw_get_u32le(b + 8);
        ev->kind = VW_IC_GUEST_EV_SHUTDOWN;
        ev->force = true; /* Linux always acts as if forced */
        vw_status s = VW_OK;
        uint32_t st = VW_IC_S_OK;
        if (f <= 1) {
            ev->action = VW_IC_SD_POWER_OFF;
        } else if (f <= 3) {
            ev->action = VW_IC_SD_REBOOT;
        } else if (f <= 5 && g->cfg.hibernate_supported) {
            ev->action = VW_IC_SD_HIBERNATE;
        } else {
            ev->action = VW_IC_SD_REFUSED; /* IC-PROF-6, IC-PROF-7 */
            st = VW_IC_E_FAIL;
            s = fault(g, f <= 5 ? VW_E_UNSUPPORTED : VW_E_BAD_FLAGS, P_BODY + 8);
        }
        set_status(g, st);
        lx_finish(g, len);
        return s;
    }
    case VW_IC_MSG_TIMESYNC: {
        /* IC-TS-7, IC-PROF-21 (hv_util.c timesync_onchannelcallback): Linux keeps the
         * version as the int (major << 16) | minor and tests it with a signed "> 3.0";
         * a major of 0x8000 or more makes the int negative, so the old layout applies. */
        bool v4 = g->nego_msg.major < 0x8000u &&
                  (((uint32_t)g->nego_msg.major << 16) | g->nego_msg.minor) > (3u << 16);
        size_t need = v4 ? VW_IC_TIMESYNC4_SIZE_LINUX : VW_IC_TIMESYNC_SIZE_LINUX;
        if (len < P_BODY + need)
            return fault(g, VW_E_TRUNCATED, len); /* IC-TS-7 */
        ev->kind = VW_IC_GUEST_EV_TIMESYNC;
        struct vw_ic_timesync *t = &ev->msg.body.timesync;
        if (ev->msg.kind != VW_IC_BODY_TIMESYNC || t->v4 != v4) {
            /* The layout follows the negotiated version, not the header (IC-TS-7). */
            memset(t, 0, sizeof *t);
            t->v4 = v4;
            t->size = (uint8_t)need;
            t->parent_time = vw_get_u64le(b);
            if (v4) {
                t->vm_reference_time = vw_get_u64le(b + 8);
                t->flags = b[16];
                t->leap_indicator = b[17];
                t->stratum = b[18];
            } else {
                t->child_time = vw_get_u64le(b + 8);
                t->round_trip_time = vw_get_u64le(b + 16);
                t->flags = b[24];
            }
        }
        lx_finish(g, len);
        return VW_OK;
    }
    case VW_IC_MSG_KVP:
        ev->kind = VW_IC_GUEST_EV_KVP; /* IC-KVP-12: the agent answers */
        ev->pending = true;
        g->waiting = true;
        g->out_len = len;
        return VW_OK;
    default: { /* VSS */
        if (len < P_BODY + VW_IC_VSS_SIZE_LINUX)
            return fault(g, VW_E_TRUNCATED, len); /* IC-VSS-8 */
        uint8_t op = b[0];
        ev->kind = VW_IC_GUEST_EV_VSS;
        if (op == VW_IC_VSS_OP_FREEZE || op == VW_IC_VSS_OP_THAW || op == VW_IC_VSS_OP_HOT_BACKUP) {
            if (!g->cfg.agent_ready) {
                set_status(g, VW_IC_E_FAIL); /* IC-VSS-9 */
                lx_finish(g, len);
                return fault(g, VW_E_STATE, P_BODY);
            }
            ev->pending = true;
            g->waiting = true;
            g->out_len = len;
            return VW_OK;
        }
        if (op == VW_IC_VSS_OP_GET_DM_INFO)
            vw_put_u32le(b + 8, 0); /* IC-VSS-10 */
        set_status(g, VW_IC_S_OK); /* IC-VSS-10 */
        lx_finish(g, len);
        return VW_OK;
    }
    }
}

/* ---- linux file copy (tools/hv/hv_fcopy_uio_daemon.c) ---------------------- */

/* fcopy_pkt_process: the status is E_FAIL unless a rule sets another; the reply
 * is the echo of the whole packet with flags 0x05. */
static vw_status fc_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev)
{
    if (g->state == ST_DEAD)
        return fault(g, VW_E_FAILED, 0); /* IC-FCOPY-5: the daemon has exited */
    if (len > VW_IC_MAX_PACKET)
        return fault(g, VW_E_TOO_LONG, VW_IC_MAX_PACKET); /* vmwire's buffer, not the daemon's */
    if (len < P_BODY)
        return fault(g, VW_E_TRUNCATED, len);
    lx_load(g, in, len, ev);
    set_status(g, VW_IC_E_FAIL); /* IC-FCOPY-3 */
    uint16_t type = vw_get_u16le(in + P_HDR + VW_IC__OFF_TYPE);
    if (type == VW_IC_MSG_NEGOTIATE)
        return lx_negotiate_packet(g, len, ev);
    if (type != VW_IC_MSG_FCOPY) {
        lx_finish(g, len); /* IC-FCOPY-3: echoed with E_FAIL */
        return fault(g, VW_E_BAD_TYPE, P_HDR + VW_IC__OFF_TYPE);
    }
    if (len < P_BODY + VW_IC_FCOPY_HEADER_SIZE) {
        /* IC-FCOPY-5: fcopy_pkt_process returns -ENOBUFS and main() ends the daemon. */
        g->state = ST_DEAD;
        return fault(g, VW_E_TRUNCATED, len);
    }
    uint32_t op = vw_get_u32le(in + P_BODY);
    if (op > VW_IC_FCOPY_COMPLETE) {
        lx_finish(g, len); /* IC-FCOPY-4: CANCEL_FCOPY and unknown operations: E_FAIL */
        return fault(g, op == VW_IC_FCOPY_CANCEL ? VW_E_UNSUPPORTED : VW_E_BAD_TYPE, P_BODY);
    }
    ev->kind = VW_IC_GUEST_EV_FCOPY; /* IC-FCOPY-4: the daemon's file operation answers */
    ev->pending = true;
    g->waiting = true;
    g->out_len = len;
    return VW_OK;
}

/* Write at most max_units UTF-16 units of utf8 at dst; no NUL (as Linux). */
static vw_status lx_put_string(uint8_t *dst, const char *utf8, size_t max_units, size_t *units)
{
    size_t need = 0;
    vw_status s = vw_ic_utf8_to_utf16(utf8, strlen(utf8), NULL, 0, &need);
    if (s != VW_OK && s != VW_E_NOSPACE)
        return s;
    uint8_t tmp[2 * 1024 + 4];
    size_t cap = 2 * max_units;
    size_t w = 0;
    s = vw_ic_utf8_to_utf16(utf8, strlen(utf8), tmp, need < sizeof tmp ? need : sizeof tmp, &w);
    if (s != VW_OK && s != VW_E_NOSPACE)
        return s;
    size_t n = need < cap ? need : cap;
    /* Never split a surrogate pair. */
    if (n >= 2 && n < need) {
        uint16_t last = vw_get_u16le(tmp + n - 2);
        if (last >= 0xD800 && last <= 0xDBFF)
            n -= 2;
    }
    memcpy(dst, tmp, n);
    *units = n / 2;
    return VW_OK;
}

static vw_status lx_complete(struct vw_ic_guest *g, const struct vw_ic_guest_answer *a,
                             const struct vw_ic_guest_ip_answer *ip)
{
    uint8_t *b = g->buf + P_BODY;
    if (g->cfg.service == VW_IC_MSG_FCOPY) {
        set_status(g, a->status); /* IC-FCOPY-4: hv_fcopy_send_data's result */
        lx_finish(g, g->out_len);
        return VW_OK;
    }
    if (g->cfg.service == VW_IC_MSG_VSS) {
        /* IC-VSS-9 (hv_snapshot.c vss_on_msg): the kernel tests the agent's reply, whose
         * first byte is the low byte of its status (int error overlays the header). */
        if (b[0] == VW_IC_VSS_OP_HOT_BACKUP && (a->status & 0xFFu) == VW_IC_VSS_OP_HOT_BACKUP)
            vw_put_u32le(b + 8, VW_IC_VSS_HBU_NO_AUTO_RECOVERY);
        set_status(g, a->status);
        lx_finish(g, g->out_len);
        return VW_OK;
    }
    /* KVP (IC-KVP-12, IC-KVP-13). */
    uint8_t op = b[0];
    if (a->status == VW_IC_S_OK && op == VW_IC_KVP_OP_GET_IP_INFO) {
        /* IC-KVP-14 (hv_kvp.c process_ob_ipinfo): the string-form record at body offset 2
         * (struct hv_kvp_ip_msg) gets each text as UTF-16, cut at its field's capacity and
         * without a NUL, then the DHCP flag and the address family. */
        static const struct { uint16_t off, units; } f[] = {
            { 258, 1024 }, { 2306, 1024 }, { 4354, 512 }, { 5378, 1024 }, { 0, 128 },
        };
        static const struct vw_ic_guest_ip_answer none;
        if (!ip)
            ip = &none;
        const char *t[5] = { ip->ip_address, ip->subnet, ip->gateway, ip->dns, ip->adapter_id };
        uint8_t *rec = b + 2;
        size_t need;
        for (size_t i = 0; i < 5; i++) { /* check first: a bad answer leaves the request untouched */
            vw_status s = t[i] ? vw_ic_utf8_to_utf16(t[i], strlen(t[i]), NULL, 0, &need) : VW_OK;
            if (s != VW_OK && s != VW_E_NOSPACE)
                return s;
        }
        for (size_t i = 0; i < 5; i++) {
            size_t units = 0;
            if (t[i] && lx_put_string(rec + f[i].off, t[i], f[i].units, &units) != VW_OK)
                return VW_E_BAD_UTF8; /* not reached: checked above */
            lx_touch(g, (size_t)(rec - g->buf) + f[i].off + 2 * units);
        }
        rec[257] = ip->dhcp_enabled;
        rec[256] = ip->address_family;
        lx_touch(g, (size_t)(rec - g->buf) + 258);
        set_status(g, a->status);
        lx_finish(g, g->out_len);
        return VW_OK;
    }
    /* IC-KVP-13 (hv_kvp.c kvp_respond_to_host): GET writes the value; every operation
     * without a case of its own (ENUMERATE and 6 .. 255) takes the ENUMERATE path. */
    bool enum_path = op == VW_IC_KVP_OP_ENUMERATE || op > VW_IC_KVP_OP_SET_IP_INFO;
    if (a->status == VW_IC_S_OK && (enum_path || op == VW_IC_KVP_OP_GET)) {
        uint8_t *rec = enum_path ? b + 8 : b + 4;
        uint8_t tmp_key[VW_IC_KVP_MAX_KEY_SIZE];
        uint8_t tmp_val[VW_IC_KVP_MAX_VALUE_SIZE];
        size_t ku = 0, vu = 0;
        vw_status s;
        /* Convert first so that a bad answer leaves the request untouched. */
        if (enum_path &&
            (s = lx_put_string(tmp_key, a->key ? a->key : "", VW_IC_KVP_MAX_KEY_SIZE / 2 - 2, &ku)) != VW_OK)
            return s;
        if ((s = lx_put_string(tmp_val, a->value ? a->value : "", VW_IC_KVP_MAX_VALUE_SIZE / 2 - 2, &vu)) != VW_OK)
            return s;
        if (enum_path) {
            memcpy(rec + VW_IC__KVP_REC_KEY, tmp_key, 2 * ku);
            vw_put_u32le(rec + 4, (uint32_t)(2 * (ku + 1)));
        }
        memcpy(rec + VW_IC__KVP_REC_VALUE, tmp_val, 2 * vu);
        vw_put_u32le(rec + 8, (uint32_t)(2 * (vu + 1)));
        vw_put_u32le(rec, VW_IC_KVP_TYPE_STRING);
        lx_touch(g, (size_t)(rec - g->buf) + VW_IC__KVP_REC_VALUE + 2 * vu);
    }
    set_status(g, a->status);
    lx_finish(g, g->out_len);
    return VW_OK;
}

/* ---- openvmm profile (shutdown client) ----------------------------------- */

static void ov_reply(struct vw_ic_guest *g, const struct vw_ic_header *req, uint16_t type, struct vw_ic_version fw,
                     struct vw_ic_version msg, size_t body_len, uint32_t status)
{
    struct vw_ic_pipe_header ph = { VW_IC_PIPE_DATA, (uint32_t)(VW_IC_HEADER_SIZE + body_len) };
    struct vw_ic_header h;
    memset(&h, 0, sizeof h);
    h.framework_version = fw;
    h.message_type = type;
    h.message_version = msg;
    h.message_size = (uint16_t)body_len;
    h.status = status;
    h.transaction_id = req->transaction_id;
    h.flags = (uint8_t)((req->flags & VW_IC_FLAG_TRANSACTION) | VW_IC_FLAG_RESPONSE);
    size_t w;
    (void)vw_ic_pipe_header_encode(&ph, g->buf, VW_IC_PIPE_HEADER_SIZE, &w);
    (void)vw_ic_header_encode(&h, g->buf + P_HDR, VW_IC_HEADER_SIZE, &w);
    g->out_len = P_BODY + body_len;
}

static bool ov_pick(const uint8_t *vers, size_t avail, size_t first, size_t count, const struct vw_ic_version *own,
                    size_t nown, struct vw_ic_version *best)
{
    bool found = false;
    for (size_t j = first; j < first + count && 4 * (j + 1) <= avail; j++) {
        struct vw_ic_version v = { vw_get_u16le(vers + 4 * j), vw_get_u16le(vers + 4 * j + 2) };
        for (size_t i = 0; i < nown; i++) {
            if (vw_ic_version_cmp(v, own[i]) == 0 && (!found || vw_ic_version_cmp(v, *best) > 0)) {
                *best = v;
                found = true;
            }
        }
    }
    return found;
}

static vw_status ov_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev,
                         size_t *consumed)
{
    struct vw_ic_pipe_header ph;
    size_t off;
    vw_status s = vw_ic_pipe_header_decode(in, len, &ph, &off);
    if (s != VW_OK)
        return fault(g, s, off);
    if (ph.type != VW_IC_PIPE_DATA)
        return fault(g, VW_E_BAD_TYPE, 0); /* IC-PIPE-2 */
    if (ph.size > VW_IC_OPENVMM_MAX_MESSAGE) {
        /* IC-PIPE-5 (vmbus_async pipe.rs try_recv): PacketTooLarge; the packet stays in the ring. */
        *consumed = 0;
        return fault(g, VW_E_TOO_LONG, 4);
    }
    if (ph.size > len - P_HDR)
        return fault(g, VW_E_TRUNCATED, len); /* IC-PIPE-3 */
    const uint8_t *m = in + P_HDR;
    size_t mlen = ph.size;
    struct vw_ic_header h;
    s = vw_ic_header_decode(m, mlen, &h, &off);
    if (s != VW_OK)
        return fault(g, s, P_HDR + off);
    event_msg(in, len, true, ev);
    if (h.message_type == VW_IC_MSG_NEGOTIATE) {
        /* IC-PROF-5, IC-NEG-10 (hyperv_ic_guest shutdown.rs process): any negotiate first
         * resets the channel to un-negotiated. */
        g->state = ST_NEGOTIATING;
        g->negotiated = false;
        const uint8_t *b = m + VW_IC_HEADER_SIZE;
        size_t avail = mlen - VW_IC_HEADER_SIZE;
        if (avail < 8)
            return fault(g, VW_E_TRUNCATED, P_HDR + mlen); /* IC-PROF-22: TruncatedMessage, no reply */
        size_t F = vw_get_u16le(b), M = vw_get_u16le(b + 2);
        if (g->cfg.strict && (F > VW_IC_NEGOTIATE_MAX_COUNT || M > VW_IC_NEGOTIATE_MAX_COUNT))
            return fault(g, VW_E_TOO_LONG, P_BODY + (F > VW_IC_NEGOTIATE_MAX_COUNT ? 0 : 2)); /* IC-STRICT-4 */
        const uint8_t *vers = b + 8;
        size_t vavail = avail - 8;
        struct vw_ic_version fw = { 0, 0 }, msg = { 0, 0 };
        bool okf = ov_pick(vers, vavail, 0, F, g->fw, g->nfw, &fw);
        bool okm = ov_pick(vers, vavail, F, M, g->msgv, g->nmsg, &msg);
        bool ok = okf && okm;
        /* IC-PROF-18 (handle_version_negotiation): each list that had no match falls back,
         * on its own, to the last entry of the guest's list. */
        if (!okf)
            fw = g->fw[g->nfw - 1];
        if (!okm)
            msg = g->msgv[g->nmsg - 1];
        struct vw_ic_version zero = { 0, 0 };
        ov_reply(g, &h, VW_IC_MSG_NEGOTIATE, zero, zero, 16, VW_IC_S_OK);
        uint8_t *ob = g->buf + P_BODY;
        vw_put_u16le(ob, 1);
        vw_put_u16le(ob + 2, 1);
        vw_put_u32le(ob + 4, 0);
        vw_put_u16le(ob + 8, fw.major);
        vw_put_u16le(ob + 10, fw.minor);
        vw_put_u16le(ob + 12, msg.major);
        vw_put_u16le(ob + 14, msg.minor);
        g->nego_fw = fw;
        g->nego_msg = msg;
        g->negotiated = true;
        g->state = ST_READY;
        ev->kind = VW_IC_GUEST_EV_NEGOTIATED;
        ev->ok = ok;
        ev->framework = fw;
        ev->message = msg;
        return ok ? VW_OK : fault(g, VW_E_NO_COMMON_VERSION, P_BODY);
    }
    if (h.message_type != VW_IC_MSG_SHUTDOWN)
        return fault(g, VW_E_BAD_TYPE, P_HDR + VW_IC__OFF_TYPE); /* IC-PROF-16: no reply */
    if (g->state != ST_READY)
        return fault(g, VW_E_STATE, P_HDR + VW_IC__OFF_TYPE); /* IC-PROF-16: no reply */
    if (mlen - VW_IC_HEADER_SIZE < VW_IC_SHUTDOWN_SIZE)
        return fault(g, VW_E_TRUNCATED, P_HDR + mlen); /* IC-SD-5 */
    uint32_t f = vw_get_u32le(m + VW_IC_HEADER_SIZE + 8);
    ev->kind = VW_IC_GUEST_EV_SHUTDOWN;
    ev->force = f & VW_IC_SD_FLAG_FORCE;
    if (f & VW_IC_SD_FLAG_RESTART)
        ev->action = VW_IC_SD_REBOOT; /* IC-PROF-6 */
    else if (f & VW_IC_SD_FLAG_HIBERNATE)
        ev->action = VW_IC_SD_HIBERNATE;
    else
        ev->action = VW_IC_SD_POWER_OFF;
    ev->pending = true;
    g->waiting = true;
    /* Keep what the reply needs: the request header, in buf until completion. */
    memcpy(g->buf + P_HDR, m, VW_IC_HEADER_SIZE);
    return VW_OK;
}

static vw_status ov_complete(struct vw_ic_guest *g, const struct vw_ic_guest_answer *a)
{
    struct vw_ic_header req;
    size_t off;
    (void)vw_ic_header_decode(g->buf + P_HDR, VW_IC_HEADER_SIZE, &req, &off);
    ov_reply(g, &req, VW_IC_MSG_SHUTDOWN, g->nego_fw, g->nego_msg, 0, a->status); /* IC-PROF-5 */
    return VW_OK;
}

/* ---- common ---------------------------------------------------------------- */

vw_status vw_ic_guest_feed(struct vw_ic_guest *g, const uint8_t *in, size_t len, struct vw_ic_guest_event *ev,
                           size_t *consumed)
{
    struct vw_ic_guest_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status s = vw_engine__feed_args(g, in, len, consumed);
    if (s != VW_OK)
        return s;
    if (g->out_len || g->waiting)
        return fault(g, VW_E_STATE, 0);
    g->err_off = 0;
    if (g->cfg.profile != VW_IC_PROFILE_OPENVMM)
        return lx_feed(g, in, len, ev, consumed);
    *consumed = len;
    if (len > VW_IC_MAX_PACKET)
        return fault(g, VW_E_TOO_LONG, VW_IC_MAX_PACKET); /* IC-PIPE-4 */
    return ov_feed(g, in, len, ev, consumed);
}

vw_status vw_ic_guest_complete(struct vw_ic_guest *g, const struct vw_ic_guest_answer *answer)
{
    return vw_ic_guest_complete_ip(g, answer, NULL);
}

vw_status vw_ic_guest_complete_ip(struct vw_ic_guest *g, const struct vw_ic_guest_answer *answer,
                                  const struct vw_ic_guest_ip_answer *ip)
{
    if (!g || !answer)
        return VW_E_INVALID_ARG;
    if (!g->waiting)
        return VW_E_STATE;
    vw_status s = g->cfg.profile == VW_IC_PROFILE_OPENVMM ? ov_complete(g, answer) : lx_complete(g, answer, ip);
    if (s == VW_OK)
        g->waiting = false;
    return s;
}

vw_status vw_ic_guest_output(struct vw_ic_guest *g, uint8_t *out, size_t cap, size_t *written)
{
    vw_status s = vw_engine__output_args(g, out, cap, written);
    if (s != VW_OK || g->waiting)
        return s;
    int taken;
    s = vw_engine__output_copy(g->buf, g->out_len, out, cap, written, &taken);
    if (taken)
        g->out_len = 0;
    return s;
}

size_t vw_ic_guest_error_offset(const struct vw_ic_guest *g)
{
    return g ? g->err_off : 0;
}

unsigned vw_ic_guest_state(const struct vw_ic_guest *g)
{
    if (!g)
        return 0;
    if (g->waiting)
        return VW_ENGINE_WAIT_APP;
    if (g->state == ST_DEAD)
        return vw_engine__out_flag(g->out_len) | VW_ENGINE_FAILED; /* IC-FCOPY-5 */
    if (g->out_len)
        return VW_ENGINE_HAVE_OUTPUT;
    if (g->cfg.profile != VW_IC_PROFILE_OPENVMM && g->cfg.service == VW_IC_MSG_KVP && !g->cfg.agent_ready)
        return 0; /* IC-PROF-14: the channel is not read */
    return VW_ENGINE_WANT_INPUT;
}
