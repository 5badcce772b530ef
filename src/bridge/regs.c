/* VMI bridge: packets out of registers, responses back into them
 * (spec/bridge.md, BR-MODE-*, BR-REG-*, BR-RESP-*). */
#include <string.h>

#include "vmwire/bridge.h"
#include "bridge/internal.h"

#define LOW32(x) ((uint64_t)(uint32_t)(x))

/* request = bits 0..15, method = bits 16..31; bits 32..63 ignored (BR-PKT-2). */
static void split_request(uint64_t reg, struct vw_bridge_packet *p)
{
    p->request = (uint16_t)reg;
    p->method = (uint16_t)(reg >> 16);
}

vw_status vw_bridge_read_packet(const struct vw_bridge_regs *regs, enum vw_bridge_trigger trigger,
                                struct vw_bridge_packet *packet)
{
    if (!packet)
        return VW_E_INVALID_ARG;
    memset(packet, 0, sizeof *packet);
    if (!regs || (trigger != VW_BRIDGE_VMCALL && trigger != VW_BRIDGE_CPUID))
        return VW_E_INVALID_ARG;

    struct vw_bridge_packet p = { 0 };
    if (regs->mode == VW_BRIDGE_MODE_64) {
        if (trigger == VW_BRIDGE_VMCALL) { /* BR-REG-1 */
            p.magic = (uint32_t)regs->rcx;
            split_request(regs->rdx, &p);
        } else { /* BR-REG-3 */
            p.magic = (uint32_t)regs->rax;
            split_request(regs->rcx, &p);
        }
        p.values[0] = regs->r8;
        p.values[1] = regs->r9;
        p.values[2] = regs->r10;
        p.values[3] = regs->r11;
    } else if (regs->mode == VW_BRIDGE_MODE_32) {
        if (trigger == VW_BRIDGE_VMCALL) { /* BR-REG-2 */
            p.magic = (uint32_t)regs->rbp;
            split_request(regs->rdx, &p);
            p.values[0] = LOW32(regs->rsi);
            p.values[1] = LOW32(regs->rdi);
            /* value3 and value4 have no register: 0 */
        } else { /* BR-REG-4 */
            p.magic = (uint32_t)regs->rax;
            split_request(regs->rcx, &p);
            p.values[0] = LOW32(regs->rbx);
            p.values[1] = LOW32(regs->rdx);
            p.values[2] = LOW32(regs->rsi);
            p.values[3] = LOW32(regs->rdi);
        }
    } else {
        return VW_E_BAD_MODE; /* BR-MODE-2 */
    }
    *packet = p;
    return VW_OK;
}

vw_status vw_bridge_write_response(struct vw_bridge_regs *regs, const struct vw_bridge_response *response,
                                   unsigned insn_len)
{
    if (!regs || insn_len > VW_BRIDGE_MAX_INSN_LEN)
        return VW_E_INVALID_ARG;
    vw_bridge__apply(regs, response, insn_len);
    return VW_OK;
}

/* vmi-rs Amd64 effective_address_width(): paging_mode() is None when CR0.PG
 * is 0 (width 0); IA-32e paging with CS.L = 0 is 4, with CS.L = 1 is 8;
 * legacy and PAE paging are 4 whatever CS says. CS.D and EFLAGS.VM are not
 * read (BR-MODE-3). */
enum vw_bridge_mode vw_bridge_mode_of(const struct vw_bridge_cpu_mode *cpu)
{
    if (!cpu || !cpu->paging)
        return VW_BRIDGE_MODE_OTHER;
    return cpu->ia32e && cpu->cs_l ? VW_BRIDGE_MODE_64 : VW_BRIDGE_MODE_32;
}
