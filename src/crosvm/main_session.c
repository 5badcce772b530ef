/* crosvm main channel: VM-wide state (objects, reserved ranges, Start,
 * pauses) and the engine of one connection, for either end. Rules:
 * spec/crosvm.md, CV-MAIN-*, CV-FD-*. */
#include <string.h>

#include "core/engine.h"
#include "crosvm/internal.h"

enum { M_IDLE, M_AWAIT_RESPONSE, M_AWAIT_APP, M_QUEUED, M_FAILED };
enum { UNDO_NONE, UNDO_DEL_OBJ, UNDO_ADD_OBJ, UNDO_DEL_RANGE, UNDO_ADD_RANGE, UNDO_START, UNDO_HINT };

/* ---- VM state ------------------------------------------------------------ */

vw_status vw_crosvm_vm_init(struct vw_crosvm_vm *vm, const struct vw_crosvm_vm_config *cfg)
{
    if (!vm || !cfg || (unsigned)cfg->rev > VW_CROSVM_FINAL ||
        cfg->n_vcpus > (cfg->rev == VW_CROSVM_SEED ? VW_CROSVM_MAX_VCPUS : VW_CROSVM_MAX_VCPUS_FINAL))
        return VW_E_INVALID_ARG;
    memset(vm, 0, sizeof *vm);
    vm->rev = cfg->rev;
    vm->n_vcpus = cfg->n_vcpus;
    vm->has_tap = cfg->has_tap;
    return VW_OK;
}

static struct vw_crosvm_object *obj_find(struct vw_crosvm_vm *vm, uint32_t id)
{
    for (size_t i = 0; i < vm->n_objects; i++)
        if (vm->objects[i].id == id)
            return &vm->objects[i];
    return NULL;
}

static int obj_add(struct vw_crosvm_vm *vm, const struct vw_crosvm_object *o)
{
    if (vm->n_objects >= VW_CROSVM_MAX_OBJECTS)
        return -1;
    vm->objects[vm->n_objects++] = *o;
    return 0;
}

static void obj_del(struct vw_crosvm_vm *vm, uint32_t id)
{
    struct vw_crosvm_object *o = obj_find(vm, id);
    if (o)
        *o = vm->objects[--vm->n_objects];
}

/* The new range's start lies inside a reserved one (crosvm's is_reserved). */
static int start_reserved(const struct vw_crosvm_vm *vm, uint8_t space, uint64_t start)
{
    for (size_t i = 0; i < vm->n_ranges; i++) {
        const struct vw_crosvm_range *r = &vm->ranges[i];
        if (r->space == space && start >= r->start && start - r->start < r->length)
            return 1;
    }
    return 0;
}

/* A new range [start, start+len) conflicts with a reserved one (CV-MAIN-11).
 * crosvm looks for a reserved range starting in [start, last byte), the
 * last byte excluded (its probe `range(..last)` is exclusive), after
 * is_reserved(start); strict: any overlap. len is non-zero and the range does
 * not wrap. */
static int range_conflicts(const struct vw_crosvm_vm *vm, uint8_t space, uint64_t start, uint64_t len,
                           int strict)
{
    if (start_reserved(vm, space, start))
        return 1;
    for (size_t i = 0; i < vm->n_ranges; i++) {
        const struct vw_crosvm_range *r = &vm->ranges[i];
        if (r->space == space && r->start >= start && r->start - start < (strict ? len : len - 1))
            return 1;
    }
    return 0;
}

const struct vw_crosvm_range *vw_crosvm_vm_find_range(const struct vw_crosvm_vm *vm, int space,
                                                      uint64_t address, uint64_t len)
{
    const struct vw_crosvm_range *best = NULL;
    if (!vm)
        return NULL;
    if (len == 0)
        len = 1;
    /* Of two ranges sharing a byte (CV-MAIN-11) crosvm's first_before()
     * picks the one with the higher start. */
    for (size_t i = 0; i < vm->n_ranges; i++) {
        const struct vw_crosvm_range *r = &vm->ranges[i];
        if (r->space == space && address >= r->start && address - r->start < r->length &&
            len <= r->length - (address - r->start) && (!best || r->start > best->start))
            best = r;
    }
    return best;
}

/* ---- VM state setters: what a VMM restores, or a test presets, without a
 * conversation. Each leaves a state the main channel can reach. */

vw_status vw_crosvm_vm_set_started(struct vw_crosvm_vm *vm, bool started)
{
    if (!vm)
        return VW_E_INVALID_ARG;
    vm->started = started;
    if (!started)
        vm->pause_pending = 0; /* CV-MAIN-19: no pause is pending before Start */
    return VW_OK;
}

