/* Internal to src/ic: helpers shared between the IC wire, rules and engines. */
#ifndef VW_IC_INTERNAL_H
#define VW_IC_INTERNAL_H

#include "vmwire/ic.h"

/* Field offsets inside the 20-byte IC header. */
#define VW_IC__OFF_FW 0u
#define VW_IC__OFF_TYPE 4u
#define VW_IC__OFF_MSGVER 6u
#define VW_IC__OFF_SIZE 10u
#define VW_IC__OFF_STATUS 12u
#define VW_IC__OFF_TID 16u
#define VW_IC__OFF_FLAGS 17u
#define VW_IC__OFF_RESERVED 18u

/* Offsets inside a KVP value record and the IP records (relative to the record). */
#define VW_IC__KVP_REC_KEY 12u
#define VW_IC__KVP_REC_VALUE 524u

/* Linux receive buffer sizes per service (IC-PROF-12). */
size_t vw_ic__linux_recv_limit(uint16_t service);

/* The framework versions an IC header may carry (IC-HDR-7; OpenVMM's offer
 * order, profiles.c). */
void vw_ic__framework_versions(const struct vw_ic_version **l, size_t *n);

/* The message versions profile p knows for a service (IC-HDR-7, IC-PROF-3):
 * the profile's own tables (profiles.c) read as a set. */
void vw_ic__known_versions(enum vw_ic_profile p, uint16_t service, const struct vw_ic_version **l, size_t *n);

/* True when a message type is one of the five services (1..5). */
static inline int vw_ic__is_service(uint16_t t)
{
    return t >= VW_IC_MSG_HEARTBEAT && t <= VW_IC_MSG_VSS;
}

#endif /* VW_IC_INTERNAL_H */
