/* VMI bridge: internals shared by regs.c and dispatch.c. */
#ifndef VW_BRIDGE_INTERNAL_H
#define VW_BRIDGE_INTERNAL_H

#include "vmwire/bridge.h"

/* Stamp the present response slots into RAX, RBX, RCX, RDX (BR-RESP-1,
 * BR-RESP-2; @p r NULL writes none) and step RIP by @p insn_len (BR-RESP-4,
 * unsigned, so modulo 2^64). Arguments are already checked. */
static inline void vw_bridge__apply(struct vw_bridge_regs *regs, const struct vw_bridge_response *r,
                                    unsigned insn_len)
{
    if (r) {
        unsigned p = r->present;
        regs->rax = p & 1u ? r->values[0] : regs->rax;
        regs->rbx = p & 2u ? r->values[1] : regs->rbx;
        regs->rcx = p & 4u ? r->values[2] : regs->rcx;
        regs->rdx = p & 8u ? r->values[3] : regs->rdx;
    }
    regs->rip += insn_len;
}

#endif /* VW_BRIDGE_INTERNAL_H */
