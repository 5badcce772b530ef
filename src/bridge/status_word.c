/* VMI bridge: the packed status word convention (spec/bridge.md, BR-STAT-*). */
#include <string.h>

#include "vmwire/bridge.h"

uint64_t vw_bridge_status_pack(const struct vw_bridge_status_word *w)
{
    if (!w)
        return 0;
    return (uint64_t)w->stage | (uint64_t)w->kind << 8 | (uint64_t)w->error << 16 | (uint64_t)w->native << 32;
}

static int kind_is_named(uint8_t kind)
{
    switch (kind) {
    case VW_BRIDGE_KIND_SUCCESS:
    case VW_BRIDGE_KIND_WAITING:
    case VW_BRIDGE_KIND_INVALID_PARAMS:
    case VW_BRIDGE_KIND_OP_FAILED:
    case VW_BRIDGE_KIND_ABORTED:
        return 1;
    default:
        return 0;
    }
}

vw_status vw_bridge_status_unpack(uint64_t word, struct vw_bridge_status_word *w)
{
    if (!w)
        return VW_E_INVALID_ARG;
    memset(w, 0, sizeof *w);
    if ((word >> 24) & 0xff)
        return VW_E_RESERVED;
    uint8_t kind = (uint8_t)(word >> 8);
    if (!kind_is_named(kind))
        return VW_E_BAD_ENUM;
    w->stage = (uint8_t)word;
    w->kind = kind;
    w->error = (uint8_t)(word >> 16);
    w->native = (uint32_t)(word >> 32);
    return VW_OK;
}
