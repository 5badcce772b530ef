/* A crosvm plugin main-channel loop written against the engine contract
 * (doc/CONVENTIONS.md, "The engine contract"), the second template next to
 * examples/ic_guest_loop.c.
 *
 * The plugin end and vmwire's host end (the final revision) run in one
 * process; the "socket" is a buffer. The plugin asks for its vCPU pipes
 * (MainRequest.get_vcpus) and then starts the VM (MainRequest.start); the
 * host engine answers both itself. Both ends are driven by one loop each:
 *   FAILED -> stop; HAVE_OUTPUT -> output and send; WAIT_APP -> the
 *   application acts (the plugin: send its next request; the host: send an
 *   answer with data); WANT_INPUT -> receive, feed.
 * The request bytes are written by hand from plugin.proto (crosvm_plugin's
 * MainRequest: get_vcpus is field 17, start field 18, both empty messages;
 * each is a tag byte pair and a zero length). Prints TAP for make check. */
#include <stdio.h>
#include <string.h>

#include "vmwire/crosvm.h"

struct wire {
    uint8_t buf[4096];
    size_t len;
    unsigned fds; /* fds that travel with the datagram (the host attaches its pipe ends) */
};

/* The plugin's requests, in order: get_vcpus (17 << 3 | 2 = 0x8a 0x01, len 0), start (0x92 0x01, len 0). */
static const uint8_t requests[][3] = { { 0x8a, 0x01, 0x00 }, { 0x92, 0x01, 0x00 } };

static int answered;      /* answers the plugin read with errno 0 */
static uint32_t last_req; /* the request field of the last of them */

static int plugin_turn(struct vw_crosvm_main *p, struct wire *in, struct wire *out, size_t *next)
{
    unsigned st = vw_crosvm_main_state(p);
    if (st & VW_ENGINE_FAILED)
        return -1;
    if ((st & VW_ENGINE_WAIT_APP) && *next < sizeof requests / sizeof requests[0] && !out->len) {
        /* the application's next request: the engine checks it, the caller transmits it */
        struct vw_crosvm_main_event ev;
        if (vw_crosvm_main_check_out(p, requests[*next], sizeof requests[*next], 0, &ev) != VW_OK)
            return -1;
        memcpy(out->buf, requests[*next], sizeof requests[*next]);
        out->len = sizeof requests[*next];
        out->fds = 0;
        ++*next;
        return 1;
    }
    if ((st & VW_ENGINE_WANT_INPUT) && in->len) {
        struct vw_crosvm_main_event ev;
        size_t used = 0;
        vw_status s = vw_crosvm_main_feed(p, in->buf, in->len, in->fds, &ev, &used);
        in->len = 0;
        if (s != VW_OK) {
            fprintf(stdout, "# plugin: %s at offset %zu\n", vw_status_name(s), vw_crosvm_main_error_offset(p));
            return -1;
        }
        printf("# plugin: answer to request field %u, errno %d, %u fds\n", (unsigned)ev.request, (int)ev.err,
               ev.fds_in);
        if (ev.err == 0) {
            answered++;
            last_req = ev.request;
        }
        return 1;
    }
    return 0;
}

static int host_turn(struct vw_crosvm_main *h, struct wire *in, struct wire *out, unsigned *attach)
{
    unsigned st = vw_crosvm_main_state(h);
    if (st & VW_ENGINE_FAILED)
        return -1;
    if ((st & VW_ENGINE_HAVE_OUTPUT) && !out->len) {
        size_t n = 0;
        if (vw_crosvm_main_output(h, NULL, 0, &n) != VW_E_NOSPACE || n > sizeof out->buf ||
            vw_crosvm_main_output(h, out->buf, sizeof out->buf, &out->len) != VW_OK)
            return -1;
        out->fds = *attach;
        return 1;
    }
    if (st & VW_ENGINE_WAIT_APP)
        return -1; /* an answer with data (e.g. get_net_config): not asked for here */
    if ((st & VW_ENGINE_WANT_INPUT) && in->len) {
        struct vw_crosvm_main_event ev;
        size_t used = 0;
        vw_status s = vw_crosvm_main_feed(h, in->buf, in->len, in->fds, &ev, &used);
        in->len = 0;
        if (s != VW_OK)
            return -1;
        *attach = ev.fds_out;
        return 1;
    }
    return 0;
}

int main(void)
{
    static struct vw_crosvm_vm hvm, pvm;
    static struct vw_crosvm_main host, plugin;
    static unsigned char hmem[1 << 16], pmem[1 << 16];
    static struct wire to_host, to_plugin;
    struct vw_arena ha, pa;
    printf("1..1\n");
    vw_arena_init(&ha, hmem, sizeof hmem);
    vw_arena_init(&pa, pmem, sizeof pmem);
    /* the host knows its vCPU count; the plugin learns it from GetVcpus */
    struct vw_crosvm_vm_config hvc = { .rev = VW_CROSVM_FINAL, .n_vcpus = 2, .has_tap = false };
    struct vw_crosvm_vm_config pvc = { .rev = VW_CROSVM_FINAL, .n_vcpus = 0, .has_tap = false };
    if (vw_crosvm_vm_init(&hvm, &hvc) != VW_OK || vw_crosvm_vm_init(&pvm, &pvc) != VW_OK) {
        printf("not ok 1 - vm init\n");
        return 1;
    }
    struct vw_crosvm_main_config hc = { VW_CROSVM_HOST, &hvm, &ha, 0 };
    struct vw_crosvm_main_config pc = { VW_CROSVM_PLUGIN, &pvm, &pa, 0 };
    if (vw_crosvm_main_init(&host, &hc) != VW_OK || vw_crosvm_main_init(&plugin, &pc) != VW_OK) {
        printf("not ok 1 - engine init\n");
        return 1;
    }
    size_t next = 0;
    unsigned attach = 0;
    for (int turn = 0; turn < 32; turn++) {
        int a = plugin_turn(&plugin, &to_plugin, &to_host, &next);
        int b = host_turn(&host, &to_host, &to_plugin, &attach);
        if (a < 0 || b < 0 || (a == 0 && b == 0))
            break; /* a fault, or nothing more to do */
    }
    if (answered != 2 || last_req != 18) {
        printf("not ok 1 - crosvm_plugin_loop: %d answers, the last to field %u\n", answered, (unsigned)last_req);
        return 1;
    }
    printf("ok 1 - crosvm_plugin_loop: get_vcpus and start answered through feed, output and state\n");
    return 0;
}
