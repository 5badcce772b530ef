/* A complete IC guest loop written against the engine contract
 * (doc/CONVENTIONS.md, "The engine contract"), and the template for driving
 * any vmwire engine: caller-owned context, feed, output, state.
 *
 * The guest answers OpenVMM's shutdown service. Its peer here is vmwire's
 * own host engine in the same process, so the example needs no VMBus: the
 * "channel" is a buffer each side's output is copied into and the other
 * side's feed reads. The host negotiates, sends one shutdown request, and
 * the guest reports it to the application; the program exits 0 once the
 * host has read the guest's reply (printed as TAP, for make check).
 *
 * The guest side is the loop of the contract, unchanged:
 *   FAILED -> stop; HAVE_OUTPUT -> output and send; WAIT_APP -> the
 *   application answers (vw_ic_guest_complete); WANT_INPUT -> receive, feed.
 * The same loop, with other verbs for WAIT_APP, drives the IC host, the
 * crosvm engines, the splitter and the serial deframer. */
#include <stdio.h>
#include <string.h>

#include "vmwire/ic.h"

/* One direction of the in-process channel: at most one packet in flight. */
struct pipe {
    uint8_t buf[VW_IC_MAX_PACKET];
    size_t len;
};

/* Move what an engine has to say into the channel (rule 5: ask the size with
 * output(NULL, 0), then copy exactly). */
static int take_guest(struct vw_ic_guest *g, struct pipe *to)
{
    size_t n = 0;
    if (vw_ic_guest_output(g, NULL, 0, &n) != VW_E_NOSPACE || n > sizeof to->buf)
        return -1;
    return vw_ic_guest_output(g, to->buf, sizeof to->buf, &to->len) == VW_OK ? 0 : -1;
}

static int take_host(struct vw_ic_host *h, struct pipe *to)
{
    size_t n = 0;
    if (vw_ic_host_output(h, NULL, 0, &n) != VW_E_NOSPACE || n > sizeof to->buf)
        return -1;
    return vw_ic_host_output(h, to->buf, sizeof to->buf, &to->len) == VW_OK ? 0 : -1;
}

/* One turn of the guest's loop; returns 1 if it did something. */
static int guest_turn(struct vw_ic_guest *g, struct pipe *in, struct pipe *out, int *shutdowns)
{
    unsigned st = vw_ic_guest_state(g);
    if (st & VW_ENGINE_FAILED)
        return -1;
    if (st & VW_ENGINE_HAVE_OUTPUT)
        return take_guest(g, out) == 0 ? 1 : -1;
    if (st & VW_ENGINE_WAIT_APP) {
        /* KVP and VSS requests wait here for the application's answer. */
        struct vw_ic_guest_answer ok = { VW_IC_S_OK, NULL, NULL };
        return vw_ic_guest_complete(g, &ok) == VW_OK ? 1 : -1;
    }
    if ((st & VW_ENGINE_WANT_INPUT) && in->len) {
        struct vw_ic_guest_event ev;
        size_t used = 0;
        vw_status s = vw_ic_guest_feed(g, in->buf, in->len, &ev, &used);
        in->len = 0; /* a datagram engine reads the packet whole (rule 3) */
        if (s != VW_OK) {
            fprintf(stderr, "guest: %s at offset %zu\n", vw_status_name(s), vw_ic_guest_error_offset(g));
            return -1;
        }
        if (ev.kind == VW_IC_GUEST_EV_NEGOTIATED)
            printf("# guest: negotiated framework %u.%u, message %u.%u\n", ev.framework.major, ev.framework.minor,
                   ev.message.major, ev.message.minor);
        if (ev.kind == VW_IC_GUEST_EV_SHUTDOWN) {
            printf("# guest: shutdown requested (action %d, force %d)\n", (int)ev.action, (int)ev.force);
            ++*shutdowns;
        }
        return 1;
    }
    return 0; /* nothing to do until the peer speaks */
}

int main(void)
{
    static struct vw_ic_guest g;
    static struct vw_ic_host h;
    static struct pipe to_guest, to_host;
    struct vw_ic_guest_config gc;
    struct vw_ic_host_config hc;
    memset(&gc, 0, sizeof gc);
    memset(&hc, 0, sizeof hc);
    gc.profile = VW_IC_PROFILE_OPENVMM;
    gc.service = VW_IC_MSG_SHUTDOWN;
    hc.service = VW_IC_MSG_SHUTDOWN;
    if (vw_ic_guest_init(&g, &gc) != VW_OK || vw_ic_host_init(&h, &hc) != VW_OK) {
        fprintf(stderr, "init failed\n");
        return 1;
    }
    printf("1..1\n"); /* TAP, so that make check runs the example as a test */
    uint64_t now = 0;
    int shutdowns = 0, sent = 0, replies = 0;
    if (vw_ic_host_start(&h, now) != VW_OK)
        return 1;
    for (int turn = 0; turn < 64 && replies == 0; turn++) {
        /* the host side: the same contract, with start/send as its WAIT_APP verbs */
        unsigned hs = vw_ic_host_state(&h);
        if (hs & VW_ENGINE_FAILED)
            break;
        if ((hs & VW_ENGINE_HAVE_OUTPUT) && !to_guest.len && take_host(&h, &to_guest))
            break;
        if ((vw_ic_host_state(&h) & VW_ENGINE_WAIT_APP) && !sent) {
            struct vw_ic_message req;
            memset(&req, 0, sizeof req);
            req.kind = VW_IC_BODY_SHUTDOWN;
            req.body.shutdown.reason_code = 0;
            req.body.shutdown.flags = 0; /* shut down, not forced */
            if (vw_ic_host_send(&h, &req, now) != VW_OK)
                break;
            sent = 1;
        }
        if ((vw_ic_host_state(&h) & VW_ENGINE_WANT_INPUT) && to_host.len) {
            struct vw_ic_host_event ev;
            size_t used = 0;
            vw_status s = vw_ic_host_feed(&h, to_host.buf, to_host.len, now, &ev, &used);
            to_host.len = 0;
            if (s != VW_OK) {
                fprintf(stderr, "host: %s\n", vw_status_name(s));
                break;
            }
            if (ev.kind == VW_IC_HOST_EV_REPLY) {
                printf("# host: reply with status 0x%08x\n", (unsigned)ev.status);
                replies++;
            }
        }
        /* the guest side: the contract's loop */
        if (guest_turn(&g, &to_guest, &to_host, &shutdowns) < 0)
            break;
        now += 1000000;
    }
    if (shutdowns != 1 || replies != 1) {
        printf("not ok 1 - ic_guest_loop: expected one shutdown and one reply, got %d and %d\n", shutdowns, replies);
        return 1;
    }
    printf("ok 1 - ic_guest_loop: the guest answered a shutdown through feed, output and state\n");
    return 0;
}
