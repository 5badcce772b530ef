/* IC rules: what a well-formed message must also satisfy, per profile
 * (spec/ic.md; each check names its rule). Offsets are from the start of the
 * IC header. */
#include <string.h>

#include "core/bytes.h"
#include "ic/internal.h"

#define BODY(x) (VW_IC_HEADER_SIZE + (size_t)(x))

static vw_status fail(vw_status s, size_t at, size_t *off)
{
    *off = at;
    return s;
}

static bool has_version(const struct vw_ic_version *list, size_t n, struct vw_ic_version v)
{
    for (size_t i = 0; i < n; i++)
        if (vw_ic_version_cmp(list[i], v) == 0)
            return true;
    return false;
}


static bool all_zero(const uint8_t *p, size_t n, size_t *first)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            *first = i;
            return false;
        }
    }
    return true;
}

static vw_status check_header(const struct vw_ic_message *m, enum vw_ic_profile p, bool strict, size_t *off)
{
    const struct vw_ic_header *h = &m->header;
    if (h->message_type > VW_IC_MSG_VSS)
        return fail(VW_E_BAD_TYPE, VW_IC__OFF_TYPE, off); /* IC-HDR-4 */
    if (h->flags & ~VW_IC_FLAGS_DEFINED)
        return fail(VW_E_BAD_FLAGS, VW_IC__OFF_FLAGS, off); /* IC-HDR-6 */
    bool req = h->flags & VW_IC_FLAG_REQUEST, rsp = h->flags & VW_IC_FLAG_RESPONSE;
    if (strict && req == rsp)
        return fail(VW_E_BAD_FLAGS, VW_IC__OFF_FLAGS, off); /* IC-STRICT-1: exactly one of them */
    if (h->reserved)
        return fail(VW_E_RESERVED, VW_IC__OFF_RESERVED, off); /* IC-HDR-5 */
    if (h->message_type != VW_IC_MSG_NEGOTIATE) {
        const struct vw_ic_version *l;
        size_t n;
        vw_ic__framework_versions(&l, &n);
        if (!has_version(l, n, h->framework_version))
            return fail(VW_E_BAD_VERSION, VW_IC__OFF_FW, off); /* IC-HDR-7 */
        vw_ic__known_versions(p, h->message_type, &l, &n); /* profiles.c */
        if (!has_version(l, n, h->message_version))
            return fail(VW_E_BAD_VERSION, VW_IC__OFF_MSGVER, off); /* IC-HDR-7, IC-PROF-3 */
    }
    size_t first;
    if (m->padding.len && !all_zero(m->padding.p, m->padding.len, &first))
        return fail(VW_E_RESERVED, BODY(h->message_size - m->padding.len + first), off); /* IC-HDR-9 */
    if (m->kind == VW_IC_BODY_NONE) {
        /* IC-HDR-8: only a shutdown response may omit its body (IC-PROF-5). */
        if (!(h->message_type == VW_IC_MSG_SHUTDOWN && rsp))
            return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off);
    }
    return VW_OK;
}

static vw_status check_negotiate(const struct vw_ic_message *m, size_t *off)
{
    const struct vw_ic_negotiate *n = &m->body.negotiate;
    if (m->header.flags & VW_IC_FLAG_RESPONSE) {
        if (n->framework_count == 0 && n->message_count == 0)
            return fail(VW_E_NO_COMMON_VERSION, BODY(0), off); /* IC-NEG-6 */
        if (n->framework_count != 1)
            return fail(VW_E_BAD_VALUE, BODY(0), off); /* IC-NEG-5 */
        if (n->message_count != 1)
            return fail(VW_E_BAD_VALUE, BODY(2), off); /* IC-NEG-5 */
    } else {
        if (n->framework_count == 0)
            return fail(VW_E_BAD_VALUE, BODY(0), off); /* IC-NEG-4 */
        if (n->message_count == 0)
            return fail(VW_E_BAD_VALUE, BODY(2), off); /* IC-NEG-4 */
    }
    if (n->reserved)
        return fail(VW_E_RESERVED, BODY(4), off); /* IC-NEG-2 */
    return VW_OK;
}

static vw_status check_heartbeat(const struct vw_ic_message *m, enum vw_ic_profile p, bool strict, size_t *off)
{
    const struct vw_ic_heartbeat *h = &m->body.heartbeat;
    size_t want = p == VW_IC_PROFILE_OPENVMM ? VW_IC_HEARTBEAT_SIZE_OPENVMM : VW_IC_HEARTBEAT_SIZE_LINUX;
    if (h->size != want)
        return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-8 */
    if (p == VW_IC_PROFILE_OPENVMM) {
        if (strict && h->application_state > VW_IC_HB_STATE_STOPPED)
            return fail(VW_E_BAD_VALUE, BODY(8), off); /* IC-STRICT-3 (IC-HB-2 is an open enum) */
        size_t first;
        if (!all_zero(h->reserved, 4, &first))
            return fail(VW_E_RESERVED, BODY(12 + first), off); /* IC-HB-3 */
    }
    return VW_OK;
}