vw_status vw_crosvm_vm_add_range(struct vw_crosvm_vm *vm, const struct vw_crosvm_range *r)
{
    if (!vm || !r || r->length == 0 || r->space > 1 || r->start > UINT64_MAX - r->length ||
        r->async_write > 1 || (r->async_write && vm->rev != VW_CROSVM_FINAL))
        return VW_E_INVALID_ARG; /* CV-MAIN-9, CV-MAIN-10; async_write is final's (CV-MAIN-11) */
    if (range_conflicts(vm, r->space, r->start, r->length, 0))
        return VW_E_CONFLICT; /* CV-MAIN-11, crosvm's probe */
    if (vm->n_ranges >= VW_CROSVM_MAX_RANGES)
        return VW_E_CAPACITY;
    vm->ranges[vm->n_ranges++] = *r;
    return VW_OK;
}

vw_status vw_crosvm_vm_set_pause(struct vw_crosvm_vm *vm, unsigned cpu, uint64_t user)
{
    if (!vm || cpu >= VW_CROSVM_MAX_VCPUS || (vm->n_vcpus && cpu >= vm->n_vcpus))
        return VW_E_INVALID_ARG;
    if (!vm->started)
        return VW_E_STATE; /* CV-MAIN-19: before Start a pause does nothing */
    vm->pause_pending |= 1u << cpu;
    vm->pause_user[cpu] = user;
    return VW_OK;
}

/* The hint a SetCallHint request sets (address 0: none). */
static void hint_from(struct vw_crosvm_hint *h, const ProtobufCMessage *sch)
{
    memset(h, 0, sizeof *h);
    h->address = vw_crosvm__u64(sch, VW_CROSVM__F_HINT_ADDRESS);
    if (!h->address)
        return; /* CV-MAIN-24: address 0 clears the hint */
    h->set = true;
    h->space = (uint8_t)vw_crosvm__u64(sch, VW_CROSVM__F_HINT_SPACE);
    h->on_write = (bool)vw_crosvm__u64(sch, VW_CROSVM__F_HINT_ON_WRITE);
    size_t n = vw_crosvm__count(sch, VW_CROSVM__F_HINT_DETAILS);
    h->cut = n > VW_CROSVM_MAX_HINT_DETAILS;
    h->n_details = h->cut ? VW_CROSVM_MAX_HINT_DETAILS : n;
    for (size_t i = 0; i < h->n_details; i++) {
        const ProtobufCMessage *d = vw_crosvm__elem(sch, VW_CROSVM__F_HINT_DETAILS, i);
        struct vw_crosvm_hint_detail *o = &h->details[i];
        for (unsigned r = 0; r < 4; r++) {
            o->match |= (uint8_t)((vw_crosvm__u64(d, VW_CROSVM__F_REG_MATCH_RAX + r) != 0) << r);
            o->reg[r] = vw_crosvm__u64(d, VW_CROSVM__F_REG_RAX + r);
        }
        o->send_sregs = (bool)vw_crosvm__u64(d, VW_CROSVM__F_REG_SEND_SREGS);
        o->send_debugregs = (bool)vw_crosvm__u64(d, VW_CROSVM__F_REG_SEND_DEBUGREGS);
    }
}

static struct vw_crosvm_range *range_at(struct vw_crosvm_vm *vm, uint8_t space, uint64_t start)
{
    for (size_t i = 0; i < vm->n_ranges; i++)
        if (vm->ranges[i].space == space && vm->ranges[i].start == start)
            return &vm->ranges[i];
    return NULL;
}

static void range_del(struct vw_crosvm_vm *vm, uint8_t space, uint64_t start)
{
    struct vw_crosvm_range *r = range_at(vm, space, start);
    if (r)
        *r = vm->ranges[--vm->n_ranges];
}

/* ---- engine ---------------------------------------------------------------- */

vw_status vw_crosvm_main_init(struct vw_crosvm_main *m, const struct vw_crosvm_main_config *cfg)
{
    if (!m || !cfg || !cfg->vm || !cfg->arena ||
        (cfg->role != VW_CROSVM_HOST && cfg->role != VW_CROSVM_PLUGIN))
        return VW_E_INVALID_ARG;
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->state = M_IDLE;
    return VW_OK;
}

/* fds the answer to a successful request carries (CV-FD-2); for GetVcpus
 * the count the host sends. */
static unsigned answer_fds(const struct vw_crosvm_vm *vm, uint32_t req, uint32_t ctor)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    if (req == n->create)
        return ctor == 2 ? 1 : ctor == 4 ? 2 : 0;
    if (req == n->new_connection || req == n->get_shutdown_eventfd ||
        (n->get_net_config && req == n->get_net_config))
        return 1;
    if (req == n->get_vcpus)
        return vm->rev == VW_CROSVM_SEED ? vm->n_vcpus : 2 * vm->n_vcpus;
    return 0;
}

