/* IC guest responder session (vw_ic_guest_*), driven by the input.
 *
 * Input: config:u8, then records (fuzz.h: op:u8 len:u16le data):
 *   config bit 0 profile (linux/openvmm), bits 1..3 service (1 + v % 5),
 *   bit 4 agent_ready, bit 5 hibernate_supported, bit 6 strict, bit 7 the
 *   file-copy service (7) instead (linux only, IC-FCOPY-*);
 *   op % 4 == 0: feed the data as one received packet;
 *   op % 4 == 1: drain the pending reply;
 *   op % 4 == 2: complete a waiting request (status:u32, then key and value
 *                strings split at the first NUL of the rest);
 *   op % 4 == 3: feed the data split in two packets at op >> 2.
 * Properties: every call returns a known status; a feed consumes at most
 * its input and a fault's offset lies inside it; output follows the
 * NOSPACE protocol (size query, one byte short, exact) and leaves nothing
 * pending after a full copy; a reply of the openvmm profile (a fresh packet,
 * IC-PROF-5) always decodes as a well-formed packet; a reply of the linux
 * profile (the request edited in place, IC-PROF-4) has exactly the
 * length of the request as read (the packet, clamped to the receive limit) (it can be malformed when the request was: linux writes
 * its negotiate answer whatever the request's sizes say); in the linux
 * profile, every byte of the receive buffer from `dirty` on is zero after
 * every call (the responder clears only up to there on the next feed). */
#include "engine_check.h"
#include "ic_common.h"

static struct vw_ic_guest g;
static uint8_t out[FUZZ_IC_BUF];
static size_t last_len; /* length of the packet the pending reply answers */
static size_t last_fed; /* length of the last packet the engine took */

static void check_unsent(void)
{
    static const uint8_t zero[sizeof g.buf];
    if (g.cfg.profile == VW_IC_PROFILE_LINUX && g.dirty < sizeof g.buf)
        FUZZ_CHECK(!memcmp(g.buf + g.dirty, zero, sizeof g.buf - g.dirty));
}

FUZZ_ENGINE(guest_engine, struct vw_ic_guest, vw_ic_guest);

static void drain(void)
{
    size_t w = fuzz_engine_drain(&guest_engine, &g, out, sizeof out);
    if (!w)
        return;
    if (g.cfg.profile == VW_IC_PROFILE_OPENVMM) {
        fuzz_ic_check_packet_out(out, w);
    } else {
        FUZZ_CHECK(w == last_len);
    }
}

static void feed(const uint8_t *p, size_t n)
{
    struct vw_ic_guest_event ev;
    size_t consumed = (size_t)-1, before = 0, after = 0;
    unsigned was = fuzz_engine_check(&guest_engine, &g);
    (void)vw_ic_guest_output(&g, NULL, 0, &before);
    vw_status st = vw_ic_guest_feed(&g, p, n, &ev, &consumed);
    fuzz_engine_fed(&guest_engine, &g, was, st, consumed, n);
    (void)vw_ic_guest_output(&g, NULL, 0, &after);
    /* linux reads an oversized packet only up to its receive limit (IC-PROF-12). */
    size_t taken = g.cfg.profile == VW_IC_PROFILE_LINUX ? consumed : n;
    if (st != VW_E_STATE)
        last_fed = taken;
    if (before)
        FUZZ_CHECK(after == before); /* a pending reply is never replaced */
    else if (after)
        last_len = taken;
    FUZZ_CHECK(fuzz_status_known(st));
    FUZZ_CHECK(st != VW_E_INVALID_ARG);
    if (st == VW_OK)
        FUZZ_CHECK(consumed <= n);
    else
        FUZZ_CHECK(vw_ic_guest_error_offset(&g) <= n);
    check_unsent();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    struct vw_ic_guest_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.profile = (c & 1) ? VW_IC_PROFILE_OPENVMM : VW_IC_PROFILE_LINUX;
    cfg.service = (uint16_t)(1 + ((c >> 1) & 7) % 5);
    cfg.agent_ready = (c >> 4) & 1;
    cfg.hibernate_supported = (c >> 5) & 1;
    cfg.strict = (c >> 6) & 1;
    if (c & 0x80)
        cfg.service = VW_IC_MSG_FCOPY;
    last_len = last_fed = 0;
    vw_status st = vw_ic_guest_init(&g, &cfg);
    FUZZ_CHECK(st == VW_OK || st == VW_E_UNSUPPORTED);
    if (st != VW_OK)
        return 0;

    uint8_t op;
    const uint8_t *p;
    size_t n;
    while (fz_record(&f, &op, &p, &n)) {
        switch (op & 3) {
        case 0:
            feed(p, n);
            break;
        case 1:
            drain();
            break;
        case 2: {
            char key[512], value[512];
            struct fz a;
            fz_init(&a, p, n);
            struct vw_ic_guest_answer ans;
            ans.status = fz_u32(&a);
            size_t k = 0;
            while (a.n && a.p[0] && k < sizeof key - 1)
                key[k++] = (char)fz_u8(&a);
            key[k] = 0;
            fz_u8(&a);
            size_t v = 0;
            while (a.n && v < sizeof value - 1)
                value[v++] = (char)fz_u8(&a);
            value[v] = 0;
            ans.key = k ? key : NULL;
            ans.value = v ? value : NULL;
            size_t before = 0, after = 0;
            unsigned was = fuzz_engine_check(&guest_engine, &g);
            (void)vw_ic_guest_output(&g, NULL, 0, &before);
            st = vw_ic_guest_complete(&g, &ans);
            fuzz_engine_called(&guest_engine, &g, was, st, 0);
            (void)vw_ic_guest_output(&g, NULL, 0, &after);
            if (!before && after)
                last_len = last_fed;
            check_unsent();
            FUZZ_CHECK(st == VW_OK || st == VW_E_STATE || st == VW_E_BAD_UTF8 ||
                       (fuzz_status_known(st) && st != VW_E_INVALID_ARG));
            break;
        }
        default: {
            size_t cut = (size_t)(op >> 2) < n ? (size_t)(op >> 2) : n;
            feed(p, cut);
            feed(p + cut, n - cut);
            break;
        }
        }
    }
    drain();
    return 0;
}
