/* Decode a Hyper-V heartbeat request and apply the linux profile's rules. */
#include <inttypes.h>
#include <stdio.h>

#include <vmwire/vmwire.h>

int main(void)
{
    /* IC header (framework 3.0, type 1 heartbeat, message 3.0, 40-byte body,
     * status 0, transaction 0, flags TRANSACTION|REQUEST), then the body:
     * sequence number 41 and 32 reserved bytes (the linux 40-byte form). */
    uint8_t msg[60] = { 3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 3, 0, 0, 41 };
    struct vw_ic_message m;
    size_t off;
    vw_status st = vw_ic_message_decode(msg, sizeof msg, &m, &off);
    if (st != VW_OK) {
        printf("decode: %s at offset %zu\n", vw_status_name(st), off);
        return 1;
    }
    st = vw_ic_message_validate(&m, VW_IC_PROFILE_LINUX, &off);
    if (st != VW_OK) {
        printf("validate: %s at offset %zu\n", vw_status_name(st), off);
        return 1;
    }
    if (m.kind != VW_IC_BODY_HEARTBEAT)
        return 1;
    printf("heartbeat %u.%u, sequence %" PRIu64 "\n", m.header.message_version.major,
           m.header.message_version.minor, m.body.heartbeat.sequence_number);
    return 0;
}
