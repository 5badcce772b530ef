/* crosvm rules beyond protobuf (spec/crosvm.md): required oneofs, enum
 * ranges, KVM state-blob sizes, I/O lengths, errno sign, size limits. */
#include "crosvm/internal.h"

/* sizeof the x86_64 KVM structs named by the StateSet enums (linux/kvm.h). */
static const size_t vcpu_sizes[8] = {
    144,  /* REGS      struct kvm_regs */
    312,  /* SREGS     struct kvm_sregs */
    416,  /* FPU       struct kvm_fpu */
    128,  /* DEBUGREGS struct kvm_debugregs */
    1024, /* LAPIC     struct kvm_lapic_state */
    4,    /* MP        struct kvm_mp_state */
    392,  /* XCREGS    struct kvm_xcrs */
    64,   /* EVENTS    struct kvm_vcpu_events */
};
static const size_t vm_sizes[5] = {
    16,  /* PIC0   struct kvm_pic_state */
    16,  /* PIC1   struct kvm_pic_state */
    216, /* IOAPIC struct kvm_ioapic_state */
    112, /* PIT    struct kvm_pit_state2 */
    48,  /* CLOCK  struct kvm_clock_data */
};

size_t vw_crosvm_state_size(enum vw_crosvm_revision rev, int vcpu, int32_t set)
{
    if (set < 0)
        return 0;
    if (vcpu) {
        int32_t n = rev == VW_CROSVM_FINAL ? 8 : 4;
        return set < n ? vcpu_sizes[set] : 0;
    }
    if (rev != VW_CROSVM_FINAL)
        return 0;
    return set < 5 ? vm_sizes[set] : 0;
}

/* A blob holding one of the three register structs, or empty (none). */
static vw_status optional_blob(const ProtobufCMessage *m, uint32_t num, size_t size)
{
    size_t len = vw_crosvm__bytes(m, num).len;
    return len == 0 || len == size ? VW_OK : VW_E_BAD_LENGTH;
}

static vw_status state_blob(enum vw_crosvm_revision rev, int vcpu, const ProtobufCMessage *m)
{
    if (!vw_crosvm__enum_named(m, 1, (int32_t)vw_crosvm__u64(m, 1)))
        return VW_E_BAD_ENUM;
    size_t want = vw_crosvm_state_size(rev, vcpu, (int32_t)vw_crosvm__u64(m, 1));
    return vw_crosvm__bytes(m, 2).len == want ? VW_OK : VW_E_BAD_LENGTH;
}

static vw_status space_ok(const ProtobufCMessage *m, uint32_t num)
{
    return vw_crosvm__enum_named(m, num, (int32_t)vw_crosvm__u64(m, num)) ? VW_OK : VW_E_BAD_ENUM;
}

static vw_status main_request(enum vw_crosvm_revision rev, const ProtobufCMessage *m)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    uint32_t c = vw_crosvm__case(m);
    const ProtobufCMessage *s = vw_crosvm__sub(m, c);
    vw_status st;
    if (c == 0)
        return VW_E_MISSING_FIELD; /* CV-MAIN-3 */
    if (c == n->create) {
        uint32_t k = vw_crosvm__case(s);
        const ProtobufCMessage *ctor = vw_crosvm__sub(s, k);
        if (k == 0)
            return VW_E_MISSING_FIELD; /* CV-MAIN-4 */
        if (k == 2) {              /* io_event */
            if ((st = space_ok(ctor, 1)) != VW_OK)
                return st;
            uint64_t l = vw_crosvm__u64(ctor, 3);
            if (l != 0 && l != 1 && l != 2 && l != 4 && l != 8)
                return VW_E_BAD_VALUE; /* CV-MAIN-6 */
        } else if (k == 3) { /* memory: page granular, no wrap (CV-MAIN-7) */
            uint64_t off = vw_crosvm__u64(ctor, 1), start = vw_crosvm__u64(ctor, 2),
                     len = vw_crosvm__u64(ctor, 3);
            if ((off | start | len) & 0xfff)
                return VW_E_BAD_VALUE;
            if (len == 0 || off > UINT64_MAX - len || start > UINT64_MAX - len)
                return VW_E_BAD_VALUE;
        }
    } else if (c == n->reserve_range) {
        if ((st = space_ok(s, 1)) != VW_OK)
            return st;
        uint64_t start = vw_crosvm__u64(s, 2), len = vw_crosvm__u64(s, 3);
        if (start > UINT64_MAX - len)
            return VW_E_BAD_VALUE; /* CV-MAIN-9 */
    } else if (c == n->set_irq_routing) {
        size_t cnt = vw_crosvm__count(s, 1);
        for (size_t i = 0; i < cnt; i++)
            if (vw_crosvm__case(vw_crosvm__elem(s, 1, i)) == 0)
                return VW_E_MISSING_FIELD; /* CV-MAIN-12 */
    } else if (n->get_state && c == n->get_state) {
        if (!vw_crosvm__enum_named(s, 1, (int32_t)vw_crosvm__u64(s, 1)))
            return VW_E_BAD_ENUM;
    } else if (n->set_state && c == n->set_state) {
        return state_blob(rev, 0, s); /* CV-MAIN-13 */
    } else if (n->set_call_hint && c == n->set_call_hint) {
        return space_ok(s, 1); /* CV-MAIN-14: any number of hints */
    }
    return VW_OK;
}

/* CV-REV-2: the final revision sends 0 or a positive errno. Seed crosvm
 * sends its own refusals negative and syscall failures positive, so either
 * sign is valid there. */