static vw_status decode(struct vw_crosvm_main *m, enum vw_crosvm_kind kind, const uint8_t *in,
                        size_t len, ProtobufCMessage **msg)
{
    size_t off = 0;
    const uint8_t *view;
    size_t view_len;
    vw_arena_reset(m->cfg.arena);
    /* CV-PB-18: decode what crosvm's rust-protobuf decodes */
    vw_status st = vw_crosvm__rust_view(m->cfg.vm->rev, kind, in, len, m->cfg.arena, &view, &view_len, &off);
    if (st == VW_OK)
        st = vw_crosvm_decode(m->cfg.vm->rev, kind, view, view_len, m->cfg.arena, msg, &off);
    if (st != VW_OK)
        m->err_off = off;
    return st;
}

/* Host: the errno of a Create{memory} that has its memfd, in crosvm's order
 * (process.rs handle_memory, then the kvm crate's add_memory_region, seed
 * add_device_memory). The memfd's seals (EPERM) and size (EINVAL) are the
 * caller's to check (vw_crosvm_main_fail()). Failures of mmap and of the
 * KVM ioctl are syscall errnos (*kvm set: positive in seed too). */
static int32_t memory_errno(enum vw_crosvm_revision rev, const ProtobufCMessage *mem, bool *kvm)
{
    uint64_t off = vw_crosvm__u64(mem, VW_CROSVM__F_MEM_OFFSET), start = vw_crosvm__u64(mem, VW_CROSVM__F_MEM_START),
             len = vw_crosvm__u64(mem, VW_CROSVM__F_MEM_LENGTH);
    if (off > UINT64_MAX - len)
        return VW_CROSVM_EOVERFLOW; /* offset + length */
    *kvm = true;
    if ((off & 0xfff) || len == 0)
        return VW_CROSVM_EINVAL; /* mmap of the memfd */
    if (start > UINT64_MAX - len) { /* start + length */
        if (rev == VW_CROSVM_SEED)
            return VW_CROSVM_EINVAL; /* no check of crosvm's: KVM refuses the slot */
        *kvm = false;
        return VW_CROSVM_EOVERFLOW; /* final: add_memory_region */
    }
    if ((start | len) & 0xfff)
        return VW_CROSVM_EINVAL; /* KVM_SET_USER_MEMORY_REGION */
    *kvm = false;
    return 0;
}

/* Host: apply one decoded request; returns the errno of the answer (positive)
 * and fills ev. Records how to undo the effect. */
