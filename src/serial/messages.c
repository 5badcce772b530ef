/* Serial guest protocol: GuestMessage and VmmConfig over protoc-c structs,
 * through vmwire's protobuf engine, with the schema's capacities and the
 * 600-byte limit on top (spec/serial.md, SER-MSG-*, SER-CAP-*). */
#include <string.h>

#include "pb/fast.h"
#include "pb/internal.h"
#include "serial/guest.pb-c.h"
#include "serial/internal.h"
#include "vmwire/pb.h"
#include "vmwire/serial.h"

const ProtobufCMessageDescriptor *vw_serial_descriptor(enum vw_serial_kind kind)
{
    switch (kind) {
    case VW_SERIAL_GUEST_MESSAGE:
        return &vmwire__serial__guest_message__descriptor;
    case VW_SERIAL_VMM_CONFIG:
        return &vmwire__serial__vmm_config__descriptor;
    }
    return NULL;
}

static const ProtobufCMessageDescriptor *const serial_types[] = {
    &vmwire__serial__guest_message__descriptor,  &vmwire__serial__vmm_config__descriptor,
    &vmwire__serial__device_config__descriptor,  &vmwire__serial__init_message__descriptor,
    &vmwire__serial__capacity_message__descriptor, &vmwire__serial__progress_message__descriptor,
    &vmwire__serial__error_message__descriptor,  &vmwire__serial__complete_message__descriptor,
    &vmwire__serial__info_result_message__descriptor,
};

static bool is_serial_type(const ProtobufCMessageDescriptor *d)
{
    for (size_t i = 0; i < sizeof serial_types / sizeof serial_types[0]; i++)
        if (serial_types[i] == d)
            return true;
    return false;
}

/* Capacity of a string field (SER-CAP-1, SER-CAP-2). */
static size_t string_cap(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f)
{
    if (d == &vmwire__serial__info_result_message__descriptor && (f->id == 7 || f->id == 8))
        return VW_SERIAL_PATH_CAP;
    return VW_SERIAL_STRING_CAP;
}

/* Walk a message of this schema: every string within its capacity and valid
 * UTF-8, every repeated field within VW_SERIAL_MAX_DEVICES (SER-CAP-3). The
 * schema nests two levels deep, so the recursion is bounded. */
static vw_status walk(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *base = (const char *)m;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t which;
            memcpy(&which, base + f->quantifier_offset, sizeof which);
            if (which != f->id)
                continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n;
            memcpy(&n, base + f->quantifier_offset, sizeof n);
            if (n > VW_SERIAL_MAX_DEVICES)
                return VW_E_CAPACITY;
            if (f->type != PROTOBUF_C_TYPE_MESSAGE)
                continue;
            ProtobufCMessage *const *arr;
            memcpy(&arr, base + f->offset, sizeof arr);
            for (size_t k = 0; k < n; k++) {
                if (!arr || !arr[k])
                    return VW_E_INVALID_ARG;
                vw_status s = walk(arr[k]);
                if (s != VW_OK)
                    return s;
            }
        } else if (f->type == PROTOBUF_C_TYPE_STRING) {
            const char *s;
            memcpy(&s, base + f->offset, sizeof s);
            size_t len = vw_pb__strlen(m, s);
            if (len > string_cap(d, f))
                return VW_E_CAPACITY;
            if (!vw_serial_utf8_valid((const uint8_t *)s, len, NULL))
                return VW_E_BAD_UTF8;
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub;
            memcpy(&sub, base + f->offset, sizeof sub);
            if (sub) {
                vw_status s = walk(sub);
                if (s != VW_OK)
                    return s;
            }
        }
    }
    return VW_OK;
}

vw_status vw_serial_check_capacity(const ProtobufCMessage *msg)
{
    if (!msg || !is_serial_type(msg->descriptor))
        return VW_E_INVALID_ARG;
    return walk(msg);
}

/* Where the capacity fault is: the heapless decoder knows the offsets. */
static size_t capacity_offset(enum vw_serial_kind kind, const uint8_t *buf, size_t len)
{
    size_t off = len;
    vw_status s;
    if (kind == VW_SERIAL_GUEST_MESSAGE) {
        struct vw_serial_guest_message m;
        s = vw_serial_guest_message_decode(buf, len, &m, &off);
    } else {
        struct vw_serial_vmm_config c;
        s = vw_serial_vmm_config_decode(buf, len, &c, &off);
    }
    return s == VW_E_CAPACITY ? off : len;
}

vw_status vw_serial_decode(enum vw_serial_kind kind, const uint8_t *buf, size_t len,
                           struct vw_arena *arena, ProtobufCMessage **out, size_t *off)
{
    const ProtobufCMessageDescriptor *desc = vw_serial_descriptor(kind);
    if (!out || !off)
        return VW_E_INVALID_ARG;
    *out = NULL;
    if (!desc || !arena || (!buf && len))
        return VW_E_INVALID_ARG;
    if (len > VW_SERIAL_MAX_MESSAGE) {
        *off = VW_SERIAL_MAX_MESSAGE;
        return VW_E_TOO_LONG;
    }
    ProtobufCMessage *m = NULL;
    vw_status s = vw_pb__fast_serial[kind](buf, len, arena, &m, off);
    if (s != VW_OK)
        return s;
    s = walk(m);
    if (s != VW_OK) {
        /* decoded strings are valid UTF-8, so this is a capacity fault */
        *off = capacity_offset(kind, buf, len);
        return s;
    }
    *out = m;
    *off = len;
    return VW_OK;
}

