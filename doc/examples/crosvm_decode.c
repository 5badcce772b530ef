/* Decode a crosvm plugin vCPU request (final schema) in caller memory and
 * check the protocol's stateless rules. */
#include <stdio.h>

#include <vmwire/vmwire.h>

int main(void)
{
    static const uint8_t wire[] = { 0x0a, 0x00 }; /* VcpuRequest { wait {} } */
    static uint8_t mem[4096];                     /* the arena: no malloc */
    struct vw_arena arena;
    vw_arena_init(&arena, mem, sizeof mem);
    ProtobufCMessage *msg;
    size_t off;
    vw_status st = vw_crosvm_decode(VW_CROSVM_FINAL, VW_CROSVM_VCPU_REQUEST, wire, sizeof wire, &arena, &msg, &off);
    if (st != VW_OK) {
        printf("decode: %s at offset %zu\n", vw_status_name(st), off);
        return 1;
    }
    st = vw_crosvm_validate(VW_CROSVM_FINAL, VW_CROSVM_VCPU_REQUEST, msg, sizeof wire);
    printf("%s: %s\n", msg->descriptor->name, vw_status_name(st));
    return st == VW_OK ? 0 : 1;
}