static int32_t host_apply(struct vw_crosvm_main *m, const ProtobufCMessage *req, unsigned nfds,
                          struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    uint32_t c = vw_crosvm__case(req);
    const ProtobufCMessage *s = vw_crosvm__sub(req, c);
    m->undo = UNDO_NONE;
    m->kvm_err = false;
    if (c == 0)
        return VW_CROSVM_ENOTTY; /* CV-MAIN-3 */
    if (c == n->create) {
        uint32_t k = vw_crosvm__case(s);
        const ProtobufCMessage *ctor = vw_crosvm__sub(s, k);
        struct vw_crosvm_object o = { (uint32_t)vw_crosvm__u64(s, VW_CROSVM__F_OBJ_ID), (uint8_t)k, 0 };
        m->pending_ctor = k;
        if (obj_find(vm, o.id))
            return VW_CROSVM_EEXIST; /* CV-MAIN-5: the id is looked up first */
        if (k == VW_CROSVM__F_CTOR_NONE)
            return VW_CROSVM_ENOTTY; /* CV-MAIN-4 */
        if (k == VW_CROSVM__F_CTOR_MEMORY) {
            if (nfds == 0)
                return VW_CROSVM_EBADF; /* CV-FD-1 */
            o.dirty_log = (bool)vw_crosvm__u64(ctor, VW_CROSVM__F_MEM_DIRTY_LOG);
            int32_t e = memory_errno(vm->rev, ctor, &m->kvm_err); /* CV-MAIN-7 */
            if (e)
                return e;
        } else if (vw_crosvm_validate(vm->rev, VW_CROSVM_MAIN_REQUEST, req, 0) != VW_OK) {
            return VW_CROSVM_EINVAL; /* CV-MAIN-6 */
        }
        if (obj_add(vm, &o))
            return VW_CROSVM_ENOMEM;
        m->undo = UNDO_DEL_OBJ;
        m->undo_obj = o;
        return 0;
    }
    if (c == n->destroy) {
        struct vw_crosvm_object *o = obj_find(vm, (uint32_t)vw_crosvm__u64(s, VW_CROSVM__F_OBJ_ID));
        if (!o)
            return VW_CROSVM_ENOENT; /* CV-MAIN-8 */
        m->undo = UNDO_ADD_OBJ;
        m->undo_obj = *o;
        obj_del(vm, o->id);
        return 0;
    }
    if (c == n->reserve_range) {
        uint8_t space = (uint8_t)vw_crosvm__u64(s, VW_CROSVM__F_RANGE_SPACE);
        uint64_t start = vw_crosvm__u64(s, VW_CROSVM__F_RANGE_START), len = vw_crosvm__u64(s, VW_CROSVM__F_RANGE_LENGTH);
        if (!vw_crosvm__enum_named(s, VW_CROSVM__F_RANGE_SPACE, (int32_t)vw_crosvm__u64(s, VW_CROSVM__F_RANGE_SPACE)))
            return VW_CROSVM_EINVAL; /* CV-MAIN-9 */
        if (len == 0) {            /* CV-MAIN-10: unreserve */
            struct vw_crosvm_range *r = range_at(vm, space, start);
            if (!r)
                return VW_CROSVM_ENOENT;
            m->undo = UNDO_ADD_RANGE;
            m->undo_range = *r;
            range_del(vm, space, start);
            return 0;
        }
        /* crosvm's order (vcpu.rs reserve_range): start inside a range,
         * then the end wrapping, then the overlap probe. */
        if (start_reserved(vm, space, start))
            return VW_CROSVM_EPERM; /* CV-MAIN-11 */
        if (start > UINT64_MAX - len)
            return VW_CROSVM_EINVAL; /* CV-MAIN-9 */
        if (range_conflicts(vm, space, start, len, m->cfg.strict))
            return VW_CROSVM_EPERM; /* CV-MAIN-11 */
        if (vm->n_ranges >= VW_CROSVM_MAX_RANGES)
            return VW_CROSVM_ENOMEM;
        struct vw_crosvm_range r = { start, len, space,
                                     (uint8_t)(vm->rev == VW_CROSVM_FINAL && vw_crosvm__u64(s, VW_CROSVM__F_RANGE_ASYNC)) };
        vm->ranges[vm->n_ranges++] = r;
        m->undo = UNDO_DEL_RANGE;
        m->undo_range = r;
        return 0;
    }
    if (c == n->start) {
        if (vm->started)
            return VW_CROSVM_EINVAL; /* CV-MAIN-18 */
        vm->started = true;
        m->undo = UNDO_START;
        return 0;
    }
    if (c == n->pause_vcpus) {
        if (vm->started) { /* CV-MAIN-19: before Start a pause does nothing */
            uint64_t mask = vw_crosvm__u64(s, VW_CROSVM__F_PAUSE_MASK);
            for (unsigned i = 0; i < vm->n_vcpus; i++) {
                if (mask >> i & 1) {
                    vm->pause_pending |= 1u << i;
                    vm->pause_user[i] = vw_crosvm__u64(s, VW_CROSVM__F_PAUSE_USER);
                }
            }
        }
        return 0;
    }
    if (c == n->dirty_log) {
        struct vw_crosvm_object *o = obj_find(vm, (uint32_t)vw_crosvm__u64(s, VW_CROSVM__F_OBJ_ID));
        if (!o || o->kind != 3)
            return VW_CROSVM_ENOENT; /* CV-MAIN-8 */
        if (!o->dirty_log) {
            m->kvm_err = true; /* KVM_GET_DIRTY_LOG fails: no bitmap for the slot */
            return VW_CROSVM_ENOENT;
        }
        ev->app_reply = true;
        return 0;
    }
    if (n->get_net_config && c == n->get_net_config) {
        if (!vm->has_tap)
            return VW_CROSVM_ENODATA; /* CV-MAIN-16 */
        ev->app_reply = true;
        return 0;
    }
    if (c == n->set_irq_routing || (n->set_state && c == n->set_state) ||
        (n->get_state && c == n->get_state) || (n->set_call_hint && c == n->set_call_hint)) {
        if (vw_crosvm_validate(vm->rev, VW_CROSVM_MAIN_REQUEST, req, 0) != VW_OK)
            return VW_CROSVM_EINVAL; /* CV-MAIN-12..14 */
        if (n->get_state && c == n->get_state)
            ev->app_reply = true;
        if (n->set_call_hint && c == n->set_call_hint) { /* CV-MAIN-24: replaces the hint */
            m->undo_hint = vm->hint;
            hint_from(&vm->hint, s);
            m->undo = UNDO_HINT;
        }
        return 0;
    }
    if ((n->check_extension && c == n->check_extension) ||
        (n->get_supported_cpuid && c == n->get_supported_cpuid) ||
        (n->get_emulated_cpuid && c == n->get_emulated_cpuid) ||
        (n->get_msr_index_list && c == n->get_msr_index_list)) {
        ev->app_reply = true;
        return 0;
    }
    if (c == n->new_connection || c == n->get_shutdown_eventfd || c == n->get_vcpus ||
        c == n->set_irq || c == n->set_identity_map_addr)
        return 0;
    return VW_CROSVM_ENOTTY; /* a member this revision does not define */
}