/* micropb's result, handed over as a protoc-c message: the heapless message
 * re-encoded canonically (lossless for this schema: implicit presence, the set
 * oneof member always written) and decoded by the protobuf engine, which has
 * no size limit. */
vw_status vw_serial_decode_with(enum vw_serial_kind kind, enum vw_serial_decoder decoder,
                                const uint8_t *buf, size_t len, struct vw_arena *arena,
                                ProtobufCMessage **out, size_t *off)
{
    if (decoder == VW_SERIAL_DECODER_PROTOBUF)
        return vw_serial_decode(kind, buf, len, arena, out, off);
    const ProtobufCMessageDescriptor *desc = vw_serial_descriptor(kind);
    if (!out || !off)
        return VW_E_INVALID_ARG;
    *out = NULL;
    if (decoder != VW_SERIAL_DECODER_MICROPB || !desc || !arena || (!buf && len))
        return VW_E_INVALID_ARG;
    uint8_t canon[VW_SERIAL_GUEST_MESSAGE_MAX_SIZE];
    size_t n;
    vw_status s;
    if (kind == VW_SERIAL_GUEST_MESSAGE) {
        struct vw_serial_guest_message m;
        s = vw_serial_guest_message_decode_micropb(buf, len, &m, off);
        if (s != VW_OK)
            return s;
        s = vw_serial__guest_message_encode_unlimited(&m, canon, sizeof canon, &n);
    } else {
        struct vw_serial_vmm_config c;
        s = vw_serial_vmm_config_decode_micropb(buf, len, &c, off);
        if (s != VW_OK)
            return s;
        s = vw_serial_vmm_config_encode(&c, canon, sizeof canon, &n);
    }
    if (s != VW_OK)
        return s; /* not reached: a decoded message always re-encodes */
    ProtobufCMessage *m = NULL;
    size_t poff;
    s = vw_pb_decode(desc, canon, n, arena, &m, &poff);
    if (s != VW_OK)
        return s; /* only VW_E_NOMEM can happen here */
    *out = m;
    *off = len;
    return VW_OK;
}

vw_status vw_serial_encode(const ProtobufCMessage *msg, uint8_t *out, size_t cap,
                           size_t *written)
{
    if (!written)
        return VW_E_INVALID_ARG;
    *written = 0;
    if (!msg || (!out && cap) ||
        (msg->descriptor != &vmwire__serial__guest_message__descriptor &&
         msg->descriptor != &vmwire__serial__vmm_config__descriptor))
        return VW_E_INVALID_ARG;
    vw_status s = walk(msg);
    if (s != VW_OK)
        return s;
    /* One pass: encode into at most the message limit; only a message that
     * does not fit there pays for a size walk (vw_pb_encode reports it). */
    s = vw_pb__fenc_serial(msg, out, cap < VW_SERIAL_MAX_MESSAGE ? cap : VW_SERIAL_MAX_MESSAGE,
                           written); /* vw_pb_encode(), generated (src/pb/fast.h) */
    if (s == VW_E_NOSPACE && *written > VW_SERIAL_MAX_MESSAGE)
        return VW_E_TOO_LONG;
    return s;
}

static bool good_sector_size(uint32_t v)
{
    return v >= 512 && v <= 65536 && (v & (v - 1)) == 0;
}

vw_status vw_serial_validate(const ProtobufCMessage *msg)
{
    if (!msg)
        return VW_E_INVALID_ARG;
    if (msg->descriptor == &vmwire__serial__guest_message__descriptor) {
        const Vmwire__Serial__GuestMessage *g = (const Vmwire__Serial__GuestMessage *)msg;
        vw_status s = walk(msg);
        if (s != VW_OK)
            return s;
        if (g->payload_case == VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD__NOT_SET)
            return VW_E_MISSING_FIELD; /* SER-MSG-10 */
        if ((int)g->level < VW_SERIAL_LEVEL_DEBUG || (int)g->level > VW_SERIAL_LEVEL_COMPLETE)
            return VW_E_BAD_ENUM; /* SER-MSG-11 */
        if (g->payload_case == VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_PROGRESS && g->progress &&
            g->progress->percent > 100)
            return VW_E_BAD_VALUE; /* SER-MSG-12 */
        return VW_OK;
    }
    if (msg->descriptor == &vmwire__serial__vmm_config__descriptor) {
        const Vmwire__Serial__VmmConfig *c = (const Vmwire__Serial__VmmConfig *)msg;
        vw_status s = walk(msg);
        if (s != VW_OK)
            return s;
        for (size_t i = 0; i < c->n_devices; i++)
            if (!good_sector_size(c->devices[i]->sector_size))
                return VW_E_BAD_VALUE; /* SER-MSG-13 */
        if (c->progress_percent > 100)
            return VW_E_BAD_VALUE; /* SER-MSG-13 */
        return VW_OK;
    }
    return VW_E_INVALID_ARG;
}
