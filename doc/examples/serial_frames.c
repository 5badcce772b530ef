/* Split a serial byte stream into frames and decode each GuestMessage. */
#include <stdio.h>

#include <vmwire/vmwire.h>

int main(void)
{
    /* two frames: a GuestMessage { init { stage: "boot" } } and an empty one */
    static const uint8_t stream[] = { 0x08, 0x00, 0x12, 0x06, 0x0a, 0x04, 'b', 'o', 'o', 't', 0x00, 0x00 };
    struct vw_serial_deframer d;
    if (vw_serial_deframer_init(&d, NULL) != VW_OK) /* defaults: limit 600, resync */
        return 1;
    const uint8_t *p = stream;
    size_t left = sizeof stream, frames = 0;
    for (;;) {
        struct vw_serial_event ev;
        size_t used;
        vw_serial_deframer_feed(&d, p, left, &ev, &used);
        p += used;
        left -= used;
        if (ev.kind == VW_SERIAL_EV_NONE)
            break; /* everything consumed, waiting for more bytes */
        if (ev.kind == VW_SERIAL_EV_ERROR) {
            printf("bad frame: %s\n", vw_status_name(ev.error));
            continue;
        }
        static uint8_t mem[8192];
        struct vw_arena arena;
        vw_arena_init(&arena, mem, sizeof mem);
        ProtobufCMessage *m;
        size_t off;
        vw_status st = vw_serial_decode(VW_SERIAL_GUEST_MESSAGE, ev.payload, ev.len, &arena, &m, &off);
        printf("frame %zu: %zu bytes, %s\n", ++frames, ev.len, vw_status_name(st));
    }
    return frames == 2 ? 0 : 1;
}