static void undo(struct vw_crosvm_main *m)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    switch (m->undo) {
    case UNDO_DEL_OBJ: obj_del(vm, m->undo_obj.id); break;
    case UNDO_ADD_OBJ: obj_add(vm, &m->undo_obj); break;
    case UNDO_DEL_RANGE: range_del(vm, m->undo_range.space, m->undo_range.start); break;
    case UNDO_ADD_RANGE:
        if (vm->n_ranges < VW_CROSVM_MAX_RANGES)
            vm->ranges[vm->n_ranges++] = m->undo_range;
        break;
    case UNDO_START: vm->started = false; break;
    case UNDO_HINT: vm->hint = m->undo_hint; break;
    default: break;
    }
    m->undo = UNDO_NONE;
}

static vw_status host_feed(struct vw_crosvm_main *m, const uint8_t *in, size_t len, unsigned nfds,
                           struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    ProtobufCMessage *req;
    if (m->state != M_IDLE)
        return VW_E_STATE; /* CV-MAIN-15: one request at a time */
    if (len == 0) { /* CV-MAIN-21: crosvm takes an empty datagram for a hang-up */
        m->state = M_FAILED;
        ev->end = VW_CROSVM_END_CONNECTION;
        ev->fds_dropped = nfds;
        return VW_E_CLOSED;
    }
    if (len > VW_CROSVM_MAX_MAIN_REQUEST) {
        if (m->cfg.strict) { /* CV-MAIN-2, strict */
            m->err_off = VW_CROSVM_MAX_MAIN_REQUEST;
            m->state = M_FAILED;
            ev->end = VW_CROSVM_END_CONNECTION;
            ev->fds_dropped = nfds;
            return VW_E_TOO_LONG;
        }
        len = VW_CROSVM_MAX_MAIN_REQUEST; /* CV-MAIN-2: crosvm parses what fits its buffer */
    }
    vw_status st = decode(m, VW_CROSVM_MAIN_REQUEST, in, len, &req);
    if (st == VW_OK && vm->rev == VW_CROSVM_SEED && vw_crosvm__unnamed_enum(req)) {
        st = VW_E_BAD_ENUM; /* CV-MAIN-23: rust-protobuf 1.4.3 cannot decode it */
        m->err_off = 0;
    }
    if (st != VW_OK) {
        if (st != VW_E_NOMEM) { /* CV-MAIN-2: the connection (seed before Start: the run) ends */
            m->state = M_FAILED;
            ev->end = vm->rev == VW_CROSVM_SEED && !vm->started ? VW_CROSVM_END_RUN
                                                                : VW_CROSVM_END_CONNECTION;
            ev->fds_dropped = nfds;
        }
        return st;
    }
    uint32_t c = vw_crosvm__case(req);
    uint32_t k = c == vw_crosvm__nums(vm->rev)->create ? vw_crosvm__case(vw_crosvm__sub(req, c)) : 0;
    /* CV-FD-1: crosvm takes at most one fd, and uses it only for Create.memory. */
    unsigned taken = k == VW_CROSVM__F_CTOR_MEMORY && nfds ? 1u : 0u;
    if (m->cfg.strict && nfds != taken)
        return VW_E_BAD_FDS; /* CV-FD-1, strict */
    ev->msg = req;
    ev->request = c;
    ev->fds_in = taken;
    ev->fds_dropped = nfds - taken;
    m->pending = c;
    m->pending_ctor = k;
    int32_t err = host_apply(m, req, taken, ev);
    ev->err = err;
    if (err == 0 && ev->app_reply) {
        ev->fds_out = answer_fds(vm, c, k);
        m->state = M_AWAIT_APP;
        return VW_OK;
    }
    ev->app_reply = false;
    ev->fds_out = err ? 0 : answer_fds(vm, c, k);
    /* ENODATA for GetNetConfig leaves the oneof empty (CV-MAIN-16). */
    uint32_t field = c == 0 || err == VW_CROSVM_ENODATA ? 0 : vw_crosvm__main_answer(c);
    /* CV-REV-2: crosvm's own refusals have the revision's sign, a KVM
     * failure is positive in both */
    m->out_len = m->kvm_err ? vw_crosvm__answer_wire(m->out, err, field)
                            : vw_crosvm__answer(m->out, vm->rev, err, field);
    m->state = M_QUEUED;
    return VW_OK;
}

static int answer_matches(uint32_t pending, const ProtobufCMessage *resp)
{
    uint32_t c = vw_crosvm__case(resp);
    if (c == vw_crosvm__main_answer(pending))
        return 1;
    return c == 0 && vw_crosvm__u64(resp, VW_CROSVM__F_ERRNO) != 0; /* CV-MAIN-16 */
}

