/* crosvm vCPU channel engine, for either end (spec/crosvm.md, CV-VCPU-*).
 *
 * One state machine sees both directions: requests (plugin to host) and
 * answers (host to plugin). The role only decides which of them arrive by
 * feed and which leave by send. */
#include <string.h>

#include "core/engine.h"
#include "crosvm/internal.h"

vw_status vw_crosvm_vcpu_init(struct vw_crosvm_vcpu *v, const struct vw_crosvm_vcpu_config *cfg)
{
    if (!v || !cfg || !cfg->arena || (unsigned)cfg->rev > VW_CROSVM_FINAL ||
        (cfg->vm && cfg->vm->rev != cfg->rev) || (cfg->role != VW_CROSVM_HOST && cfg->role != VW_CROSVM_PLUGIN) ||
        cfg->index >= VW_CROSVM_MAX_VCPUS)
        return VW_E_INVALID_ARG;
    memset(v, 0, sizeof *v);
    v->cfg = *cfg;
    v->state = VW_CROSVM_VS_INIT;
    return VW_OK;
}

/* Host: queue an engine-made answer (framed in the final revision). */
static void queue(struct vw_crosvm_vcpu *v, enum vw_crosvm_revision rev, const uint8_t *msg, size_t len)
{
    size_t n = 0;
    if (rev == VW_CROSVM_FINAL)
        n = vw_crosvm__put_varint(v->out, len); /* CV-VCPU-16 */
    memcpy(v->out + n, msg, len);
    v->out_len = n + len;
}

/* crosvm answers EPROTO with an empty VcpuResponse: errno and no member
 * (vcpu.rs handle_request, CV-VCPU-9, CV-VCPU-10). */
static void queue_eproto(struct vw_crosvm_vcpu *v, enum vw_crosvm_revision rev)
{
    uint8_t msg[16];
    size_t len = vw_crosvm__answer(msg, rev, VW_CROSVM_EPROTO, 0);
    queue(v, rev, msg, len);
}

/* CV-VCPU-12: whether the data of a Resume ends the current stop. crosvm
 * ignores it except after a read, where it copies min(len) bytes (fewer
 * panic its vCPU thread), and after a hyper-V call, which takes exactly 8.
 * Strict: exactly the bytes the stop waits for. */
static int resume_data_ok(const struct vw_crosvm_vcpu *v, size_t len)
{
    if (v->cfg.strict || v->read_exact)
        return len == v->read_len;
    return len >= v->read_len;
}

