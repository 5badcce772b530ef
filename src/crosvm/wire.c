/* crosvm wire layer: the eight message kinds, decode/encode through vmwire's
 * protobuf engine (Google's semantics, arena memory), and generic field
 * access shared by the rules and the engines. */
#include <string.h>

#include "crosvm/final/plugin.pb-c.h"
#include "crosvm/seed/plugin.pb-c.h"
#include "crosvm/internal.h"
#include "vmwire/pb.h"
#include "pb/fast.h"
#include "pb/roots.h"

static const ProtobufCMessageDescriptor *const descriptors[2][4] = {
    { VW_PB_CROSVM_SEED_ROOTS },
    { VW_PB_CROSVM_FINAL_ROOTS },
};

static const char *const kind_names[4] = { "MainRequest", "MainResponse", "VcpuRequest",
                                           "VcpuResponse" };

const ProtobufCMessageDescriptor *vw_crosvm_descriptor(enum vw_crosvm_revision rev,
                                                       enum vw_crosvm_kind kind)
{
    if ((unsigned)rev > VW_CROSVM_FINAL || (unsigned)kind > VW_CROSVM_VCPU_RESPONSE)
        return NULL;
    return descriptors[rev][kind];
}

vw_status vw_crosvm_kind_parse(const char *name, enum vw_crosvm_revision *rev,
                               enum vw_crosvm_kind *kind)
{
    if (!rev || !kind)
        return VW_E_INVALID_ARG;
    if (!name || strncmp(name, "crosvm.", 7) != 0)
        return VW_E_UNSUPPORTED;
    const char *p = name + 7;
    enum vw_crosvm_revision r;
    if (strncmp(p, "seed.", 5) == 0) {
        r = VW_CROSVM_SEED;
        p += 5;
    } else if (strncmp(p, "final.", 6) == 0) {
        r = VW_CROSVM_FINAL;
        p += 6;
    } else {
        return VW_E_UNSUPPORTED;
    }
    for (unsigned k = 0; k < 4; k++) {
        if (strcmp(p, kind_names[k]) == 0) {
            *rev = r;
            *kind = (enum vw_crosvm_kind)k;
            return VW_OK;
        }
    }
    return VW_E_UNSUPPORTED;
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static vw_status decode_bad_arg(ProtobufCMessage **out, size_t *off)
{
    if (out)
        *out = NULL;
    if (off)
        *off = 0;
    return VW_E_INVALID_ARG;
}

/* One argument check, then the revision's generated decoder (src/pb/fast.h),
 * which hands over to vw_pb_decode() at anything unusual. */
vw_status vw_crosvm_decode(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind,
                           const uint8_t *buf, size_t len, struct vw_arena *arena,
                           ProtobufCMessage **out, size_t *off)
{
    if ((unsigned)rev > VW_CROSVM_FINAL || (unsigned)kind > VW_CROSVM_VCPU_RESPONSE || !arena ||
        !out || !off || (!buf && len))
        return decode_bad_arg(out, off);
    return vw_pb__fast_crosvm[rev][kind](buf, len, arena, out, off);
}

vw_status vw_crosvm_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                           size_t *written)
{
    if (written)
        *written = 0;
    if (!msg || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    /* the encoder generated for the message's type (src/pb/fast.h), which
     * hands anything else and every failure to vw_pb_encode() */
    return vw_pb__fenc_crosvm(msg, out, cap, written);
}

/* ---- generic access ------------------------------------------------------ */

static const ProtobufCFieldDescriptor *field(const ProtobufCMessage *m, uint32_t num)
{
    if (!m || !num)
        return NULL;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(m->descriptor, num);
    if (f && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
        uint32_t c;
        memcpy(&c, (const char *)m + f->quantifier_offset, sizeof c);
        if (c != num)
            return NULL;
    }
    return f;
}

uint32_t vw_crosvm__case(const ProtobufCMessage *m)
{
    if (!m)
        return 0;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t c;
            memcpy(&c, (const char *)m + d->fields[i].quantifier_offset, sizeof c);
            return c;
        }
    }
    return 0;
}

const ProtobufCMessage *vw_crosvm__sub(const ProtobufCMessage *m, uint32_t num)
{
    const ProtobufCFieldDescriptor *f = field(m, num);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    const ProtobufCMessage *s;
    memcpy(&s, (const char *)m + f->offset, sizeof s);
    return s;
}