static vw_status host_send(struct vw_crosvm_main *m, const uint8_t *msg, size_t len, unsigned nfds,
                           struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    ProtobufCMessage *resp;
    if (m->state != M_AWAIT_APP)
        return VW_E_STATE;
    vw_status st = decode(m, VW_CROSVM_MAIN_RESPONSE, msg, len, &resp);
    if (st == VW_OK)
        st = vw_crosvm_validate(vm->rev, VW_CROSVM_MAIN_RESPONSE, resp, len);
    if (st != VW_OK)
        return st;
    if (!answer_matches(m->pending, resp))
        return VW_E_MISMATCH;
    int32_t e = (int32_t)vw_crosvm__u64(resp, VW_CROSVM__F_ERRNO);
    unsigned want = e ? 0 : answer_fds(vm, m->pending, m->pending_ctor);
    if (nfds != want)
        return VW_E_BAD_FDS; /* CV-FD-2 */
    ev->msg = resp; /* ev is never NULL: vw_crosvm_main_check_out() gives a local (VW_ENGINE_EVENT) */
    ev->request = m->pending;
    ev->err = vw_crosvm__errno_abs(e);
    ev->fds_in = nfds;
    if (e)
        undo(m);
    m->state = M_IDLE;
    return VW_OK;
}

static vw_status plugin_send(struct vw_crosvm_main *m, const uint8_t *msg, size_t len, unsigned nfds,
                             struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    ProtobufCMessage *req;
    int strict = m->cfg.strict;
    if (m->state != M_IDLE)
        return VW_E_STATE; /* CV-MAIN-15 */
    if (strict && len > VW_CROSVM_MAX_MAIN_REQUEST)
        return VW_E_TOO_LONG; /* CV-MAIN-2, strict */
    vw_status st = decode(m, VW_CROSVM_MAIN_REQUEST, msg, len, &req);
    if (st == VW_OK)
        st = vw_crosvm_validate(vm->rev, VW_CROSVM_MAIN_REQUEST, req, strict ? len : 0);
    uint32_t c = st == VW_OK || st == VW_E_BAD_VALUE ? vw_crosvm__case(req) : 0;
    const ProtobufCMessage *s = vw_crosvm__sub(req, c);
    uint32_t k = c == n->create ? vw_crosvm__case(s) : 0;
    if (st == VW_E_BAD_VALUE && !strict && k == VW_CROSVM__F_CTOR_MEMORY) {
        /* CV-MAIN-7: crosvm_plugin checks only that offset and length are
         * page multiples; the host answers the rest */
        const ProtobufCMessage *mem = vw_crosvm__sub(s, VW_CROSVM__F_CTOR_MEMORY);
        if (!((vw_crosvm__u64(mem, VW_CROSVM__F_MEM_OFFSET) | vw_crosvm__u64(mem, VW_CROSVM__F_MEM_LENGTH)) & 0xfff))
            st = VW_OK;
    } else if (st == VW_E_BAD_VALUE && !strict && c == n->reserve_range) {
        st = VW_OK; /* CV-MAIN-9: the client sends a wrapping range; the host refuses it */
    }
    if (st != VW_OK)
        return st;
    if (nfds != (k == VW_CROSVM__F_CTOR_MEMORY ? 1u : 0u))
        return VW_E_BAD_FDS; /* CV-FD-1 */
    if (strict && c == n->start && vm->started)
        return VW_E_STATE; /* CV-MAIN-18, strict */
    if (strict && c == n->new_connection && vm->started)
        return VW_E_STATE; /* CV-MAIN-20, strict */
    m->pending = c;
    m->pending_ctor = k;
    m->undo = UNDO_NONE;
    if (c == n->create) {
        m->undo_obj.id = (uint32_t)vw_crosvm__u64(s, VW_CROSVM__F_OBJ_ID);
        m->undo_obj.kind = (uint8_t)k;
        m->undo_obj.dirty_log = (bool)vw_crosvm__u64(vw_crosvm__sub(s, k), VW_CROSVM__F_MEM_DIRTY_LOG);
    } else if (c == n->destroy) {
        m->undo_obj.id = (uint32_t)vw_crosvm__u64(s, VW_CROSVM__F_OBJ_ID);
    } else if (c == n->reserve_range) {
        m->undo_range.space = (uint8_t)vw_crosvm__u64(s, VW_CROSVM__F_RANGE_SPACE);
        m->undo_range.start = vw_crosvm__u64(s, VW_CROSVM__F_RANGE_START);
        m->undo_range.length = vw_crosvm__u64(s, VW_CROSVM__F_RANGE_LENGTH);
        m->undo_range.async_write = (uint8_t)(vm->rev == VW_CROSVM_FINAL && vw_crosvm__u64(s, VW_CROSVM__F_RANGE_ASYNC));
    } else if (c == n->pause_vcpus) {
        m->pause_mask = vw_crosvm__u64(s, VW_CROSVM__F_PAUSE_MASK);
        m->pause_user = vw_crosvm__u64(s, VW_CROSVM__F_PAUSE_USER);
    } else if (n->set_call_hint && c == n->set_call_hint) {
        hint_from(&m->undo_hint, s);
    }
    ev->msg = req; /* never NULL, as in host_send() */
    ev->request = c;
    ev->fds_in = nfds;
    m->state = M_AWAIT_RESPONSE;
    return VW_OK;
}