static vw_status on_request(struct vw_crosvm_vcpu *v, enum vw_crosvm_revision rev,
                            const ProtobufCMessage *req, struct vw_crosvm_vcpu_event *ev)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    uint32_t c = vw_crosvm__case(req);
    const ProtobufCMessage *s = vw_crosvm__sub(req, c);
    int host = v->cfg.role == VW_CROSVM_HOST;
    ev->is_request = true;
    ev->field = c;
    if (n->v_shutdown && c == n->v_shutdown) {
        v->state = VW_CROSVM_VS_DOWN; /* CV-VCPU-17 */
        return VW_OK;
    }
    switch (v->state) {
    case VW_CROSVM_VS_INIT:
        if (c != n->v_wait) {
            if (host)
                queue_eproto(v, rev); /* CV-VCPU-9 */
            return VW_E_STATE;
        }
        v->pending = c;
        v->state = VW_CROSVM_VS_WAITING;
        if (host) { /* the first Wait is answered with Init at once */
            static const uint8_t init[] = { 0x12, 0x02, 0x0a, 0x00 };
            queue(v, rev, init, sizeof init);
            v->state = VW_CROSVM_VS_STOPPED;
            v->inited = true;
            v->read_len = 0;
            v->read_exact = false;
            v->stop_exit = 1;
            v->pending = 0;
            ev->exit = 1;
        }
        return VW_OK;
    case VW_CROSVM_VS_STOPPED:
        if (c == n->v_wait) {
            if (host)
                queue_eproto(v, rev); /* CV-VCPU-10: no stop reason pending */
            return VW_E_STATE;
        }
        if (c == n->v_resume) {
            if (!resume_data_ok(v, vw_crosvm__bytes(s, 1).len)) {
                if (host && !v->cfg.strict)
                    v->failed = true; /* crosvm's vCPU thread panics (copy_from_slice) */
                return VW_E_BAD_LENGTH; /* CV-VCPU-12 */
            }
            v->read_len = 0;
            v->read_exact = false;
            if (rev == VW_CROSVM_SEED) {
                v->pending = c;
                v->state = VW_CROSVM_VS_RESUMING; /* CV-VCPU-15: answered */
            } else {
                v->state = VW_CROSVM_VS_RUNNING; /* CV-VCPU-11: not answered */
            }
            return VW_OK;
        }
        if (!vw_crosvm__vcpu_answer(rev, c))
            return VW_E_STATE;
        if (host && n->v_enable_capability && c == n->v_enable_capability) {
            uint64_t cap = vw_crosvm__u64(s, VW_CROSVM__F_CAP_NUMBER);
            if (cap != 123 && cap != 148) { /* CV-VCPU-19: only the SynIC capabilities */
                uint8_t ans[16];
                queue(v, rev, ans, vw_crosvm__answer(ans, rev, VW_CROSVM_EINVAL, vw_crosvm__vcpu_answer(rev, c)));
                ev->err = VW_CROSVM_EINVAL;
                return VW_OK;
            }
        }
        v->pending = c;
        v->pending_set = c == n->v_get_state ? (int32_t)vw_crosvm__u64(s, VW_CROSVM__F_STATE_SET) : -1;
        v->pending_count = c == n->v_get_msrs ? vw_crosvm__count(s, VW_CROSVM__F_MSR_INDICES) : 0;
        v->state = VW_CROSVM_VS_REQUEST;
        return VW_OK;
    case VW_CROSVM_VS_RUNNING:
        if (rev == VW_CROSVM_SEED && c == n->v_wait) {
            v->pending = c;
            v->state = VW_CROSVM_VS_WAITING;
            return VW_OK;
        }
        if (host && rev == VW_CROSVM_SEED)
            queue_eproto(v, rev); /* CV-VCPU-11: seed answers it EPROTO at the next exit */
        return VW_E_STATE; /* CV-VCPU-11, CV-VCPU-13 */
    default:
        return VW_E_STATE; /* CV-VCPU-15: one request at a time; nothing after Shutdown */
    }
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* CV-MAIN-24 (final): the register blobs of a trapped access follow the
 * call hint as crosvm's process() fills them: none for an async write or
 * an access the hint does not match; on a match regs always, and sregs and
 * debugregs as the first RegHint whose compared registers are equal says. */
static vw_status hint_check(const struct vw_crosvm_vm *vm, const ProtobufCMessage *io, int space,
                            uint64_t addr, int is_write, int no_resume)
{
    ProtobufCBinaryData regs = vw_crosvm__bytes(io, 6);
    size_t sregs = vw_crosvm__bytes(io, 7).len, dregs = vw_crosvm__bytes(io, 8).len;
    const struct vw_crosvm_hint *h = &vm->hint;
    if (no_resume || !h->set || h->space != space || h->address != addr || (h->on_write != 0) != (is_write != 0))
        return regs.len || sregs || dregs ? VW_E_MISMATCH : VW_OK;
    if (regs.len < 32)
        return VW_E_MISMATCH;
    int want_s = 0, want_d = 0, found = 0;
    for (size_t i = 0; i < h->n_details && !found; i++) {
        const struct vw_crosvm_hint_detail *d = &h->details[i];
        found = 1;
        for (unsigned r = 0; r < 4; r++)
            if ((d->match >> r & 1) && d->reg[r] != le64(regs.data + 8 * r))
                found = 0;
        if (found) {
            want_s = d->send_sregs;
            want_d = d->send_debugregs;
        }
    }
    if (!found && h->cut)
        return VW_OK; /* the deciding detail is past what the engine keeps */
    return (sregs != 0) == (want_s != 0) && (dregs != 0) == (want_d != 0) ? VW_OK : VW_E_MISMATCH;
}