uint64_t vw_crosvm__u64(const ProtobufCMessage *m, uint32_t num)
{
    const ProtobufCFieldDescriptor *f = field(m, num);
    if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
        return 0;
    const char *p = (const char *)m + f->offset;
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return (uint64_t)(int64_t)v;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean v;
        memcpy(&v, p, sizeof v);
        return v != 0;
    }
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    default:
        return 0;
    }
}

ProtobufCBinaryData vw_crosvm__bytes(const ProtobufCMessage *m, uint32_t num)
{
    ProtobufCBinaryData b = { 0, NULL };
    const ProtobufCFieldDescriptor *f = field(m, num);
    if (f && f->type == PROTOBUF_C_TYPE_BYTES && f->label != PROTOBUF_C_LABEL_REPEATED)
        memcpy(&b, (const char *)m + f->offset, sizeof b);
    return b;
}

size_t vw_crosvm__count(const ProtobufCMessage *m, uint32_t num)
{
    const ProtobufCFieldDescriptor *f = field(m, num);
    if (!f || f->label != PROTOBUF_C_LABEL_REPEATED)
        return 0;
    size_t n;
    memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
    return n;
}

const ProtobufCMessage *vw_crosvm__elem(const ProtobufCMessage *m, uint32_t num, size_t i)
{
    const ProtobufCFieldDescriptor *f = field(m, num);
    if (!f || f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE ||
        i >= vw_crosvm__count(m, num))
        return NULL;
    ProtobufCMessage *const *arr;
    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
    return arr ? arr[i] : NULL;
}

int vw_crosvm__enum_named(const ProtobufCMessage *m, uint32_t num, int32_t value)
{
    const ProtobufCFieldDescriptor *f = m ? protobuf_c_message_descriptor_get_field(m->descriptor, num) : NULL;
    if (!f || f->type != PROTOBUF_C_TYPE_ENUM)
        return 0;
    return protobuf_c_enum_descriptor_get_value(f->descriptor, value) != NULL;
}

/* Whether an enum field anywhere in @p m holds a value its enum does not
 * name (what rust-protobuf 1.4.3 cannot decode). Depth is bounded by the
 * decoder's nesting limit. */
int vw_crosvm__unnamed_enum(const ProtobufCMessage *m)
{
    if (!m)
        return 0;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_ENUM && f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t cnt;
            memcpy(&cnt, (const char *)m + f->quantifier_offset, sizeof cnt);
            for (size_t k = 0; k < cnt; k++) {
                if (f->type == PROTOBUF_C_TYPE_ENUM) {
                    const int32_t *arr;
                    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
                    if (arr && !protobuf_c_enum_descriptor_get_value(f->descriptor, arr[k]))
                        return 1;
                } else {
                    ProtobufCMessage *const *arr;
                    memcpy(&arr, (const char *)m + f->offset, sizeof arr);
                    if (arr && vw_crosvm__unnamed_enum(arr[k]))
                        return 1;
                }
            }
            continue;
        }
        if (!field(m, f->id))
            continue; /* a oneof member that is not set */
        if (f->type == PROTOBUF_C_TYPE_ENUM) {
            int32_t v;
            memcpy(&v, (const char *)m + f->offset, sizeof v);
            if (!protobuf_c_enum_descriptor_get_value(f->descriptor, v))
                return 1;
        } else {
            const ProtobufCMessage *sub;
            memcpy(&sub, (const char *)m + f->offset, sizeof sub);
            if (vw_crosvm__unnamed_enum(sub))
                return 1;
        }
    }
    return 0;
}

/* ---- per-revision numbers ------------------------------------------------ */

static const struct vw_crosvm__nums nums_seed = {
    .create = 1, .destroy = 2, .new_connection = 3, .get_shutdown_eventfd = 4,
    .reserve_range = 5, .set_irq = 6, .set_irq_routing = 7, .set_identity_map_addr = 8,
    .pause_vcpus = 9, .get_vcpus = 10, .start = 11, .dirty_log = 101, .max_request = 11,
    .v_wait = 1, .v_resume = 2, .v_get_state = 3, .v_set_state = 4, .v_get_msrs = 5,
    .v_set_msrs = 6, .io_data = 4, .io_no_resume = 0,
};

