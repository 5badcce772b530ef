/* crosvm main-channel engine (vw_crosvm_main_*), either end, either revision.
 *
 * Input: config:u8, then records (fuzz.h: op:u8 len:u16le data):
 *   config bit 0: plugin end (else host); bit 1: final revision (else seed);
 *   bits 2..5: vCPUs - 1 (host end); bit 6: a tap is configured;
 *   op % 4 == 0: feed the data as a received datagram with (op >> 2) % 4 fds;
 *   op % 4 == 1: send the data with (op >> 2) % 4 fds;
 *   op % 4 == 2: drain the queued answer;
 *   op % 4 == 3: fail the request in flight with errno 1 + data[0] (host
 *                only; the plugin end must refuse it as INVALID_ARG).
 * Properties: known statuses; a successful feed consumes the whole datagram;
 * fault offsets lie inside the input; after VW_E_FAILED every feed and send
 * fails with VW_E_FAILED; the NOSPACE output protocol; every answer the host
 * engine queues decodes as a MainResponse of the revision and passes its
 * rules; the VM state keeps its invariants (crosvm_session.h). */
#include "crosvm_session.h"
#include "engine_check.h"

static struct vw_crosvm_vm vm;
static struct vw_crosvm_main m;
static unsigned char arena_mem[1u << 22], arena2_mem[1u << 20];
static uint8_t out[4096];

FUZZ_ENGINE(main_engine, struct vw_crosvm_main, vw_crosvm_main);

static void drain(enum vw_crosvm_revision rev)
{
    size_t w = fuzz_engine_drain(&main_engine, &m, out, sizeof out);
    if (!w)
        return;
    struct vw_arena a;
    ProtobufCMessage *msg = NULL;
    size_t off = 0;
    vw_arena_init(&a, arena2_mem, sizeof arena2_mem);
    vw_status ds = vw_crosvm_decode(rev, VW_CROSVM_MAIN_RESPONSE, out, w, &a, &msg, &off);
    if (ds != VW_OK)
        FUZZ_FAIL("queued answer does not decode: %s", vw_status_name(ds));
    FUZZ_CHECK_STATUS(vw_crosvm_validate(rev, VW_CROSVM_MAIN_RESPONSE, msg, w), VW_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    enum vw_crosvm_role role = (c & 1) ? VW_CROSVM_PLUGIN : VW_CROSVM_HOST;
    enum vw_crosvm_revision rev = (c & 2) ? VW_CROSVM_FINAL : VW_CROSVM_SEED;
    unsigned nv = role == VW_CROSVM_HOST ? 1u + ((c >> 2) & 15u) : 0u;
    struct vw_crosvm_vm_config vmc = { rev, nv, (c >> 6) & 1 };
    FUZZ_CHECK_STATUS(vw_crosvm_vm_init(&vm, &vmc), VW_OK);
    struct vw_arena arena;
    vw_arena_init(&arena, arena_mem, sizeof arena_mem);
    struct vw_crosvm_main_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.role = role;
    cfg.vm = &vm;
    cfg.arena = &arena;
    cfg.strict = (c >> 7) & 1;
    FUZZ_CHECK_STATUS(vw_crosvm_main_init(&m, &cfg), VW_OK);

    int failed = 0;
    uint8_t op;
    const uint8_t *p;
    size_t n;
    while (fz_record(&f, &op, &p, &n)) {
        unsigned nfds = (op >> 2) % 4;
        vw_status st = VW_OK;
        unsigned was = fuzz_engine_check(&main_engine, &m);
        switch (op & 3) {
        case 0: {
            struct vw_crosvm_main_event ev;
            size_t consumed = (size_t)-1;
            st = vw_crosvm_main_feed(&m, p, n, nfds, &ev, &consumed);
            fuzz_engine_fed(&main_engine, &m, was, st, consumed, n);
            if (st == VW_OK)
                FUZZ_CHECK(consumed == n);
            else
                FUZZ_CHECK(vw_crosvm_main_error_offset(&m) <= n);
            break;
        }
        case 1: {
            struct vw_crosvm_main_event ev;
            st = vw_crosvm_main_check_out(&m, p, n, nfds, &ev);
            fuzz_engine_called(&main_engine, &m, was, st, 0);
            if (st != VW_OK)
                FUZZ_CHECK(vw_crosvm_main_error_offset(&m) <= n);
            break;
        }
        case 2:
            if (!failed)
                drain(rev);
            break;
        default: {
            vw_status fs = vw_crosvm_main_fail(&m, 1 + (n ? p[0] : 0));
            fuzz_engine_called(&main_engine, &m, was, fs, 0);
            if (role == VW_CROSVM_PLUGIN)
                FUZZ_CHECK_STATUS(fs, VW_E_INVALID_ARG); /* a host-only verb */
            else
                FUZZ_CHECK(fs == VW_OK || fs == VW_E_STATE || fs == VW_E_FAILED);
            break;
        }
        }
        FUZZ_CHECK(fuzz_status_known(st));
        FUZZ_CHECK(st != VW_E_INVALID_ARG);
        if ((op & 3) < 2) {
            if (failed)
                FUZZ_CHECK_STATUS(st, VW_E_FAILED);
            failed |= st == VW_E_FAILED;
        }
        fuzz_crosvm_vm_invariants(&vm);
    }
    return 0;
}