/* A Wait answer (requested or pushed): check its exit against the state. */
static vw_status on_wait(struct vw_crosvm_vcpu *v, enum vw_crosvm_revision rev,
                         const ProtobufCMessage *wait, int pushed, struct vw_crosvm_vcpu_event *ev)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    struct vw_crosvm_vm *vm = v->cfg.vm;
    uint32_t e = vw_crosvm__case(wait);
    const ProtobufCMessage *x = vw_crosvm__sub(wait, e);
    ev->exit = e;
    if (!v->inited != (e == VW_CROSVM__F_WAIT_INIT))
        return VW_E_MISMATCH; /* CV-VCPU-9: Init first and only first */
    size_t read_len = 0;
    if (e == VW_CROSVM__F_WAIT_IO) {
        int space = (int)vw_crosvm__u64(x, VW_CROSVM__F_IO_SPACE);
        uint64_t addr = vw_crosvm__u64(x, VW_CROSVM__F_IO_ADDRESS);
        int is_write = (int)vw_crosvm__u64(x, VW_CROSVM__F_IO_IS_WRITE);
        int no_resume = n->io_no_resume ? (int)vw_crosvm__u64(x, n->io_no_resume) : 0;
        size_t len = vw_crosvm__bytes(x, n->io_data).len;
        if (vm) {
            /* crosvm reports an access whose first byte lies in a range
             * (vcpu.rs process); strict: the whole access. */
            const struct vw_crosvm_range *r =
                vw_crosvm_vm_find_range(vm, space, addr, v->cfg.strict ? len : 1);
            if (!r)
                return VW_E_NOT_FOUND; /* CV-VCPU-8 */
            if (rev == VW_CROSVM_FINAL && no_resume != (r->async_write && is_write))
                return VW_E_BAD_VALUE; /* CV-VCPU-14 */
            if (r->async_write && !is_write)
                return VW_E_BAD_VALUE; /* CV-VCPU-14: async ranges do not trap reads */
            if (rev == VW_CROSVM_FINAL) {
                vw_status hs = hint_check(vm, x, space, addr, is_write, no_resume);
                if (hs != VW_OK)
                    return hs; /* CV-MAIN-24 */
            }
        }
        if (no_resume) {
            if (!pushed)
                return VW_E_STATE;
            v->state = VW_CROSVM_VS_RUNNING; /* CV-VCPU-13: the vCPU keeps running */
            return VW_OK;
        }
        read_len = is_write ? 0 : len;
    } else if (e == VW_CROSVM__F_WAIT_USER) {
        unsigned i = v->cfg.index;
        if (vm) {
            if (!(vm->pause_pending >> i & 1))
                return VW_E_NOT_FOUND; /* CV-VCPU-18 */
            if (vm->pause_user[i] != vw_crosvm__u64(x, 1))
                return VW_E_MISMATCH;
            vm->pause_pending &= ~(1u << i);
        }
    }
    v->inited = true;
    v->stop_exit = e;
    v->read_len = e == 4 ? 8 : read_len; /* a hyper-V call: the 8-byte result */
    v->read_exact = e == 4;
    v->state = VW_CROSVM_VS_STOPPED;
    return VW_OK;
}

static vw_status on_answer(struct vw_crosvm_vcpu *v, enum vw_crosvm_revision rev,
                           const ProtobufCMessage *resp, struct vw_crosvm_vcpu_event *ev)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    uint32_t c = vw_crosvm__case(resp);
    int32_t err = (int32_t)vw_crosvm__u64(resp, VW_CROSVM__F_ERRNO);
    ev->is_request = false;
    ev->field = c;
    ev->err = vw_crosvm__errno_abs(err);
    switch (v->state) {
    case VW_CROSVM_VS_WAITING:
        if (c != VW_CROSVM__F_RESP_WAIT || err)
            return VW_E_MISMATCH; /* CV-VCPU-15 */
        v->pending = 0;
        return on_wait(v, rev, vw_crosvm__sub(resp, VW_CROSVM__F_RESP_WAIT), 0, ev);
    case VW_CROSVM_VS_RUNNING:
        if (rev == VW_CROSVM_SEED || c != VW_CROSVM__F_RESP_WAIT || err)
            return VW_E_STATE; /* CV-VCPU-10, CV-VCPU-11 */
        return on_wait(v, rev, vw_crosvm__sub(resp, VW_CROSVM__F_RESP_WAIT), 1, ev);
    case VW_CROSVM_VS_RESUMING:
        if (c != 3 && !(err && c == 0))
            return VW_E_MISMATCH;
        v->pending = 0;
        v->state = err ? VW_CROSVM_VS_STOPPED : VW_CROSVM_VS_RUNNING;
        return VW_OK;
    case VW_CROSVM_VS_REQUEST: {
        uint32_t want = vw_crosvm__vcpu_answer(rev, v->pending);
        if (c != want && !(err && c == 0))
            return VW_E_MISMATCH; /* CV-VCPU-15 */
        const ProtobufCMessage *s = vw_crosvm__sub(resp, c);
        if (!err && v->pending == n->v_get_state &&
            vw_crosvm__bytes(s, 1).len != vw_crosvm_state_size(rev, 1, v->pending_set))
            return VW_E_BAD_LENGTH; /* CV-VCPU-4 */
        /* CV-VCPU-4: final crosvm passes on the count KVM_GET_MSRS returns,
         * which may be smaller; seed copies every entry. */
        size_t got = vw_crosvm__count(s, 1);
        if (!err && v->pending == n->v_get_msrs &&
            (rev == VW_CROSVM_SEED || v->cfg.strict ? got != v->pending_count : got > v->pending_count))
            return VW_E_BAD_LENGTH;
        v->pending = 0;
        v->state = VW_CROSVM_VS_STOPPED;
        return VW_OK;
    }
    default:
        return VW_E_STATE; /* CV-VCPU-15: no answer without a request */
    }
}