static const struct vw_crosvm__nums nums_final = {
    .create = 1, .destroy = 2, .new_connection = 3, .get_shutdown_eventfd = 4,
    .check_extension = 5, .get_supported_cpuid = 6, .get_emulated_cpuid = 7,
    .get_msr_index_list = 8, .get_net_config = 9, .reserve_range = 10, .set_irq = 11,
    .set_irq_routing = 12, .get_state = 13, .set_state = 14, .set_identity_map_addr = 15,
    .pause_vcpus = 16, .get_vcpus = 17, .start = 18, .set_call_hint = 19, .dirty_log = 101,
    .max_request = 19,
    .v_wait = 1, .v_resume = 2, .v_get_state = 3, .v_set_state = 4, .v_get_msrs = 5,
    .v_set_msrs = 6, .v_set_cpuid = 7, .v_shutdown = 8, .v_get_hyperv_cpuid = 9,
    .v_enable_capability = 10, .io_data = 5, .io_no_resume = 4,
};

const struct vw_crosvm__nums *vw_crosvm__nums(enum vw_crosvm_revision rev)
{
    return rev == VW_CROSVM_FINAL ? &nums_final : &nums_seed;
}

uint32_t vw_crosvm__main_answer(uint32_t req)
{
    return req == 101 ? 101 : req + 1;
}

uint32_t vw_crosvm__vcpu_answer(enum vw_crosvm_revision rev, uint32_t req)
{
    if (rev == VW_CROSVM_SEED)
        return req >= 1 && req <= 6 ? req + 1 : 0;
    switch (req) {
    case 1: return 2;  /* wait */
    case 2: return 0;  /* resume: no answer */
    case 3: case 4: case 5: case 6: case 7: return req + 1;
    case 8: return 0;  /* shutdown */
    case 9: case 10: return req;
    default: return 0;
    }
}

size_t vw_crosvm__put_varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

uint32_t vw_crosvm__zigzag32(int32_t v)
{
    return ((uint32_t)v << 1) ^ (uint32_t)(v < 0 ? -1 : 0);
}

size_t vw_crosvm__answer(uint8_t *out, enum vw_crosvm_revision rev, int32_t err, uint32_t field_num)
{
    return vw_crosvm__answer_wire(out, rev == VW_CROSVM_SEED ? -err : err, field_num);
}

size_t vw_crosvm__answer_wire(uint8_t *out, int32_t wire, uint32_t field_num)
{
    size_t n = 0;
    if (wire) {
        out[n++] = 0x08;
        n += vw_crosvm__put_varint(out + n, vw_crosvm__zigzag32(wire));
    }
    if (field_num) {
        n += vw_crosvm__put_varint(out + n, (uint64_t)field_num << 3 | 2);
        out[n++] = 0;
    }
    return n;
}

/* ---- rust-protobuf's view of a message ------------------------------------ */

/* crosvm decodes with rust-protobuf, which differs from Google's decoding in
 * ways that change answers (spec/crosvm.md CV-PB-18): a oneof member
 * replaces whatever the oneof held before, even the same member (Google
 * merges a repeated sub-message), and 1.4.3 (seed) refuses a known field
 * with another wire type (Google skips it). The view is the message with
 * every oneof occurrence but the last of its message removed, at every
 * depth; Google's decoding of the view is rust-protobuf's decoding of the
 * message. Input that is not well formed is left to Google's decoder. */

enum { RP_OK = 0, RP_MALFORMED = 1, RP_WIRE = 2 };

