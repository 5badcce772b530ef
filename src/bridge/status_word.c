/* VMI bridge: status words (spec/bridge.md, BR-STAT-*): the vmi-rs example
 * convention (vw_bridge_terminal_*) and vmwire's own 64-bit layout
 * (vw_bridge_status_pack/unpack, BR-STAT-4). */
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

/* vmi-rs feat/tmpsc2 examples/windows-bridge/bridge.rs TerminalResult::encode
 * and the guest's result.h packed_status(): 24 bits, native code apart. */
uint64_t vw_bridge_terminal_encode(const struct vw_bridge_terminal *t)
{
    if (!t)
        return 0;
    return (uint64_t)t->stage | (uint64_t)t->status << 8 | (uint64_t)t->code << 16;
}

/* TerminalResult::decode: bytes 0, 1 and 2 of the word, the rest ignored;
 * TerminalStatus(n) keeps any byte. */
vw_status vw_bridge_terminal_decode(uint64_t value1, uint64_t value2, struct vw_bridge_terminal *t)
{
    if (!t)
        return VW_E_INVALID_ARG;
    t->stage = (uint8_t)value1;
    t->status = (uint8_t)(value1 >> 8);
    t->code = (uint8_t)(value1 >> 16);
    t->native = value2;
    return VW_OK;
}
