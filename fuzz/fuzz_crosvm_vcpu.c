/* crosvm vCPU-channel engine (vw_crosvm_vcpu_*), either end, either revision.
 *
 * Input: config:u8, ranges:u8, then ranges x (space:u8 start:u16le len:u8),
 * then records (fuzz.h: op:u8 len:u16le data):
 *   config bit 0: plugin end; bit 1: final revision; bit 2: Start done;
 *   bits 3..4: this vCPU's index (of 4); bit 5: a pause is pending for it;
 *   op % 3 == 0: feed the data; op % 3 == 1: send the data;
 *   op % 3 == 2: drain the engine's queued answer.
 * Properties: known statuses; a successful feed consumes the whole message;
 * fault offsets inside the input; once VW_E_FAILED, always VW_E_FAILED;
 * the state reported in the event is the engine's state; the NOSPACE output
 * protocol; a queued answer is a VcpuResponse of the revision (final: one
 * length-prefixed frame, split back by vw_crosvm_splitter) that decodes. */
#include "crosvm_session.h"
#include "engine_check.h"

static struct vw_crosvm_vm vm;
static struct vw_crosvm_vcpu v;
static unsigned char arena_mem[1u << 22], arena2_mem[1u << 20];
static uint8_t out[4096], split_buf[4096];

FUZZ_ENGINE(vcpu_engine, struct vw_crosvm_vcpu, vw_crosvm_vcpu);

static void drain(enum vw_crosvm_revision rev)
{
    size_t w = fuzz_engine_drain(&vcpu_engine, &v, out, sizeof out);
    if (!w)
        return;
    const uint8_t *msg = out;
    size_t len = w;
    if (rev == VW_CROSVM_FINAL) {
        struct vw_crosvm_splitter s;
        size_t consumed = 0;
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_init(&s, &(struct vw_crosvm_splitter_config){ split_buf, sizeof split_buf, false }), VW_OK);
        FUZZ_CHECK_STATUS(vw_crosvm_splitter_feed(&s, out, w, &msg, &len, &consumed), VW_OK);
        FUZZ_CHECK(msg != NULL);
        FUZZ_CHECK(consumed == w);
    }
    struct vw_arena a;
    ProtobufCMessage *pm = NULL;
    size_t off = 0;
    vw_arena_init(&a, arena2_mem, sizeof arena2_mem);
    vw_status ds = vw_crosvm_decode(rev, VW_CROSVM_VCPU_RESPONSE, msg, len, &a, &pm, &off);
    if (ds != VW_OK)
        FUZZ_FAIL("queued answer does not decode: %s", vw_status_name(ds));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f;
    fz_init(&f, data, size);
    uint8_t c = fz_u8(&f);
    enum vw_crosvm_role role = (c & 1) ? VW_CROSVM_PLUGIN : VW_CROSVM_HOST;
    enum vw_crosvm_revision rev = (c & 2) ? VW_CROSVM_FINAL : VW_CROSVM_SEED;
    unsigned index = (c >> 3) & 3;
    FUZZ_CHECK_STATUS(vw_crosvm_vm_init(&vm, &(struct vw_crosvm_vm_config){ rev, role == VW_CROSVM_HOST ? 4 : 0, false }), VW_OK);
    /* The VM state a main channel could have left, set through the public setters:
     * Start, a pause (the setter refuses one before Start, as PauseVcpus does) and up
     * to 7 ranges (the setter refuses overlaps and bad ranges, as ReserveRange does). */
    FUZZ_CHECK_STATUS(vw_crosvm_vm_set_started(&vm, (c >> 2) & 1), VW_OK);
    if ((c >> 5) & 1) {
        vw_status ps = vw_crosvm_vm_set_pause(&vm, index, 7);
        if (ps != (vm.started ? VW_OK : VW_E_STATE))
            FUZZ_FAIL("set_pause: %s", vw_status_name(ps));
    }
    size_t nr = fz_u8(&f) % 8;
    for (size_t i = 0; i < nr; i++) {
        struct vw_crosvm_range r;
        memset(&r, 0, sizeof r);
        r.space = fz_u8(&f) & 1;
        r.start = fz_u16(&f);
        r.length = 1u + fz_u8(&f);
        r.async_write = rev == VW_CROSVM_FINAL && (r.start & 1);
        vw_status rs = vw_crosvm_vm_add_range(&vm, &r);
        if (rs != VW_OK && rs != VW_E_CONFLICT) /* an overlap is refused and skipped */
            FUZZ_FAIL("add_range: %s", vw_status_name(rs));
    }
    struct vw_arena arena;
    vw_arena_init(&arena, arena_mem, sizeof arena_mem);
    struct vw_crosvm_vcpu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.rev = rev;
    cfg.role = role;
    cfg.vm = &vm;
    cfg.index = index;
    cfg.arena = &arena;
    cfg.strict = (c >> 6) & 1;
    FUZZ_CHECK_STATUS(vw_crosvm_vcpu_init(&v, &cfg), VW_OK);

    int failed = 0;
    uint8_t op;
    const uint8_t *p;
    size_t n;
    while (fz_record(&f, &op, &p, &n)) {
        struct vw_crosvm_vcpu_event ev;
        vw_status st = VW_OK;
        memset(&ev, 0, sizeof ev);
        unsigned was = fuzz_engine_check(&vcpu_engine, &v);
        switch (op % 3) {
        case 0: {
            size_t consumed = (size_t)-1;
            st = vw_crosvm_vcpu_feed(&v, p, n, &ev, &consumed);
            /* The named exception of doc/CONVENTIONS.md rule 3: the host's
             * own Shutdown (CV-VCPU-17) is read in every state before down. */
            if (st == VW_OK && v.state == VW_CROSVM_VS_DOWN && role == VW_CROSVM_HOST)
                was |= VW_ENGINE_WANT_INPUT;
            fuzz_engine_fed(&vcpu_engine, &v, was, st, consumed, n);
            if (st == VW_OK) {
                FUZZ_CHECK(consumed == n);
                FUZZ_CHECK(ev.state == v.state);
            } else {
                FUZZ_CHECK(vw_crosvm_vcpu_error_offset(&v) <= n);
            }
            break;
        }
        case 1:
            st = vw_crosvm_vcpu_check_out(&v, p, n, &ev);
            fuzz_engine_called(&vcpu_engine, &v, was, st, 0);
            if (st == VW_OK)
                FUZZ_CHECK(ev.state == v.state);
            else
                FUZZ_CHECK(vw_crosvm_vcpu_error_offset(&v) <= n);
            break;
        default:
            drain(rev);
            continue;
        }
        FUZZ_CHECK(fuzz_status_known(st));
        FUZZ_CHECK(st != VW_E_INVALID_ARG);
        if (failed)
            FUZZ_CHECK_STATUS(st, VW_E_FAILED);
        failed |= st == VW_E_FAILED;
    }
    return 0;
}
