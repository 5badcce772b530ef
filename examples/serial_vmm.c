/* Serial guest protocol demo, VMM side.
 *
 * Starts the guest program given on the command line with two pipes as its
 * COM1 lines, sends it a VmmConfig frame, then reads whatever the guest
 * writes in whatever pieces read() returns, feeds them to a streaming
 * deframer (vmwire's resynchronising policy, every frame checked as a
 * GuestMessage; the reference VMM checks every frame too, but resyncs lazily
 * and without a limit: VW_SERIAL_POLICY_REFERENCE) and prints each decoded
 * message. At the end of
 * the stream (the guest "halted") it prints the deframer's counters.
 *
 *   serial_vmm [--progress N] [--no-output] GUEST [GUEST ARGS...]
 *
 * Exit status: 0 when the guest reported a successful completion. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serial/guest.pb-c.h"
#include "vmwire/serial.h"

static _Alignas(16) unsigned char arena_mem[16384];

static const char *level_name(int level)
{
    static const char *const names[] = { "DEBUG", "INFO", "PROGRESS", "ERROR", "COMPLETE" };
    return level >= 0 && level <= 4 ? names[level] : "?";
}

/* Print one GuestMessage; returns 1 for a successful completion. */
static int show(const uint8_t *payload, size_t len)
{
    struct vw_arena a;
    vw_arena_init(&a, arena_mem, sizeof arena_mem);
    ProtobufCMessage *msg;
    size_t off;
    vw_status st = vw_serial_decode(VW_SERIAL_GUEST_MESSAGE, payload, len, &a, &msg, &off);
    if (st != VW_OK) {
        printf("undecodable frame: %s at %zu\n", vw_status_name(st), off);
        return 0;
    }
    const Vmwire__Serial__GuestMessage *g = (const Vmwire__Serial__GuestMessage *)msg;
    printf("%s ", level_name((int)g->level));
    switch (g->payload_case) {
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INIT:
        printf("init stage=%s device=%s address=0x%" PRIx64 "\n", g->init->stage, g->init->device,
               g->init->address);
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_CAPACITY:
        printf("capacity device=%s sectors=%" PRIu64 " bytes=%" PRIu64 "\n", g->capacity->device,
               g->capacity->sectors, g->capacity->bytes);
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_PROGRESS:
        printf("progress operation=%s %" PRIu64 "/%" PRIu64 " %u%%\n", g->progress->operation,
               g->progress->current, g->progress->total, g->progress->percent);
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_ERROR:
        printf("error operation=%s device=%s sector=%" PRIu64 " status=%u\n", g->error->operation,
               g->error->device, g->error->sector, g->error->status);
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_COMPLETE:
        printf("complete operation=%s count=%" PRIu64 " success=%s\n", g->complete->operation,
               g->complete->count, g->complete->success ? "true" : "false");
        return g->complete->success;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INFO_RESULT:
        printf("info format=%s virtual_size=%" PRIu64 "\n", g->info_result->format,
               g->info_result->virtual_size);
        break;
    default:
        printf("no payload\n");
        break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t progress = 25;
    int with_output = 1, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--progress") && i + 1 < argc)
            progress = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--no-output"))
            with_output = 0;
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: serial_vmm [--progress N] [--no-output] GUEST [ARGS...]\n");
        return 2;
    }

    int to_guest[2], from_guest[2];
    if (pipe(to_guest) || pipe(from_guest)) {
        perror("pipe");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        dup2(to_guest[0], STDIN_FILENO);
        dup2(from_guest[1], STDOUT_FILENO);
        close(to_guest[0]);
        close(to_guest[1]);
        close(from_guest[0]);
        close(from_guest[1]);
        execv(argv[i], argv + i);
        perror("exec");
        _exit(127);
    }
    close(to_guest[0]);
    close(from_guest[1]);

    /* the configuration, queued before the guest runs */
    struct vw_serial_vmm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_devices = with_output ? 2 : 1;
    cfg.devices[0].name.len = 5;
    memcpy(cfg.devices[0].name.data, "input", 5);
    cfg.devices[0].sector_size = 512;
    cfg.devices[1].name.len = 6;
    memcpy(cfg.devices[1].name.data, "output", 6);
    cfg.devices[1].sector_size = 4096;
    cfg.progress_percent = progress;
    uint8_t payload[VW_SERIAL_MAX_MESSAGE], frame[VW_SERIAL_MAX_FRAME];
    size_t plen, flen;
    if (vw_serial_vmm_config_encode(&cfg, payload, sizeof payload, &plen) != VW_OK ||
        vw_serial_frame_encode(payload, plen, 0, frame, sizeof frame, &flen) != VW_OK ||
        write(to_guest[1], frame, flen) != (ssize_t)flen) {
        fprintf(stderr, "vmm: cannot send the configuration\n");
        return 2;
    }
    close(to_guest[1]);

    struct vw_serial_deframer_config dc;
    memset(&dc, 0, sizeof dc);
    dc.policy = VW_SERIAL_POLICY_RESYNC;
    dc.check = vw_serial_check_guest_message;
    struct vw_serial_deframer d;
    vw_serial_deframer_init(&d, &dc);
    int success = 0;
    uint8_t buf[97]; /* an odd size: frames straddle reads */
    ssize_t r;
    while ((r = read(from_guest[0], buf, sizeof buf)) > 0) {
        const uint8_t *p = buf;
        size_t left = (size_t)r;
        struct vw_serial_event ev;
        while (left > 0) {
            size_t used;
            vw_serial_deframer_feed(&d, p, left, &ev, &used);
            p += used;
            left -= used;
            if (ev.kind == VW_SERIAL_EV_FRAME)
                success |= show(ev.payload, ev.len);
            else if (ev.kind == VW_SERIAL_EV_ERROR)
                printf("bad frame: %s, %zu byte(s) skipped\n", vw_status_name(ev.error),
                       ev.skipped);
        }
    }
    close(from_guest[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    printf("frames %" PRIu64 " rejected %" PRIu64 " skipped %" PRIu64 " pending %zu guest-exit %d\n",
           vw_serial_deframer_frames(&d), vw_serial_deframer_rejected(&d),
           vw_serial_deframer_skipped(&d), vw_serial_deframer_pending(&d),
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return success && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