/* Plugin: mirror the effect of a successful answer into the VM state. */
static void plugin_apply(struct vw_crosvm_main *m, unsigned nfds)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    uint32_t c = m->pending;
    if (c == n->create) {
        obj_add(vm, &m->undo_obj);
    } else if (c == n->destroy) {
        obj_del(vm, m->undo_obj.id);
    } else if (c == n->reserve_range) {
        if (m->undo_range.length == 0)
            range_del(vm, m->undo_range.space, m->undo_range.start);
        else if (vm->n_ranges < VW_CROSVM_MAX_RANGES)
            vm->ranges[vm->n_ranges++] = m->undo_range;
    } else if (c == n->start) {
        vm->started = true;
    } else if (n->set_call_hint && c == n->set_call_hint) {
        vm->hint = m->undo_hint;
    } else if (c == n->get_vcpus) {
        vm->n_vcpus = vm->rev == VW_CROSVM_SEED ? nfds : nfds / 2;
    } else if (c == n->pause_vcpus && vm->started) {
        for (unsigned i = 0; i < vm->n_vcpus; i++) {
            if (m->pause_mask >> i & 1) {
                vm->pause_pending |= 1u << i;
                vm->pause_user[i] = m->pause_user;
            }
        }
    }
}

/* Plugin: a success the VM state says the host could not have given (the
 * rules of the request make it fail). The mirror is exact as long as no two
 * connections have requests on the same object or range in flight at once. */
static vw_status plugin_check(const struct vw_crosvm_main *m)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    uint32_t c = m->pending;
    if (c == n->create)
        return obj_find(vm, m->undo_obj.id) ? VW_E_CONFLICT : VW_OK; /* CV-MAIN-5 */
    if (c == n->destroy)
        return obj_find(vm, m->undo_obj.id) ? VW_OK : VW_E_NOT_FOUND; /* CV-MAIN-8 */
    if (c == n->start && vm->started)
        return VW_E_CONFLICT; /* CV-MAIN-18: a second Start cannot succeed */
    if (c == n->reserve_range) {
        const struct vw_crosvm_range *r = &m->undo_range;
        if (r->length == 0) /* CV-MAIN-10 */
            return range_at(vm, r->space, r->start) ? VW_OK : VW_E_NOT_FOUND;
        if (r->start > UINT64_MAX - r->length ||
            range_conflicts(vm, r->space, r->start, r->length, m->cfg.strict))
            return VW_E_CONFLICT; /* CV-MAIN-11 */
    }
    return VW_OK;
}

static vw_status plugin_feed(struct vw_crosvm_main *m, const uint8_t *in, size_t len, unsigned nfds,
                             struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_vm *vm = m->cfg.vm;
    const struct vw_crosvm__nums *n = vw_crosvm__nums(vm->rev);
    ProtobufCMessage *resp;
    if (m->state != M_AWAIT_RESPONSE)
        return VW_E_STATE; /* CV-MAIN-15: no answer without a request */
    if (len > VW_CROSVM_MAX_MESSAGE)
        return VW_E_TOO_LONG; /* CV-MAIN-2 */
    vw_status st = decode(m, VW_CROSVM_MAIN_RESPONSE, in, len, &resp);
    if (st == VW_OK)
        st = vw_crosvm_validate(vm->rev, VW_CROSVM_MAIN_RESPONSE, resp, len);
    if (st != VW_OK)
        return st;
    if (!answer_matches(m->pending, resp))
        return VW_E_MISMATCH; /* CV-MAIN-15 */
    int32_t e = (int32_t)vw_crosvm__u64(resp, VW_CROSVM__F_ERRNO);
    unsigned dropped = 0;
    if (nfds > VW_CROSVM_MAX_FDS) {
        if (m->cfg.strict)
            return VW_E_BAD_FDS; /* CV-FD-3, strict */
        /* CV-FD-3: the client's control buffer holds 32 fds and it does not
         * check MSG_CTRUNC; the kernel closes the others. */
        dropped = nfds - VW_CROSVM_MAX_FDS;
        nfds = VW_CROSVM_MAX_FDS;
    }
    if (e == 0 && m->pending == n->get_vcpus) {
        unsigned per = vm->rev == VW_CROSVM_SEED ? 1 : 2;
        if (nfds == 0 || nfds % per || (vm->n_vcpus && nfds != per * vm->n_vcpus) ||
            nfds / per > (vm->rev == VW_CROSVM_SEED ? VW_CROSVM_MAX_VCPUS : VW_CROSVM_MAX_VCPUS_FINAL))
            return VW_E_BAD_FDS; /* CV-FD-2 */
    } else if (nfds != (e ? 0 : answer_fds(vm, m->pending, m->pending_ctor))) {
        return VW_E_BAD_FDS; /* CV-FD-2 */
    }
    if (e == 0) {
        st = plugin_check(m);
        if (st != VW_OK)
            return st;
        plugin_apply(m, nfds);
    }
    ev->msg = resp;
    ev->request = m->pending;
    ev->err = vw_crosvm__errno_abs(e);
    ev->fds_in = nfds;
    ev->fds_dropped = dropped;
    m->state = M_IDLE;
    return VW_OK;
}

