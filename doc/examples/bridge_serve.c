/* Serve one VMI bridge request: a handler table with one handler, a trapped
 * VMCALL in 64-bit mode, the answer written back into the registers. */
#include <inttypes.h>
#include <stdio.h>

#include <vmwire/vmwire.h>

/* Answers every method of its request with value1 + 1 in slot 1 (RAX). */
static vw_status add_one(void *user, const struct vw_bridge_packet *pk, struct vw_bridge_response *r)
{
    (void)user;
    r->values[0] = pk->values[0] + 1;
    r->present = VW_BRIDGE_SLOT(1);
    return VW_OK;
}

int main(void)
{
    static const struct vw_bridge_handler handlers[] = {
        { .has_magic = true, .magic = 0x42494d56, .request = 7, .handle = add_one },
    };
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(1)];
    struct vw_bridge_table table;
    if (vw_bridge_table_init(&table, handlers, 1, idx, VW_BRIDGE_INDEX_CAP(1), NULL) != VW_OK)
        return 1;

    /* what the guest put in its registers: magic in RCX, request 7 and
     * method 0 in RDX, value1 in R8 (spec/bridge.md, the VMCALL map) */
    struct vw_bridge_regs regs = { .rcx = 0x42494d56, .rdx = 7, .r8 = 41, .rip = 0x1000,
                                   .mode = VW_BRIDGE_MODE_64 };
    struct vw_bridge_packet pk;
    if (vw_bridge_read_packet(&regs, VW_BRIDGE_VMCALL, &pk) != VW_OK)
        return 1;
    struct vw_bridge_response resp;
    vw_status st = vw_bridge_serve(&table, &regs, VW_BRIDGE_VMCALL, VW_BRIDGE_VMCALL_LEN, &resp, NULL);
    printf("request %" PRIu16 ", value1 %" PRIu64 ": %s, rax %" PRIu64 ", rip 0x%" PRIx64 "\n", pk.request,
           pk.values[0], vw_status_name(st), regs.rax, regs.rip);
    return st == VW_OK ? 0 : 1;
}
