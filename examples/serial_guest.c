/* Serial guest protocol demo, guest side.
 *
 * Plays the part of a bare-metal guest: standard input is its COM1 receive
 * line, standard output its COM1 transmit line. It reads the VmmConfig frame
 * the VMM sends at start (or uses the defaults when none comes), then reports
 * a pretend copy of the input disk to the output disk with the heapless
 * builders of <vmwire/serial_guest.h>, writing every frame byte by byte as a
 * guest does with `out` instructions. With --garbage it first writes three
 * stray bytes, which the VMM must skip (byte-wise resynchronisation).
 *
 * Only serial_guest.h is used for the protocol: this part would build
 * freestanding; the POSIX read/write calls stand in for the port I/O. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmwire/serial_guest.h"

/* COM1 "out": one byte at a time */
static int port_out(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (write(STDOUT_FILENO, p + i, 1) != 1)
            return -1;
    return 0;
}

/* COM1 "in": busy-read exactly n bytes; -1 at end of input */
static int port_in(uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(STDIN_FILENO, p + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int send_frame(const struct vw_serial_guest_message *m)
{
    uint8_t frame[VW_SERIAL_MAX_FRAME];
    size_t n;
    if (vw_serial_guest_message_encode_framed(m, frame, sizeof frame, &n) != VW_OK)
        return -1;
    return port_out(frame, n);
}

int main(int argc, char **argv)
{
    int garbage = argc > 1 && !strcmp(argv[1], "--garbage");
    /* defaults when the VMM sends nothing (SER-GUEST-4) */
    uint32_t in_sector = 512, out_sector = 512, progress = 10;
    int has_output = 0;

    uint8_t hdr[2], payload[VW_SERIAL_MAX_MESSAGE];
    if (port_in(hdr, 2) == 0) {
        size_t len = (size_t)hdr[0] | (size_t)hdr[1] << 8, off;
        struct vw_serial_vmm_config cfg;
        if (len > VW_SERIAL_MAX_MESSAGE || port_in(payload, len) != 0 ||
            vw_serial_vmm_config_decode(payload, len, &cfg, &off) != VW_OK) {
            fprintf(stderr, "guest: bad configuration frame\n");
            return 1;
        }
        vw_serial_vmm_config_device(&cfg, "input", &in_sector);
        has_output = vw_serial_vmm_config_device(&cfg, "output", &out_sector);
        if (cfg.progress_percent >= 1 && cfg.progress_percent <= 100)
            progress = cfg.progress_percent;
    }

    struct vw_serial_guest_message m;
    const uint64_t sectors = 64;
    int bad = 0;
    if (garbage) {
        static const uint8_t junk[] = { 0xff, 0xff, 0xff };
        bad |= port_out(junk, sizeof junk);
    }
    bad |= vw_serial_build_init(&m, "probe", "input", 0xd0000000u) != VW_OK || send_frame(&m);
    bad |= vw_serial_build_init(&m, "features", "input", 0x130000000ull) != VW_OK || send_frame(&m);
    bad |= vw_serial_build_capacity(&m, "input", sectors, sectors * in_sector) != VW_OK || send_frame(&m);
    if (has_output) {
        bad |= vw_serial_build_init(&m, "probe", "output", 0xd0001000u) != VW_OK || send_frame(&m);
        bad |= vw_serial_build_capacity(&m, "output", sectors, sectors * out_sector) != VW_OK ||
               send_frame(&m);
    }
    /* a name longer than 32 bytes is cut by the builder, never refused */
    bad |= vw_serial_build_error(&m, "read-with-a-rather-long-operation-name", "input", 7, 1) !=
               VW_OK ||
           send_frame(&m);
    uint32_t next = progress;
    for (uint64_t s = 1; s <= sectors; s++) {
        uint32_t pct = (uint32_t)(s * 100 / sectors);
        if (progress < 100 && pct >= next) {
            bad |= vw_serial_build_progress(&m, "copy", s, sectors, pct) != VW_OK || send_frame(&m);
            next += progress;
        }
    }
    struct vw_serial_info_args info = { "raw", 0, sectors * in_sector, sectors * in_sector,
                                        0, 0, NULL, NULL };
    bad |= vw_serial_build_info_result(&m, &info) != VW_OK || send_frame(&m);
    bad |= vw_serial_build_complete(&m, "copy", sectors, has_output) != VW_OK || send_frame(&m);
    /* a real guest executes HLT here; the VMM sees the end of the stream */
    return bad ? 1 : 0;
}