/* The event's kind (doc/CONVENTIONS.md, the engine contract): what this end
 * read (incoming) or checked before sending (outgoing); a host reads
 * requests and sends responses, a plugin the other way round. */
static enum vw_crosvm_event_kind ev_kind(const struct vw_crosvm_main *m, const struct vw_crosvm_main_event *ev,
                                         int incoming)
{
    if (!ev->msg)
        return VW_CROSVM_EV_NONE;
    return (m->cfg.role == VW_CROSVM_HOST) == incoming ? VW_CROSVM_EV_REQUEST : VW_CROSVM_EV_RESPONSE;
}

vw_status vw_crosvm_main_feed(struct vw_crosvm_main *m, const uint8_t *in, size_t len,
                              unsigned nfds, struct vw_crosvm_main_event *ev, size_t *consumed)
{
    struct vw_crosvm_main_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    vw_status st = vw_engine__feed_args(m, in, len, consumed);
    if (st != VW_OK)
        return st;
    m->err_off = 0;
    if (m->state == M_FAILED)
        return VW_E_FAILED;
    if (!(vw_crosvm_main_state(m) & VW_ENGINE_WANT_INPUT))
        return VW_E_STATE; /* CV-MAIN-15: host, one request at a time; plugin, no answer without a request */
    st = m->cfg.role == VW_CROSVM_HOST ? host_feed(m, in, len, nfds, ev)
                                       : plugin_feed(m, in, len, nfds, ev);
    ev->kind = ev_kind(m, ev, 1);
    *consumed = len; /* a datagram is read whole, answered or refused */
    return st;
}

vw_status vw_crosvm_main_check_out(struct vw_crosvm_main *m, const uint8_t *msg, size_t len,
                                   unsigned nfds, struct vw_crosvm_main_event *ev)
{
    struct vw_crosvm_main_event dummy;
    VW_ENGINE_EVENT(ev, dummy);
    if (!m || (!msg && len))
        return VW_E_INVALID_ARG;
    m->err_off = 0;
    if (m->state == M_FAILED)
        return VW_E_FAILED;
    vw_status st = m->cfg.role == VW_CROSVM_HOST ? host_send(m, msg, len, nfds, ev)
                                                 : plugin_send(m, msg, len, nfds, ev);
    ev->kind = ev_kind(m, ev, 0);
    return st;
}

vw_status vw_crosvm_main_fail(struct vw_crosvm_main *m, int32_t err)
{
    if (!m || err == 0 || err == INT32_MIN || m->cfg.role != VW_CROSVM_HOST)
        return VW_E_INVALID_ARG;
    if (m->state != M_QUEUED && m->state != M_AWAIT_APP)
        return VW_E_STATE;
    undo(m);
    /* CV-REV-2: a KVM or syscall failure (positive) goes out positive in both
     * revisions (seed: errno_result()); crosvm's own refusals (negative) keep
     * their sign in seed and are positive in final. */
    int32_t wire = err > 0 || m->cfg.vm->rev == VW_CROSVM_SEED ? err : -err;
    m->out_len = vw_crosvm__answer_wire(m->out, wire, m->pending ? vw_crosvm__main_answer(m->pending) : 0);
    m->state = M_QUEUED;
    return VW_OK;
}

vw_status vw_crosvm_main_output(struct vw_crosvm_main *m, uint8_t *out, size_t cap, size_t *written)
{
    vw_status s = vw_engine__output_args(m, out, cap, written);
    if (s != VW_OK || m->state != M_QUEUED)
        return s;
    int taken;
    s = vw_engine__output_copy(m->out, m->out_len, out, cap, written, &taken);
    if (taken)
        m->state = M_IDLE;
    return s;
}

size_t vw_crosvm_main_error_offset(const struct vw_crosvm_main *m)
{
    return m ? m->err_off : 0;
}

unsigned vw_crosvm_main_state(const struct vw_crosvm_main *m)
{
    if (!m)
        return 0;
    int host = m->cfg.role == VW_CROSVM_HOST;
    switch (m->state) {
    case M_FAILED: return VW_ENGINE_FAILED;
    case M_QUEUED: return VW_ENGINE_HAVE_OUTPUT;
    case M_AWAIT_APP: return VW_ENGINE_WAIT_APP;
    case M_AWAIT_RESPONSE: return host ? 0 : VW_ENGINE_WANT_INPUT;
    default: return host ? VW_ENGINE_WANT_INPUT : VW_ENGINE_WAIT_APP; /* idle */
    }
}