static vw_status check_shutdown(const struct vw_ic_message *m, enum vw_ic_profile p, size_t *off)
{
    uint32_t f = m->body.shutdown.flags;
    if (p == VW_IC_PROFILE_OPENVMM) {
        if (f & ~(uint32_t)(VW_IC_SD_FLAG_FORCE | VW_IC_SD_FLAG_RESTART | VW_IC_SD_FLAG_HIBERNATE))
            return fail(VW_E_BAD_FLAGS, BODY(8), off); /* IC-SD-3 */
    } else if (f > 5) {
        return fail(VW_E_BAD_FLAGS, BODY(8), off); /* IC-PROF-6 */
    }
    return VW_OK;
}

static vw_status check_timesync(const struct vw_ic_message *m, enum vw_ic_profile p, bool strict, size_t *off)
{
    const struct vw_ic_timesync *t = &m->body.timesync;
    size_t want, fl;
    if (t->v4) {
        want = p == VW_IC_PROFILE_OPENVMM ? VW_IC_TIMESYNC4_SIZE_OPENVMM : VW_IC_TIMESYNC4_SIZE_LINUX;
        fl = 16;
    } else {
        want = p == VW_IC_PROFILE_OPENVMM ? VW_IC_TIMESYNC_SIZE_OPENVMM : VW_IC_TIMESYNC_SIZE_LINUX;
        fl = 24;
    }
    if (t->size != want)
        return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-10 */
    if (t->flags & ~(VW_IC_TS_FLAG_SYNC | VW_IC_TS_FLAG_SAMPLE))
        return fail(VW_E_BAD_FLAGS, BODY(fl), off); /* IC-TS-3 */
    if (strict && t->flags == (VW_IC_TS_FLAG_SYNC | VW_IC_TS_FLAG_SAMPLE))
        return fail(VW_E_BAD_FLAGS, BODY(fl), off); /* IC-STRICT-2 */
    size_t first, rl = t->v4 ? t->size - 19u : t->size - 25u;
    if (!all_zero(t->reserved, rl, &first))
        return fail(VW_E_RESERVED, BODY((t->v4 ? 19 : 25) + first), off); /* IC-TS-6 */
    return VW_OK;
}

static vw_status check_kvp_record(const struct vw_ic_kvp_value *v, size_t at, enum vw_ic_profile p, size_t *off)
{
    if (v->value_size == 0)
        return VW_OK; /* IC-KVP-7: a record without a value (a query) has no type to judge */
    uint32_t t = v->value_type;
    bool ok;
    if (p == VW_IC_PROFILE_OPENVMM)
        ok = t == VW_IC_KVP_TYPE_STRING || t == VW_IC_KVP_TYPE_EXPAND_STRING || t == VW_IC_KVP_TYPE_DWORD ||
             t == VW_IC_KVP_TYPE_QWORD;
    else
        ok = t == VW_IC_KVP_TYPE_STRING || t == VW_IC_KVP_TYPE_DWORD || t == VW_IC_KVP_TYPE_U64_LINUX;
    if (!ok)
        return fail(VW_E_BAD_TYPE, at, off); /* IC-KVP-7, IC-PROF-9 */
    if (t == VW_IC_KVP_TYPE_DWORD && v->value_size != 4)
        return fail(VW_E_BAD_LENGTH, at + 8, off); /* IC-KVP-7 */
    if ((t == VW_IC_KVP_TYPE_QWORD || t == VW_IC_KVP_TYPE_U64_LINUX) && v->value_size != 8)
        return fail(VW_E_BAD_LENGTH, at + 8, off); /* IC-KVP-7 */
    return VW_OK;
}

static vw_status check_kvp(const struct vw_ic_message *m, enum vw_ic_profile p, size_t *off)
{
    const struct vw_ic_kvp *k = &m->body.kvp;
    uint8_t maxpool = p == VW_IC_PROFILE_OPENVMM ? VW_IC_KVP_POOL_AUTO_EXTERNAL : VW_IC_KVP_POOL_AUTO_INTERNAL;
    if (k->pool > maxpool)
        return fail(VW_E_BAD_VALUE, BODY(1), off); /* IC-KVP-4 */
    bool ip = k->operation >= VW_IC_KVP_OP_GET_IP_INFO;
    if (!(ip && !k->ip_binary) && k->pad)
        return fail(VW_E_RESERVED, BODY(2), off); /* IC-KVP-1 */
    if (p == VW_IC_PROFILE_OPENVMM) {
        size_t want = ip ? VW_IC_KVP_IP_MESSAGE_SIZE : VW_IC_KVP_MESSAGE_SIZE;
        if (m->header.message_size != want)
            return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-11 */
    }
    switch (k->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        return check_kvp_record(&k->value, BODY(4), p, off);
    case VW_IC_KVP_OP_ENUMERATE:
        return check_kvp_record(&k->value, BODY(8), p, off);
    case VW_IC_KVP_OP_DELETE:
        return VW_OK;
    default:
        break;
    }
    uint8_t fam = k->ip_binary ? k->ip_binary_info.address_family : k->ip_string.address_family;
    size_t famoff = k->ip_binary ? BODY(4 + 280) : BODY(2 + 256);
    if (fam > (p == VW_IC_PROFILE_OPENVMM ? 3 : 2))
        return fail(VW_E_BAD_VALUE, famoff, off); /* IC-KVP-11 */
    if (k->ip_binary && k->ip_binary_info.reserved)
        return fail(VW_E_RESERVED, BODY(4 + 282), off); /* IC-KVP-10 */
    return VW_OK;
}