static size_t rp_varint(const uint8_t *p, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* One field occurrence at p: its number, wire type, total size and (wire
 * type 2) where its payload starts. 0 when it is not well formed. */
static size_t rp_field(const uint8_t *p, size_t len, uint32_t *num, unsigned *wt, size_t *payload)
{
    uint64_t tag, v;
    size_t n = rp_varint(p, len, &tag);
    if (!n || n > 5 || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        return 0;
    *num = (uint32_t)(tag >> 3);
    *wt = (unsigned)(tag & 7);
    *payload = n;
    switch (*wt) {
    case 0: {
        size_t k = rp_varint(p + n, len - n, &v);
        return k ? n + k : 0;
    }
    case 1: return len - n >= 8 ? n + 8 : 0;
    case 5: return len - n >= 4 ? n + 4 : 0;
    case 2: {
        size_t k = rp_varint(p + n, len - n, &v);
        if (!k || k > 5 || v > len - n - k)
            return 0;
        *payload = n + k;
        return n + k + (size_t)v;
    }
    default: return 0; /* groups and wire types 6, 7: left to Google */
    }
}

static unsigned rp_wire_type(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 1;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT: return 5;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE: return 2;
    default: return 0;
    }
}

/* Scan: whether the view differs from the message (*need), a wire type
 * rust-protobuf 1.4.3 refuses (RP_WIRE, *off), or RP_MALFORMED. */
static int rp_scan(const ProtobufCMessageDescriptor *d, int seed, const uint8_t *p, size_t len, size_t base,
                   unsigned depth, int *need, size_t *off)
{
    size_t pos = 0, oneofs = 0;
    if (depth > 100)
        return RP_MALFORMED;
    while (pos < len) {
        uint32_t num;
        unsigned wt;
        size_t pl, n = rp_field(p + pos, len - pos, &num, &wt, &pl);
        if (!n)
            return RP_MALFORMED;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, num);
        if (f) {
            unsigned want = rp_wire_type(f);
            int packed = f->label == PROTOBUF_C_LABEL_REPEATED && want != 2 && wt == 2;
            if (seed && wt != want && !packed) {
                *off = base + pos;
                return RP_WIRE;
            }
            if (wt == want && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && ++oneofs > 1)
                *need = 1;
            if (wt == 2 && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                int r = rp_scan(f->descriptor, seed, p + pos + pl, n - pl, base + pos + pl, depth + 1, need, off);
                if (r != RP_OK)
                    return r;
            }
        }
        pos += n;
    }
    return RP_OK;
}

/* Write the view of a well-formed message (out NULL: only its size). */
static size_t rp_write(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len, uint8_t *out)
{
    size_t pos = 0, w = 0, last = (size_t)-1;
    /* where the last oneof occurrence starts */
    while (pos < len) {
        uint32_t num;
        unsigned wt;
        size_t pl, n = rp_field(p + pos, len - pos, &num, &wt, &pl);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, num);
        if (f && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && wt == rp_wire_type(f))
            last = pos;
        pos += n;
    }
    for (pos = 0; pos < len;) {
        uint32_t num;
        unsigned wt;
        size_t pl, n = rp_field(p + pos, len - pos, &num, &wt, &pl);
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, num);
        int member = f && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && wt == rp_wire_type(f);
        if (member && pos != last) {
            pos += n; /* replaced by a later member */
            continue;
        }
        if (f && wt == 2 && f->type == PROTOBUF_C_TYPE_MESSAGE) {
            uint64_t tag;
            size_t tn = rp_varint(p + pos, n, &tag);
            size_t body = rp_write(f->descriptor, p + pos + pl, n - pl, NULL);
            uint8_t lenbuf[10];
            size_t ln = vw_crosvm__put_varint(lenbuf, body);
            if (out) {
                memcpy(out + w, p + pos, tn);
                memcpy(out + w + tn, lenbuf, ln);
                rp_write(f->descriptor, p + pos + pl, n - pl, out + w + tn + ln);
            }
            w += tn + ln + body;
        } else {
            if (out)
                memcpy(out + w, p + pos, n);
            w += n;
        }
        pos += n;
    }
    return w;
}

vw_status vw_crosvm__rust_view(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const uint8_t *in,
                               size_t len, struct vw_arena *arena, const uint8_t **view, size_t *view_len,
                               size_t *off)
{
    const ProtobufCMessageDescriptor *d = vw_crosvm_descriptor(rev, kind);
    int need = 0;
    *view = in;
    *view_len = len;
    *off = 0;
    if (!d || !len)
        return VW_OK;
    int r = rp_scan(d, rev == VW_CROSVM_SEED, in, len, 0, 1, &need, off);
    if (r == RP_WIRE)
        return VW_E_BAD_WIRE_TYPE;
    if (r != RP_OK || !need)
        return VW_OK; /* as it is; Google's decoder reports any fault */
    size_t n = rp_write(d, in, len, NULL);
    uint8_t *buf = vw_arena_alloc(arena, n ? n : 1);
    if (!buf)
        return VW_E_NOMEM;
    rp_write(d, in, len, buf);
    *view = buf;
    *view_len = n;
    return VW_OK;
}