/* Host: a fault while stopped that crosvm only logs (vcpu.rs process,
 * hyperv_call, hyperv_synic: `error!` and go on): the vCPU resumes, a read
 * gets zeros, and the channel stays usable. During Init or a pause the vCPU
 * thread ends instead (the caller makes the fault sticky). Strict: never. */
static int logged_resume(struct vw_crosvm_vcpu *v, int host_req)
{
    if (!host_req || v->cfg.strict || v->state != VW_CROSVM_VS_STOPPED ||
        (v->stop_exit != 2 && v->stop_exit != 4 && v->stop_exit != 5))
        return 0;
    v->state = VW_CROSVM_VS_RUNNING;
    v->read_len = 0;
    v->read_exact = false;
    return 1;
}

static vw_status step(struct vw_crosvm_vcpu *v, int from_peer, const uint8_t *in, size_t len,
                      struct vw_crosvm_vcpu_event *ev)
{
    enum vw_crosvm_revision rev = v->cfg.rev;
    int is_request = (v->cfg.role == VW_CROSVM_HOST) == (from_peer != 0);
    enum vw_crosvm_kind kind = is_request ? VW_CROSVM_VCPU_REQUEST : VW_CROSVM_VCPU_RESPONSE;
    ProtobufCMessage *msg;
    size_t off = 0;
    v->err_off = 0;
    if (v->failed)
        return VW_E_FAILED;
    if (v->state == VW_CROSVM_VS_DOWN) {
        ev->state = v->state;
        return VW_E_STATE; /* CV-VCPU-17: nothing after Shutdown, not even a second one */
    }
    if (len > VW_CROSVM_MAX_MESSAGE) {
        v->err_off = VW_CROSVM_MAX_MESSAGE;
        return VW_E_TOO_LONG; /* CV-VCPU-2 */
    }
    const uint8_t *view;
    size_t view_len;
    vw_arena_reset(v->cfg.arena);
    /* CV-PB-18: decode what crosvm's rust-protobuf decodes */
    vw_status st = vw_crosvm__rust_view(rev, kind, in, len, v->cfg.arena, &view, &view_len, &off);
    if (st == VW_OK)
        st = vw_crosvm_decode(rev, kind, view, view_len, v->cfg.arena, &msg, &off);
    int host_req = is_request && v->cfg.role == VW_CROSVM_HOST;
    if (st == VW_OK && host_req && rev == VW_CROSVM_SEED && vw_crosvm__unnamed_enum(msg)) {
        st = VW_E_BAD_ENUM; /* CV-VCPU-2: rust-protobuf 1.4.3 cannot decode it */
        off = 0;
    }
    if (st != VW_OK) {
        v->err_off = off;
        if (st != VW_E_NOMEM && !logged_resume(v, host_req))
            v->failed = true; /* CV-VCPU-2: the channel is unusable */
        return st;
    }
    if (is_request && v->cfg.role == VW_CROSVM_HOST && v->state == VW_CROSVM_VS_INIT &&
        vw_crosvm__case(msg) != vw_crosvm__nums(rev)->v_wait) {
        /* CV-VCPU-9: crosvm checks the pending Init before anything else. */
        ev->msg = msg;
        ev->is_request = true;
        ev->field = vw_crosvm__case(msg);
        queue_eproto(v, rev);
        ev->state = v->state;
        return VW_E_STATE;
    }
    st = vw_crosvm_validate(rev, kind, msg, len);
    if (st != VW_OK) {
        uint32_t c = vw_crosvm__case(msg);
        const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
        if (host_req && c == 0) {
            uint8_t ans[16];
            queue(v, rev, ans, vw_crosvm__answer(ans, rev, VW_CROSVM_ENOTTY, 0)); /* CV-VCPU-3 */
        } else if (host_req && v->state == VW_CROSVM_VS_STOPPED && (c == n->v_get_state || c == n->v_set_state)) {
            /* CV-VCPU-4: crosvm answers a blob of the wrong size or an
             * unnamed set with EINVAL, the member set. */
            uint8_t ans[16];
            queue(v, rev, ans, vw_crosvm__answer(ans, rev, VW_CROSVM_EINVAL, vw_crosvm__vcpu_answer(rev, c)));
            ev->msg = msg;
            ev->is_request = true;
            ev->field = c;
            ev->err = VW_CROSVM_EINVAL;
            ev->state = v->state;
            return VW_OK;
        } else if (host_req && c == n->v_resume && v->state == VW_CROSVM_VS_STOPPED) {
            /* CV-VCPU-5: a register blob crosvm cannot set fails the Resume
             * after an I/O or hyper-V stop; crosvm logs it and resumes. */
            logged_resume(v, 1);
        }
        return st;
    }
    ev->msg = msg;
    v->out_len = 0;
    st = is_request ? on_request(v, rev, msg, ev) : on_answer(v, rev, msg, ev);
    ev->state = v->state;
    return st;
}

