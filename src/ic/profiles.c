/* IC profiles: the version lists of each reference implementation and the
 * names of the profiles (spec/ic.md, IC-PROF-*, IC-NEG-8, IC-NEG-9). The
 * one source of IC version tables: what each end offers (below, in its
 * order) and what a profile's messages may carry (vw_ic__known_versions,
 * the same tables read as sets); tests/test_ic_wire.c checks that every
 * offered version is known. */
#include <string.h>

#include "ic/internal.h"

#define V(a, b) { a, b }

/* Linux guest preference lists, most preferred first (hv_util.c, hv_kvp.c, hv_snapshot.c). */
static const struct vw_ic_version lx_fw[] = { V(3, 0), V(1, 0) };
static const struct vw_ic_version lx_fw_vss[] = { V(3, 0) };
static const struct vw_ic_version lx_hb[] = { V(3, 0), V(1, 0) };
static const struct vw_ic_version lx_kvp[] = { V(4, 0), V(3, 0), V(1, 0) };
static const struct vw_ic_version lx_sd[] = { V(3, 2), V(3, 1), V(3, 0), V(1, 0) };
static const struct vw_ic_version lx_ts[] = { V(4, 0), V(3, 0), V(1, 0) };
static const struct vw_ic_version lx_vss[] = { V(5, 0) };
/* hv_fcopy_uio_daemon.c: fw_versions [3.0], fcopy_versions [1.1]. */
static const struct vw_ic_version lx_fcopy[] = { V(1, 1) };

/* OpenVMM: host offers in the order sent (ascending), guest accepts. */
static const struct vw_ic_version ov_fw[] = { V(1, 0), V(3, 0) };
static const struct vw_ic_version ov_sd[] = { V(1, 0), V(3, 0), V(3, 1), V(3, 2) };
static const struct vw_ic_version ov_ts[] = { V(4, 0) };
static const struct vw_ic_version ov_kvp[] = { V(3, 0), V(4, 0), V(5, 0) };
/* OpenVMM's VSS message versions (known to its messages, offered by no end here). */
static const struct vw_ic_version ov_vss[] = { V(4, 0), V(5, 0), V(6, 0), V(7, 0) };

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *vw_ic_profile_name(enum vw_ic_profile p)
{
    switch (p) {
    case VW_IC_PROFILE_LINUX:
        return "linux";
    case VW_IC_PROFILE_OPENVMM:
        return "openvmm";
    }
    return "unknown";
}

vw_status vw_ic_profile_from_name(const char *name, enum vw_ic_profile *out)
{
    if (!name || !out)
        return VW_E_INVALID_ARG;
    if (!strcmp(name, "linux"))
        *out = VW_IC_PROFILE_LINUX;
    else if (!strcmp(name, "openvmm"))
        *out = VW_IC_PROFILE_OPENVMM;
    else
        return VW_E_INVALID_ARG;
    return VW_OK;
}

vw_status vw_ic_profile_versions(enum vw_ic_profile profile, bool host, uint16_t service,
                                 const struct vw_ic_version **framework, size_t *nframework,
                                 const struct vw_ic_version **message, size_t *nmessage)
{
    if (!framework || !nframework || !message || !nmessage)
        return VW_E_INVALID_ARG;
    if (service == VW_IC_MSG_FCOPY) {
        if (profile != VW_IC_PROFILE_LINUX && profile != VW_IC_PROFILE_OPENVMM)
            return VW_E_INVALID_ARG;
        if (profile != VW_IC_PROFILE_LINUX || host)
            return VW_E_UNSUPPORTED; /* IC-FCOPY-1: only the Linux guest daemon */
        *framework = lx_fw_vss, *nframework = N(lx_fw_vss);
        *message = lx_fcopy, *nmessage = N(lx_fcopy);
        return VW_OK;
    }
    if (!vw_ic__is_service(service))
        return VW_E_INVALID_ARG;
    const struct vw_ic_version *f = NULL, *m = NULL;
    size_t nf = 0, nm = 0;
    if (profile == VW_IC_PROFILE_LINUX && !host) {
        f = lx_fw, nf = N(lx_fw);
        switch (service) {
        case VW_IC_MSG_HEARTBEAT: m = lx_hb, nm = N(lx_hb); break;
        case VW_IC_MSG_KVP: m = lx_kvp, nm = N(lx_kvp); break;
        case VW_IC_MSG_SHUTDOWN: m = lx_sd, nm = N(lx_sd); break;
        case VW_IC_MSG_TIMESYNC: m = lx_ts, nm = N(lx_ts); break;
        default: f = lx_fw_vss, nf = N(lx_fw_vss), m = lx_vss, nm = N(lx_vss); break;
        }
    } else if (profile == VW_IC_PROFILE_OPENVMM) {
        f = ov_fw, nf = N(ov_fw);
        if (service == VW_IC_MSG_SHUTDOWN)
            m = ov_sd, nm = N(ov_sd);
        else if (host && service == VW_IC_MSG_TIMESYNC)
            m = ov_ts, nm = N(ov_ts);
        else if (host && service == VW_IC_MSG_KVP)
            m = ov_kvp, nm = N(ov_kvp);
        else
            return VW_E_UNSUPPORTED;
    } else if (profile == VW_IC_PROFILE_LINUX) {
        return VW_E_UNSUPPORTED; /* Linux has no host side */
    } else {
        return VW_E_INVALID_ARG;
    }
    *framework = f;
    *nframework = nf;
    *message = m;
    *nmessage = nm;
    return VW_OK;
}

void vw_ic__framework_versions(const struct vw_ic_version **l, size_t *n)
{
    *l = ov_fw; /* OpenVMM's list; Linux offers the same two (lx_fw), in the other order */
    *n = N(ov_fw);
}

void vw_ic__known_versions(enum vw_ic_profile p, uint16_t service, const struct vw_ic_version **l, size_t *n)
{
    bool ov = p == VW_IC_PROFILE_OPENVMM;
    switch (service) {
    case VW_IC_MSG_HEARTBEAT: *l = lx_hb, *n = N(lx_hb); break;
    case VW_IC_MSG_SHUTDOWN: *l = lx_sd, *n = N(lx_sd); break; /* the same four as ov_sd */
    case VW_IC_MSG_TIMESYNC: *l = lx_ts, *n = N(lx_ts); break;
    case VW_IC_MSG_KVP:
        if (ov)
            *l = ov_kvp, *n = N(ov_kvp);
        else
            *l = lx_kvp, *n = N(lx_kvp);
        break;
    default:
        if (ov)
            *l = ov_vss, *n = N(ov_vss);
        else
            *l = lx_vss, *n = N(lx_vss);
        break;
    }
}

size_t vw_ic__linux_recv_limit(uint16_t service)
{
    switch (service) {
    case VW_IC_MSG_KVP:
        return 16384;
    case VW_IC_MSG_VSS:
        return 8192;
    default:
        return 4096;
    }
}