static vw_status errno_sign(enum vw_crosvm_revision rev, const ProtobufCMessage *m)
{
    int32_t e = (int32_t)vw_crosvm__u64(m, 1);
    if (rev == VW_CROSVM_FINAL && e < 0)
        return VW_E_BAD_VALUE;
    return VW_OK;
}

static vw_status main_response(enum vw_crosvm_revision rev, const ProtobufCMessage *m)
{
    vw_status st = errno_sign(rev, m);
    if (st != VW_OK)
        return st;
    uint32_t c = vw_crosvm__case(m);
    if (vw_crosvm__u64(m, 1) != 0)
        return VW_OK; /* a failure may leave the oneof empty (CV-MAIN-16) */
    if (c == 0)
        return VW_E_MISSING_FIELD; /* CV-MAIN-16 */
    if (rev == VW_CROSVM_FINAL && c == 10) { /* get_net_config: a MAC address */
        if (vw_crosvm__bytes(vw_crosvm__sub(m, c), 1).len != 6)
            return VW_E_BAD_LENGTH; /* CV-MAIN-17 */
    }
    return VW_OK;
}

static vw_status vcpu_request(enum vw_crosvm_revision rev, const ProtobufCMessage *m)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    uint32_t c = vw_crosvm__case(m);
    const ProtobufCMessage *s = vw_crosvm__sub(m, c);
    vw_status st;
    if (c == 0)
        return VW_E_MISSING_FIELD; /* CV-VCPU-3 */
    if (c == n->v_get_state) {
        if (!vw_crosvm__enum_named(s, 1, (int32_t)vw_crosvm__u64(s, 1)))
            return VW_E_BAD_ENUM;
    } else if (c == n->v_set_state) {
        return state_blob(rev, 1, s); /* CV-VCPU-4 */
    } else if (c == n->v_resume && rev == VW_CROSVM_FINAL) {
        if ((st = optional_blob(s, 2, vcpu_sizes[0])) != VW_OK ||
            (st = optional_blob(s, 3, vcpu_sizes[1])) != VW_OK ||
            (st = optional_blob(s, 4, vcpu_sizes[3])) != VW_OK)
            return st; /* CV-VCPU-5 */
    }
    return VW_OK;
}

static vw_status vcpu_response(enum vw_crosvm_revision rev, const ProtobufCMessage *m)
{
    const struct vw_crosvm__nums *n = vw_crosvm__nums(rev);
    vw_status st = errno_sign(rev, m);
    if (st != VW_OK)
        return st;
    uint32_t c = vw_crosvm__case(m);
    if (vw_crosvm__u64(m, 1) != 0)
        return VW_OK;
    if (c == 0)
        return VW_E_MISSING_FIELD; /* CV-VCPU-6 */
    if (c != 2)
        return VW_OK;
    const ProtobufCMessage *w = vw_crosvm__sub(m, 2);
    uint32_t e = vw_crosvm__case(w);
    if (e == 0)
        return VW_E_MISSING_FIELD; /* CV-VCPU-7 */
    if (e != 2)
        return VW_OK;
    const ProtobufCMessage *io = vw_crosvm__sub(w, 2);
    if ((st = space_ok(io, 1)) != VW_OK)
        return st;
    size_t len = vw_crosvm__bytes(io, n->io_data).len;
    /* CV-VCPU-8: MMIO up to 8 bytes. Ports: final crosvm reads into 256
     * bytes and copies at most 8 written bytes; seed passes KVM's
     * count * size bytes on, capped only by the message size. */
    size_t max = vw_crosvm__u64(io, 1) == 1 ? 8
                 : rev == VW_CROSVM_SEED ? VW_CROSVM_MAX_MESSAGE
                 : vw_crosvm__u64(io, 3) ? 8 : 256;
    if (len == 0 || len > max)
        return VW_E_BAD_LENGTH;
    uint64_t addr = vw_crosvm__u64(io, 2);
    if (addr > UINT64_MAX - (len - 1))
        return VW_E_BAD_VALUE;
    if (rev == VW_CROSVM_FINAL) {
        if (vw_crosvm__u64(io, n->io_no_resume) && !vw_crosvm__u64(io, 3))
            return VW_E_BAD_VALUE; /* CV-VCPU-14 */
        if ((st = optional_blob(io, 6, vcpu_sizes[0])) != VW_OK ||
            (st = optional_blob(io, 7, vcpu_sizes[1])) != VW_OK ||
            (st = optional_blob(io, 8, vcpu_sizes[3])) != VW_OK)
            return st; /* CV-VCPU-5 */
    }
    return VW_OK;
}

vw_status vw_crosvm_validate(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind,
                             const ProtobufCMessage *msg, size_t wire_len)
{
    const ProtobufCMessageDescriptor *d = vw_crosvm_descriptor(rev, kind);
    if (!d || !msg || msg->descriptor != d)
        return VW_E_INVALID_ARG;
    size_t limit = kind == VW_CROSVM_MAIN_REQUEST ? VW_CROSVM_MAX_MAIN_REQUEST : VW_CROSVM_MAX_MESSAGE;
    if (wire_len > limit)
        return VW_E_TOO_LONG; /* CV-MAIN-2, CV-VCPU-2 */
    switch (kind) {
    case VW_CROSVM_MAIN_REQUEST: return main_request(rev, msg);
    case VW_CROSVM_MAIN_RESPONSE: return main_response(rev, msg);
    case VW_CROSVM_VCPU_REQUEST: return vcpu_request(rev, msg);
    default: return vcpu_response(rev, msg);
    }
}