static vw_status check_vss(const struct vw_ic_message *m, enum vw_ic_profile p, size_t *off)
{
    const struct vw_ic_vss *v = &m->body.vss;
    struct vw_ic_version ver = m->header.message_version;
    uint8_t op = v->operation;
    uint8_t maxop = p == VW_IC_PROFILE_OPENVMM ? VW_IC_VSS_OP_CLUSTER_INFO : VW_IC_VSS_OP_AUTO_RECOVER;
    if (op > maxop)
        return fail(VW_E_BAD_TYPE, BODY(0), off); /* IC-VSS-6 */
    uint16_t since = op == VW_IC_VSS_OP_CLUSTER_INFO ? 6 : op >= VW_IC_VSS_OP_FREEZE ? 5 : op == VW_IC_VSS_OP_BU_COMPLETE ? 4 : 0;
    if (ver.major < since)
        return fail(VW_E_BAD_TYPE, BODY(0), off); /* IC-VSS-7 */
    size_t first;
    if (!all_zero(v->reserved, 7, &first))
        return fail(VW_E_RESERVED, BODY(1 + first), off); /* IC-VSS-1 */
    switch (v->form) {
    case VW_IC_VSS_FORM_BASIC: {
        size_t want = p == VW_IC_PROFILE_OPENVMM ? VW_IC_VSS_SIZE_OPENVMM : VW_IC_VSS_SIZE_LINUX;
        if (m->header.message_size != want)
            return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-13 */
        return VW_OK;
    }
    case VW_IC_VSS_FORM_FREEZE:
    case VW_IC_VSS_FORM_FREEZE_EX:
        if (p != VW_IC_PROFILE_OPENVMM)
            return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-13 */
        if (op != VW_IC_VSS_OP_FREEZE && op != VW_IC_VSS_OP_AUTO_RECOVER)
            return fail(VW_E_BAD_TYPE, BODY(0), off); /* IC-VSS-3 */
        return VW_OK;
    default:
        if (p != VW_IC_PROFILE_OPENVMM)
            return fail(VW_E_BAD_LENGTH, VW_IC__OFF_SIZE, off); /* IC-PROF-13 */
        if (op != VW_IC_VSS_OP_CLUSTER_INFO)
            return fail(VW_E_BAD_TYPE, BODY(0), off); /* IC-VSS-4 */
        return VW_OK;
    }
}

vw_status vw_ic_message_validate_opts(const struct vw_ic_message *m, enum vw_ic_profile profile, unsigned opts,
                                      size_t *off)
{
    size_t dummy;
    if (!off)
        off = &dummy;
    if (!m || (profile != VW_IC_PROFILE_LINUX && profile != VW_IC_PROFILE_OPENVMM) || (opts & ~VW_IC_OPT_STRICT))
        return VW_E_INVALID_ARG;
    bool strict = opts & VW_IC_OPT_STRICT;
    vw_status s = check_header(m, profile, strict, off);
    if (s != VW_OK)
        return s;
    switch (m->kind) {
    case VW_IC_BODY_NEGOTIATE:
        return check_negotiate(m, off);
    case VW_IC_BODY_HEARTBEAT:
        return check_heartbeat(m, profile, strict, off);
    case VW_IC_BODY_SHUTDOWN:
        return check_shutdown(m, profile, off);
    case VW_IC_BODY_TIMESYNC:
        return check_timesync(m, profile, strict, off);
    case VW_IC_BODY_KVP:
        return check_kvp(m, profile, off);
    case VW_IC_BODY_VSS:
        return check_vss(m, profile, off);
    default:
        return VW_OK;
    }
}

vw_status vw_ic_message_validate(const struct vw_ic_message *m, enum vw_ic_profile profile, size_t *off)
{
    return vw_ic_message_validate_opts(m, profile, 0, off);
}

vw_status vw_ic_packet_validate(const struct vw_ic_packet *p, enum vw_ic_profile profile, size_t *off)
{
    return vw_ic_packet_validate_opts(p, profile, 0, off);
}

vw_status vw_ic_packet_validate_opts(const struct vw_ic_packet *p, enum vw_ic_profile profile, unsigned opts,
                                     size_t *off)
{
    size_t dummy;
    if (!off)
        off = &dummy;
    if (!p)
        return VW_E_INVALID_ARG;
    if (p->pipe.type != VW_IC_PIPE_DATA)
        return fail(VW_E_BAD_TYPE, 0, off); /* IC-PIPE-2 */
    if (p->padding.len > 7)
        return fail(VW_E_BAD_LENGTH, 4, off); /* IC-PIPE-3 */
    vw_status s = vw_ic_message_validate_opts(&p->message, profile, opts, off);
    if (s != VW_OK)
        *off += VW_IC_PIPE_HEADER_SIZE;
    return s;
}