/* The event's kind (doc/CONVENTIONS.md, the engine contract). */
static enum vw_crosvm_event_kind ev_kind(const struct vw_crosvm_vcpu_event *ev)
{
    if (!ev->msg)
        return VW_CROSVM_EV_NONE;
    return ev->is_request ? VW_CROSVM_EV_REQUEST : VW_CROSVM_EV_RESPONSE;
}

vw_status vw_crosvm_vcpu_feed(struct vw_crosvm_vcpu *v, const uint8_t *in, size_t len,
                              struct vw_crosvm_vcpu_event *ev, size_t *consumed)
{
    struct vw_crosvm_vcpu_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status st = vw_engine__feed_args(v, in, len, consumed);
    if (st != VW_OK)
        return st;
    st = step(v, 1, in, len, ev);
    ev->kind = ev_kind(ev);
    if (st != VW_E_FAILED)
        *consumed = len; /* a frame is read whole, answered or refused */
    return st;
}

vw_status vw_crosvm_vcpu_check_out(struct vw_crosvm_vcpu *v, const uint8_t *msg, size_t len,
                                   struct vw_crosvm_vcpu_event *ev)
{
    struct vw_crosvm_vcpu_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    if (!v || (!msg && len))
        return VW_E_INVALID_ARG;
    vw_status st = step(v, 0, msg, len, ev);
    ev->kind = ev_kind(ev);
    return st;
}

vw_status vw_crosvm_vcpu_output(struct vw_crosvm_vcpu *v, uint8_t *out, size_t cap, size_t *written)
{
    vw_status s = vw_engine__output_args(v, out, cap, written);
    if (s != VW_OK)
        return s;
    int taken;
    s = vw_engine__output_copy(v->out, v->out_len, out, cap, written, &taken);
    if (taken)
        v->out_len = 0;
    return s;
}

size_t vw_crosvm_vcpu_error_offset(const struct vw_crosvm_vcpu *v)
{
    return v ? v->err_off : 0;
}

unsigned vw_crosvm_vcpu_state(const struct vw_crosvm_vcpu *v)
{
    if (!v)
        return 0;
    unsigned f = vw_engine__out_flag(v->out_len);
    if (v->failed)
        return f | VW_ENGINE_FAILED;
    int host = v->cfg.role == VW_CROSVM_HOST;
    int seed = v->cfg.rev == VW_CROSVM_SEED;
    int host_owes; /* else the plugin owes the next message */
    switch (v->state) {
    case VW_CROSVM_VS_DOWN: return f;
    case VW_CROSVM_VS_WAITING:
    case VW_CROSVM_VS_REQUEST:
    case VW_CROSVM_VS_RESUMING: host_owes = 1; break; /* a request awaits its answer */
    case VW_CROSVM_VS_RUNNING: host_owes = !seed; break; /* final: the next Wait answer is pushed */
    default: host_owes = 0; break; /* init, stopped: the plugin's next request */
    }
    return f | (host_owes == host ? VW_ENGINE_WAIT_APP : VW_ENGINE_WANT_INPUT);
}
