/* Bridge dispatch: a handler table and a trap, both from the input.
 *
 * Input: n:u8 (handlers, n % 17), then per handler: flags:u8 (bit 0
 * has_magic, bits 1..2 magic choice, bits 3..6 verify mask, bit 7 unused),
 * request:u8 (0..3), behaviour:u8 (answer, no response, or another status),
 * present:u8, then 4 verify values u64le; then trigger:u8, insn_len:u8 and
 * registers (bridge_common.h).
 * Properties, against a reference front-to-back scan of the table:
 *  - vw_bridge_table_find() finds exactly the first matching handler in
 *    table order (BR-DISP-3), or NO_MATCH when none matches;
 *  - vw_bridge_dispatch() calls that handler's callback and no other, once;
 *    a handler's verify values overwrite its response slots (BR-DISP-6);
 *  - vw_bridge_serve() leaves every register but RAX..RDX and RIP alone,
 *    writes the response when handled, advances RIP on handled, no match and
 *    no response, and changes nothing on other failures (BR-RESP-6). */
#include "bridge_common.h"

#define MAXH 16

struct hstate {
    int index;
    uint8_t behaviour;
    uint8_t present;
    int calls;
};

static struct hstate hs[MAXH];
static int last_called;

static vw_status cb(void *user, const struct vw_bridge_packet *p, struct vw_bridge_response *r)
{
    struct hstate *h = user;
    h->calls++;
    last_called = h->index;
    for (int i = 0; i < 4; i++)
        r->values[i] = p->values[i] ^ (uint64_t)(0x1111111111111111ull * (unsigned)(i + 1));
    r->present = h->present;
    switch (h->behaviour % 4) {
    case 0:
        return VW_OK;
    case 1:
        r->has_result = true;
        r->result = p->magic;
        return VW_OK;
    case 2:
        return VW_E_NO_RESPONSE;
    default:
        return VW_E_BAD_VALUE;
    }
}

static const uint32_t magics[4] = {VW_BRIDGE_VMIB_MAGIC, 0x4b454b57u, 0, 0xffffffffu};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    size_t n = fz_u8(&f) % (MAXH + 1);
    struct vw_bridge_handler h[MAXH];
    struct vw_bridge_index_entry idx[VW_BRIDGE_INDEX_CAP(MAXH)];
    memset(h, 0, sizeof h);
    for (size_t i = 0; i < n; i++) {
        uint8_t fl = fz_u8(&f);
        h[i].has_magic = fl & 1;
        h[i].magic = magics[(fl >> 1) & 3];
        h[i].verify_present = (uint8_t)((fl >> 3) & 15);
        h[i].request = (uint16_t)(fz_u8(&f) & 3);
        hs[i].index = (int)i;
        hs[i].behaviour = fz_u8(&f);
        hs[i].present = fz_u8(&f);
        hs[i].calls = 0;
        for (int k = 0; k < 4; k++)
            h[i].verify[k] = fz_u64(&f);
        h[i].handle = cb;
        h[i].user = &hs[i];
    }
    struct vw_bridge_table t;
    FUZZ_CHECK_STATUS(vw_bridge_table_init(&t, h, n, idx, VW_BRIDGE_INDEX_CAP(MAXH), NULL), VW_OK);

    uint8_t trig = fz_u8(&f);
    unsigned insn = fz_u8(&f) % (VW_BRIDGE_MAX_INSN_LEN + 1);
    struct vw_bridge_regs r, r2;
    fuzz_bridge_regs(&f, &r);
    enum vw_bridge_trigger trigger = (trig & 1) ? VW_BRIDGE_CPUID : VW_BRIDGE_VMCALL;
    struct vw_bridge_packet p;
    vw_status rs = vw_bridge_read_packet(&r, trigger, &p);
    if (rs != VW_OK) {
        FUZZ_CHECK_STATUS(rs, VW_E_BAD_MODE);
        r2 = r;
        struct vw_bridge_response resp;
        FUZZ_CHECK_STATUS(vw_bridge_serve(&t, &r2, trigger, insn, &resp, NULL), VW_E_BAD_MODE);
        FUZZ_CHECK(memcmp(&r, &r2, sizeof r) == 0);
        return 0;
    }

    /* the reference: a front-to-back scan */
    size_t want = n;
    for (size_t i = 0; i < n && want == n; i++)
        if (h[i].request == p.request && (!h[i].has_magic || h[i].magic == p.magic))
            want = i;
    size_t pos = (size_t)-1;
    vw_status fs = vw_bridge_table_find(&t, p.magic, p.request, &pos);
    if (want == n) {
        FUZZ_CHECK_STATUS(fs, VW_E_NO_MATCH);
    } else {
        FUZZ_CHECK_STATUS(fs, VW_OK);
        FUZZ_CHECK(pos == want);
    }

    struct vw_bridge_response resp;
    size_t matched = (size_t)-1;
    last_called = -1;
    memset(&resp, 0xa5, sizeof resp);
    vw_status ds = vw_bridge_dispatch(&t, &p, &resp, &matched);
    if (want == n) {
        FUZZ_CHECK_STATUS(ds, VW_E_NO_MATCH);
        FUZZ_CHECK(last_called == -1);
        FUZZ_CHECK(matched == n);
    } else {
        FUZZ_CHECK(last_called == (int)want);
        FUZZ_CHECK(hs[want].calls == 1);
        FUZZ_CHECK(matched == want);
        switch (hs[want].behaviour % 4) {
        case 0:
        case 1:
            FUZZ_CHECK_STATUS(ds, VW_OK);
            for (int k = 0; k < 4; k++) {
                if (h[want].verify_present & (1u << k)) {
                    FUZZ_CHECK(resp.values[k] == h[want].verify[k]);
                    FUZZ_CHECK(resp.present & (1u << k));
                }
            }
            FUZZ_CHECK(resp.has_result == (hs[want].behaviour % 4 == 1));
            break;
        case 2:
            FUZZ_CHECK_STATUS(ds, VW_E_NO_RESPONSE);
            break;
        default:
            FUZZ_CHECK_STATUS(ds, VW_E_BAD_VALUE);
            break;
        }
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(hs[i].calls == (i == want ? 1 : 0));

    /* the whole trap in one call */
    r2 = r;
    struct vw_bridge_response resp2;
    vw_status ss = vw_bridge_serve(&t, &r2, trigger, insn, &resp2, NULL);
    FUZZ_CHECK_STATUS(ss, ds);
    if (ss == VW_OK)
        fuzz_bridge_check_written(&r, &r2, &resp, insn);
    else if (ss == VW_E_NO_MATCH || ss == VW_E_NO_RESPONSE)
        fuzz_bridge_check_written(&r, &r2, NULL, insn);
    else
        FUZZ_CHECK(memcmp(&r, &r2, sizeof r) == 0);
    return 0;
}
