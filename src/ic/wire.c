/* IC wire layer: bounds-checked, zero-copy decoders and counting encoders for
 * the pipe header, the IC header and every service body (spec/ic.md). */
#include <string.h>

#include "core/bytes.h"
#include "ic/internal.h"

int vw_ic_version_cmp(struct vw_ic_version a, struct vw_ic_version b)
{
    if (a.major != b.major)
        return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor)
        return a.minor < b.minor ? -1 : 1;
    return 0;
}

static struct vw_ic_version get_version(const uint8_t *p)
{
    struct vw_ic_version v = { vw_get_u16le(p), vw_get_u16le(p + 2) };
    return v;
}

/* ---- pipe and IC headers ---------------------------------------------- */

vw_status vw_ic_pipe_header_decode(const uint8_t *in, size_t len, struct vw_ic_pipe_header *out, size_t *off)
{
    if (!off || !out || (!in && len))
        return VW_E_INVALID_ARG;
    if (len < VW_IC_PIPE_HEADER_SIZE) {
        *off = len;
        return VW_E_TRUNCATED;
    }
    out->type = vw_get_u32le(in);
    out->size = vw_get_u32le(in + 4);
    *off = VW_IC_PIPE_HEADER_SIZE;
    return VW_OK;
}

static void wr_pipe(struct vw_wr *w, const struct vw_ic_pipe_header *h)
{
    vw_wr_u32le(w, h->type);
    vw_wr_u32le(w, h->size);
}

static vw_status finish(const struct vw_wr *w, uint8_t *out, size_t *written)
{
    *written = w->off;
    if (!vw_wr_ok(w)) {
        (void)out;
        return VW_E_NOSPACE;
    }
    return VW_OK;
}

vw_status vw_ic_pipe_header_encode(const struct vw_ic_pipe_header *in, uint8_t *out, size_t cap, size_t *written)
{
    if (!in || !written)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    wr_pipe(&w, in);
    return finish(&w, out, written);
}

vw_status vw_ic_header_decode(const uint8_t *in, size_t len, struct vw_ic_header *out, size_t *off)
{
    if (!off || !out || (!in && len))
        return VW_E_INVALID_ARG;
    if (len < VW_IC_HEADER_SIZE) {
        *off = len;
        return VW_E_TRUNCATED;
    }
    out->framework_version = get_version(in + VW_IC__OFF_FW);
    out->message_type = vw_get_u16le(in + VW_IC__OFF_TYPE);
    out->message_version = get_version(in + VW_IC__OFF_MSGVER);
    out->message_size = vw_get_u16le(in + VW_IC__OFF_SIZE);
    out->status = vw_get_u32le(in + VW_IC__OFF_STATUS);
    out->transaction_id = in[VW_IC__OFF_TID];
    out->flags = in[VW_IC__OFF_FLAGS];
    out->reserved = vw_get_u16le(in + VW_IC__OFF_RESERVED);
    *off = VW_IC_HEADER_SIZE;
    return VW_OK;
}

static void wr_header(struct vw_wr *w, const struct vw_ic_header *h)
{
    vw_wr_u16le(w, h->framework_version.major);
    vw_wr_u16le(w, h->framework_version.minor);
    vw_wr_u16le(w, h->message_type);
    vw_wr_u16le(w, h->message_version.major);
    vw_wr_u16le(w, h->message_version.minor);
    vw_wr_u16le(w, h->message_size);
    vw_wr_u32le(w, h->status);
    vw_wr_u8(w, h->transaction_id);
    vw_wr_u8(w, h->flags);
    vw_wr_u16le(w, h->reserved);
}

vw_status vw_ic_header_encode(const struct vw_ic_header *in, uint8_t *out, size_t cap, size_t *written)
{
    if (!in || !written)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    wr_header(&w, in);
    return finish(&w, out, written);
}

struct vw_ic_version vw_ic_negotiate_version(const struct vw_ic_negotiate *n, size_t i)
{
    struct vw_ic_version zero = { 0, 0 };
    size_t f = n->framework_count, m = n->message_count;
    if (i >= f + m)
        return zero;
    if (n->wire_versions)
        return get_version(n->wire_versions + 4 * i);
    if (i < f)
        return n->framework_versions ? n->framework_versions[i] : zero;
    return n->message_versions ? n->message_versions[i - f] : zero;
}

/* ---- UTF-16LE ----------------------------------------------------------- */

/* Walk UTF-16LE units [0, n). Returns VW_OK or VW_E_BAD_UTF16 with the byte
 * offset of the bad unit. NUL units are not judged here. */
static vw_status utf16_walk(const uint8_t *p, size_t units, size_t *off)
{
    for (size_t i = 0; i < units; i++) {
        uint16_t u = vw_get_u16le(p + 2 * i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 >= units) {
                *off = 2 * i;
                return VW_E_BAD_UTF16;
            }
            uint16_t l = vw_get_u16le(p + 2 * i + 2);
            if (l < 0xDC00 || l > 0xDFFF) {
                *off = 2 * i;
                return VW_E_BAD_UTF16;
            }
            i++;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            *off = 2 * i;
            return VW_E_BAD_UTF16;
        }
    }
    return VW_OK;
}

vw_status vw_ic_utf16_check(const uint8_t *p, size_t size, size_t *off)
{
    size_t dummy;
    if (!off)
        off = &dummy;
    if (!p && size)
        return VW_E_INVALID_ARG;
    if (size % 2) {
        *off = size - 1;
        return VW_E_BAD_LENGTH;
    }
    if (size < 2) {
        *off = 0;
        return VW_E_BAD_UTF16;
    }
    size_t units = size / 2;
    for (size_t i = 0; i + 1 < units; i++) {
        if (vw_get_u16le(p + 2 * i) == 0) {
            *off = 2 * i; /* an embedded NUL: the string ends before its size says */
            return VW_E_BAD_UTF16;
        }
    }
    if (vw_get_u16le(p + size - 2) != 0) {
        *off = size - 2;
        return VW_E_BAD_UTF16;
    }
    return utf16_walk(p, units - 1, off);
}

vw_status vw_ic_utf16_field(const uint8_t *p, size_t cap, size_t *len, size_t *off)
{
    size_t dummy;
    if (!off)
        off = &dummy;
    if (!p || !len || cap % 2)
        return VW_E_INVALID_ARG;
    for (size_t i = 0; i < cap / 2; i++) {
        if (vw_get_u16le(p + 2 * i) == 0) {
            vw_status s = utf16_walk(p, i, off);
            if (s != VW_OK)
                return s;
            *len = 2 * i;
            return VW_OK;
        }
    }
    *off = cap - 2;
    return VW_E_BAD_UTF16;
}

vw_status vw_ic_utf16_to_utf8(const uint8_t *in, size_t in_size, char *out, size_t cap, size_t *written)
{
    if (!written || (!in && in_size))
        return VW_E_INVALID_ARG;
    *written = 0;
    if (in_size % 2)
        return VW_E_BAD_LENGTH;
    size_t bad;
    if (utf16_walk(in, in_size / 2, &bad) != VW_OK)
        return VW_E_BAD_UTF16;
    struct vw_wr w;
    vw_wr_init(&w, (uint8_t *)out, cap);
    for (size_t i = 0; i < in_size / 2; i++) {
        uint32_t c = vw_get_u16le(in + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF) {
            uint32_t l = vw_get_u16le(in + 2 * i + 2);
            c = 0x10000u + ((c - 0xD800u) << 10) + (l - 0xDC00u);
            i++;
        }
        if (c < 0x80) {
            vw_wr_u8(&w, (uint8_t)c);
        } else if (c < 0x800) {
            vw_wr_u8(&w, (uint8_t)(0xC0 | c >> 6));
            vw_wr_u8(&w, (uint8_t)(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            vw_wr_u8(&w, (uint8_t)(0xE0 | c >> 12));
            vw_wr_u8(&w, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
            vw_wr_u8(&w, (uint8_t)(0x80 | (c & 0x3F)));
        } else {
            vw_wr_u8(&w, (uint8_t)(0xF0 | c >> 18));
            vw_wr_u8(&w, (uint8_t)(0x80 | ((c >> 12) & 0x3F)));
            vw_wr_u8(&w, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
            vw_wr_u8(&w, (uint8_t)(0x80 | (c & 0x3F)));
        }
    }
    return finish(&w, (uint8_t *)out, written);
}

vw_status vw_ic_utf8_to_utf16(const char *in, size_t in_len, uint8_t *out, size_t cap, size_t *written)
{
    if (!written || (!in && in_len))
        return VW_E_INVALID_ARG;
    *written = 0;
    const uint8_t *s = (const uint8_t *)in;
    /* First pass: validate completely, so that nothing is written on failure. */
    for (size_t i = 0; i < in_len;) {
        uint8_t b = s[i];
        size_t n;
        uint32_t c, min;
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            n = 1, c = b & 0x1Fu, min = 0x80;
        } else if (b >= 0xE0 && b <= 0xEF) {
            n = 2, c = b & 0x0Fu, min = 0x800;
        } else if (b >= 0xF0 && b <= 0xF4) {
            n = 3, c = b & 0x07u, min = 0x10000;
        } else {
            return VW_E_BAD_UTF8;
        }
        if (in_len - i - 1 < n)
            return VW_E_BAD_UTF8;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return VW_E_BAD_UTF8;
            c = c << 6 | (s[i + k] & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return VW_E_BAD_UTF8;
        i += n + 1;
    }
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    for (size_t i = 0; i < in_len;) {
        uint8_t b = s[i];
        uint32_t c;
        size_t n;
        if (b < 0x80)
            c = b, n = 0;
        else if (b < 0xE0)
            c = b & 0x1Fu, n = 1;
        else if (b < 0xF0)
            c = b & 0x0Fu, n = 2;
        else
            c = b & 0x07u, n = 3;
        for (size_t k = 1; k <= n; k++)
            c = c << 6 | (s[i + k] & 0x3Fu);
        i += n + 1;
        if (c >= 0x10000) {
            c -= 0x10000;
            vw_wr_u16le(&w, (uint16_t)(0xD800 + (c >> 10)));
            vw_wr_u16le(&w, (uint16_t)(0xDC00 + (c & 0x3FF)));
        } else {
            vw_wr_u16le(&w, (uint16_t)c);
        }
    }
    return finish(&w, out, written);
}

/* ---- time --------------------------------------------------------------- */

void vw_ic_filetime_to_unix(uint64_t filetime, int64_t *sec, uint32_t *nsec)
{
    /* Split first so no intermediate overflows: FILETIME / 10^7 fits easily. */
    int64_t s = (int64_t)(filetime / 10000000u) - (int64_t)(VW_IC_FILETIME_UNIX_EPOCH / 10000000u);
    uint32_t ns = (uint32_t)(filetime % 10000000u) * 100u;
    if (sec)
        *sec = s;
    if (nsec)
        *nsec = ns;
}

vw_status vw_ic_unix_to_filetime(int64_t sec, uint32_t nsec, uint64_t *filetime)
{
    if (!filetime || nsec >= 1000000000u)
        return VW_E_INVALID_ARG;
    const int64_t epoch_s = (int64_t)(VW_IC_FILETIME_UNIX_EPOCH / 10000000u);
    if (sec < -epoch_s)
        return VW_E_BAD_VALUE;
    /* seconds since 1601, >= 0; computed unsigned so that no value overflows */
    uint64_t s = (uint64_t)sec + (uint64_t)epoch_s;
    if (s > (UINT64_MAX - nsec / 100u) / 10000000u)
        return VW_E_BAD_VALUE;
    *filetime = s * 10000000u + nsec / 100u;
    return VW_OK;
}

uint64_t vw_ic_timesync_adjust(uint64_t parent_time, uint64_t vm_reference_time, uint64_t reference_now)
{
    return parent_time + (reference_now - vm_reference_time);
}

/* ---- body decoders -------------------------------------------------------
 * Each takes the body (b, n = message_size bytes), fills the message and sets
 * *used to the bytes of the structure; on failure *off is the fault offset
 * from the start of the IC header. */

#define BODY(x) (VW_IC_HEADER_SIZE + (size_t)(x))

/* A fixed-size body shorter than its minimum: truncated at the body's end.
 * A size that is none of the allowed ones: message_size is wrong. */
static vw_status size_fault(size_t n, size_t min, size_t *off)
{
    if (n < min) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    *off = VW_IC__OFF_SIZE;
    return VW_E_BAD_LENGTH;
}

static vw_status dec_negotiate(const uint8_t *b, size_t n, struct vw_ic_negotiate *o, size_t *used, size_t *off)
{
    if (n < VW_IC_NEGOTIATE_FIXED_SIZE) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    o->framework_count = vw_get_u16le(b);
    o->message_count = vw_get_u16le(b + 2);
    o->reserved = vw_get_u32le(b + 4);
    if (o->framework_count > VW_IC_NEGOTIATE_MAX_COUNT) {
        *off = BODY(0);
        return VW_E_TOO_LONG;
    }
    if (o->message_count > VW_IC_NEGOTIATE_MAX_COUNT) {
        *off = BODY(2);
        return VW_E_TOO_LONG;
    }
    size_t need = VW_IC_NEGOTIATE_FIXED_SIZE + 4u * ((size_t)o->framework_count + o->message_count);
    if (n < need) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    o->wire_versions = b + VW_IC_NEGOTIATE_FIXED_SIZE;
    o->framework_versions = NULL;
    o->message_versions = NULL;
    *used = need;
    return VW_OK;
}

static vw_status dec_heartbeat(const uint8_t *b, size_t n, struct vw_ic_heartbeat *o, size_t *used, size_t *off)
{
    if (n != VW_IC_HEARTBEAT_SIZE_OPENVMM && n != VW_IC_HEARTBEAT_SIZE_LINUX)
        return size_fault(n, VW_IC_HEARTBEAT_SIZE_OPENVMM, off);
    o->sequence_number = vw_get_u64le(b);
    o->application_state = vw_get_u32le(b + 8);
    o->size = (uint8_t)n;
    memset(o->reserved, 0, sizeof o->reserved);
    memcpy(o->reserved, b + 12, n - 12);
    *used = n;
    return VW_OK;
}

static vw_status dec_shutdown(const uint8_t *b, size_t n, struct vw_ic_shutdown *o, size_t *used, size_t *off)
{
    if (n != VW_IC_SHUTDOWN_SIZE)
        return size_fault(n, VW_IC_SHUTDOWN_SIZE, off);
    o->reason_code = vw_get_u32le(b);
    o->timeout_secs = vw_get_u32le(b + 4);
    o->flags = vw_get_u32le(b + 8);
    o->display_message = b + 12;
    *used = n;
    return VW_OK;
}

static vw_status dec_timesync(const uint8_t *b, size_t n, bool v4, struct vw_ic_timesync *o, size_t *used,
                              size_t *off)
{
    memset(o, 0, sizeof *o);
    o->v4 = v4;
    if (v4) {
        if (n != VW_IC_TIMESYNC4_SIZE_OPENVMM && n != VW_IC_TIMESYNC4_SIZE_LINUX)
            return size_fault(n, VW_IC_TIMESYNC4_SIZE_LINUX, off);
        o->parent_time = vw_get_u64le(b);
        o->vm_reference_time = vw_get_u64le(b + 8);
        o->flags = b[16];
        o->leap_indicator = b[17];
        o->stratum = b[18];
        memcpy(o->reserved, b + 19, n - 19);
    } else {
        if (n != VW_IC_TIMESYNC_SIZE_OPENVMM && n != VW_IC_TIMESYNC_SIZE_LINUX)
            return size_fault(n, VW_IC_TIMESYNC_SIZE_LINUX, off);
        o->parent_time = vw_get_u64le(b);
        o->child_time = vw_get_u64le(b + 8);
        o->round_trip_time = vw_get_u64le(b + 16);
        o->flags = b[24];
        memcpy(o->reserved, b + 25, n - 25);
    }
    o->size = (uint8_t)n;
    *used = n;
    return VW_OK;
}

/* A KVP key or string value of `size` bytes at p (size checked <= cap). */
static vw_status dec_utf16_sized(const uint8_t *p, uint32_t size, size_t base, size_t size_field, size_t *off)
{
    if (size == 0)
        return VW_OK;
    size_t bad = 0;
    vw_status s = vw_ic_utf16_check(p, size, &bad);
    if (s == VW_E_BAD_LENGTH)
        *off = size_field;
    else if (s != VW_OK)
        *off = base + bad;
    return s;
}

/* Value record at r (2572 bytes available); `at` is its offset from the IC header. */
static vw_status dec_kvp_record(const uint8_t *r, size_t at, struct vw_ic_kvp_value *v, size_t *off)
{
    v->value_type = vw_get_u32le(r);
    uint32_t ks = vw_get_u32le(r + 4);
    v->value_size = vw_get_u32le(r + 8);
    if (ks > VW_IC_KVP_MAX_KEY_SIZE) {
        *off = at + 4;
        return VW_E_TOO_LONG;
    }
    if (v->value_size > VW_IC_KVP_MAX_VALUE_SIZE) {
        *off = at + 8;
        return VW_E_TOO_LONG;
    }
    vw_status s = dec_utf16_sized(r + VW_IC__KVP_REC_KEY, ks, at + VW_IC__KVP_REC_KEY, at + 4, off);
    if (s != VW_OK)
        return s;
    v->key.p = r + VW_IC__KVP_REC_KEY;
    v->key.size = ks;
    v->value = r + VW_IC__KVP_REC_VALUE;
    if (v->value_type == VW_IC_KVP_TYPE_STRING || v->value_type == VW_IC_KVP_TYPE_EXPAND_STRING)
        return dec_utf16_sized(r + VW_IC__KVP_REC_VALUE, v->value_size, at + VW_IC__KVP_REC_VALUE, at + 8, off);
    return VW_OK;
}

static vw_status dec_field(const uint8_t *p, size_t cap, size_t at, struct vw_ic_utf16 *f, size_t *off)
{
    size_t bad = 0, len = 0;
    vw_status s = vw_ic_utf16_field(p, cap, &len, &bad);
    if (s != VW_OK) {
        *off = at + bad;
        return s;
    }
    f->p = p;
    f->size = len;
    return VW_OK;
}

static vw_status dec_ip_string(const uint8_t *r, size_t at, struct vw_ic_kvp_ip_string *o, size_t *off)
{
    vw_status s;
    if ((s = dec_field(r, 256, at, &o->adapter_id, off)) != VW_OK)
        return s;
    o->address_family = r[256];
    o->dhcp_enabled = r[257];
    if ((s = dec_field(r + 258, 2048, at + 258, &o->ip_address, off)) != VW_OK)
        return s;
    if ((s = dec_field(r + 2306, 2048, at + 2306, &o->subnet, off)) != VW_OK)
        return s;
    if ((s = dec_field(r + 4354, 1024, at + 4354, &o->gateway, off)) != VW_OK)
        return s;
    return dec_field(r + 5378, 2048, at + 5378, &o->dns, off);
}

static vw_status dec_ip_binary(const uint8_t *r, size_t at, struct vw_ic_kvp_ip_binary *o, size_t *off)
{
    static const uint32_t limits[6] = { 64, 64, 5, 5, 64, 64 };
    uint32_t c[6];
    for (size_t i = 0; i < 6; i++) {
        c[i] = vw_get_u32le(r + 4 * i);
        if (c[i] > limits[i]) {
            *off = at + 4 * i;
            return VW_E_TOO_LONG;
        }
    }
    o->ipv4_address_count = c[0];
    o->ipv6_address_count = c[1];
    o->ipv4_gateway_count = c[2];
    o->ipv6_gateway_count = c[3];
    o->ipv4_dns_count = c[4];
    o->ipv6_dns_count = c[5];
    vw_status s = dec_field(r + 24, 256, at + 24, &o->adapter_id, off);
    if (s != VW_OK)
        return s;
    o->address_family = r[280];
    o->dhcp_enabled = r[281];
    o->reserved = vw_get_u16le(r + 282);
    o->ipv4_addresses = r + 284;
    o->ipv6_addresses = r + 540;
    o->ipv4_subnets = r + 1564;
    o->ipv6_prefix_lengths = r + 1820;
    o->ipv4_gateways = r + 2076;
    o->ipv6_gateways = r + 2096;
    o->ipv4_dns = r + 2176;
    o->ipv6_dns = r + 2432;
    o->address_origins = r + 3456;
    return VW_OK;
}

static vw_status dec_kvp(const uint8_t *b, size_t n, struct vw_ic_version ver, struct vw_ic_kvp *o, size_t *used,
                         size_t *off)
{
    memset(o, 0, sizeof *o);
    if (n < 4) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    o->operation = b[0];
    o->pool = b[1];
    size_t need;
    bool ip = o->operation == VW_IC_KVP_OP_GET_IP_INFO || o->operation == VW_IC_KVP_OP_SET_IP_INFO;
    o->ip_binary = ip && ver.major >= 5;
    switch (o->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        need = 4 + VW_IC_KVP_VALUE_RECORD_SIZE;
        break;
    case VW_IC_KVP_OP_DELETE:
        need = 4 + 4 + VW_IC_KVP_MAX_KEY_SIZE;
        break;
    case VW_IC_KVP_OP_ENUMERATE:
        need = 4 + 4 + VW_IC_KVP_VALUE_RECORD_SIZE;
        break;
    case VW_IC_KVP_OP_GET_IP_INFO:
    case VW_IC_KVP_OP_SET_IP_INFO:
        need = o->ip_binary ? 4 + VW_IC_KVP_IP_BINARY_SIZE : 2 + VW_IC_KVP_IP_STRING_SIZE;
        break;
    default:
        *off = BODY(0);
        return VW_E_BAD_TYPE;
    }
    if (n < need) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    if (!(ip && !o->ip_binary))
        o->pad = vw_get_u16le(b + 2);
    vw_status s = VW_OK;
    switch (o->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        s = dec_kvp_record(b + 4, BODY(4), &o->value, off);
        break;
    case VW_IC_KVP_OP_DELETE: {
        uint32_t ks = vw_get_u32le(b + 4);
        if (ks > VW_IC_KVP_MAX_KEY_SIZE) {
            *off = BODY(4);
            return VW_E_TOO_LONG;
        }
        s = dec_utf16_sized(b + 8, ks, BODY(8), BODY(4), off);
        o->value.key.p = b + 8;
        o->value.key.size = ks;
        break;
    }
    case VW_IC_KVP_OP_ENUMERATE:
        o->index = vw_get_u32le(b + 4);
        s = dec_kvp_record(b + 8, BODY(8), &o->value, off);
        break;
    default:
        if (o->ip_binary)
            s = dec_ip_binary(b + 4, BODY(4), &o->ip_binary_info, off);
        else
            s = dec_ip_string(b + 2, BODY(2), &o->ip_string, off);
        break;
    }
    if (s != VW_OK)
        return s;
    *used = need;
    return VW_OK;
}

static vw_status dec_vss(const uint8_t *b, size_t n, struct vw_ic_vss *o, size_t *used, size_t *off)
{
    memset(o, 0, sizeof *o);
    if (n < VW_IC_VSS_SIZE_LINUX) {
        *off = BODY(n);
        return VW_E_TRUNCATED;
    }
    o->operation = b[0];
    memcpy(o->reserved, b + 1, 7);
    switch (n) {
    case VW_IC_VSS_SIZE_LINUX:
        o->form = VW_IC_VSS_FORM_BASIC;
        o->basic_size = VW_IC_VSS_SIZE_LINUX;
        o->flags = vw_get_u32le(b + 8); /* IC-VSS-2: Linux hv_vss_msg, flags at 8 */
        o->tail = b + 12;
        break;
    case VW_IC_VSS_SIZE_OPENVMM: {
        /* IC-VSS-2: OpenVMM VssMessage: header (8), reserved[7], data[24]. */
        const uint8_t *data = b + 15;
        o->form = VW_IC_VSS_FORM_BASIC;
        o->basic_size = VW_IC_VSS_SIZE_OPENVMM;
        o->reserved2 = b + 8;
        if (o->operation == VW_IC_VSS_OP_CREATE || o->operation == VW_IC_VSS_OP_DELETE) {
            /* IC-VSS-11: MessageCreate(V2) / MessageDelete. */
            memcpy(o->snapshot_set_id, data, 16);
            size_t used_data = 16;
            if (o->operation == VW_IC_VSS_OP_CREATE) {
                o->backup_type = vw_get_u32le(data + 16);
                used_data = 20;
            }
            o->tail = data + used_data;
            o->tail_len = 24 - used_data;
        } else {
            o->flags = vw_get_u32le(data); /* flags lead the data */
            o->tail = data + 4;
            o->tail_len = 20;
        }
        break;
    }
    case VW_IC_VSS_FREEZE_SIZE:
    case VW_IC_VSS_FREEZE_EX_SIZE:
        o->form = n == VW_IC_VSS_FREEZE_SIZE ? VW_IC_VSS_FORM_FREEZE : VW_IC_VSS_FORM_FREEZE_EX;
        o->backup_type = vw_get_u32le(b + 8);
        o->flags = vw_get_u32le(b + 12);
        o->lun_count = vw_get_u32le(b + 16);
        if (o->lun_count > VW_IC_VSS_MAX_LUNS) {
            *off = BODY(16);
            return VW_E_TOO_LONG;
        }
        o->luns = b + 20;
        if (o->form == VW_IC_VSS_FORM_FREEZE_EX)
            o->shadow_luns = b + VW_IC_VSS_FREEZE_SIZE;
        break;
    case VW_IC_VSS_CLUSTER_SIZE:
    case VW_IC_VSS_CLUSTER_EX_SIZE:
        o->form = n == VW_IC_VSS_CLUSTER_SIZE ? VW_IC_VSS_FORM_CLUSTER : VW_IC_VSS_FORM_CLUSTER_EX;
        memcpy(o->cluster_id, b + 8, 16);
        o->cluster_size = vw_get_u32le(b + 24);
        o->lun_count = vw_get_u32le(b + 28);
        if (o->lun_count > VW_IC_VSS_MAX_LUNS) {
            *off = BODY(28);
            return VW_E_TOO_LONG;
        }
        o->luns = b + 32;
        o->lun_status = b + 32 + VW_IC_VSS_MAX_LUNS * VW_IC_VSS_LUN_SIZE;
        if (o->form == VW_IC_VSS_FORM_CLUSTER_EX)
            o->last_move_time = vw_get_u64le(b + VW_IC_VSS_CLUSTER_SIZE);
        break;
    default:
        *off = VW_IC__OFF_SIZE;
        return VW_E_BAD_LENGTH;
    }
    *used = n;
    return VW_OK;
}

vw_status vw_ic_vss_lun_decode(const uint8_t *in, size_t len, struct vw_ic_vss_lun *out, size_t *off)
{
    if (!out || !off || (!in && len))
        return VW_E_INVALID_ARG;
    if (len < VW_IC_VSS_LUN_SIZE) {
        *off = len;
        return VW_E_TRUNCATED;
    }
    out->bus_type = in[0];
    memcpy(out->reserved, in + 1, 3);
    memcpy(out->controller, in + 4, 16);
    out->port = in[20];
    out->target = in[21];
    out->lun = in[22];
    out->reserved2 = in[23];
    *off = VW_IC_VSS_LUN_SIZE;
    return VW_OK;
}

vw_status vw_ic_vss_lun_encode(const struct vw_ic_vss_lun *in, uint8_t *out, size_t cap, size_t *written)
{
    if (!in || !written)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    vw_wr_u8(&w, in->bus_type);
    vw_wr_bytes(&w, in->reserved, 3);
    vw_wr_bytes(&w, in->controller, 16);
    vw_wr_u8(&w, in->port);
    vw_wr_u8(&w, in->target);
    vw_wr_u8(&w, in->lun);
    vw_wr_u8(&w, in->reserved2);
    return finish(&w, out, written);
}

vw_status vw_ic_message_decode(const uint8_t *in, size_t len, struct vw_ic_message *out, size_t *off)
{
    if (!out || !off || (!in && len))
        return VW_E_INVALID_ARG;
    struct vw_ic_message m;
    memset(&m, 0, sizeof m);
    size_t o = 0;
    vw_status s = vw_ic_header_decode(in, len, &m.header, &o);
    if (s != VW_OK) {
        *off = o;
        return s;
    }
    size_t n = m.header.message_size;
    if (len - VW_IC_HEADER_SIZE < n) {
        *off = len;
        return VW_E_TRUNCATED;
    }
    const uint8_t *b = in + VW_IC_HEADER_SIZE;
    size_t used = 0;
    if (n == 0) {
        m.kind = VW_IC_BODY_NONE;
    } else {
        switch (m.header.message_type) {
        case VW_IC_MSG_NEGOTIATE:
            m.kind = VW_IC_BODY_NEGOTIATE;
            s = dec_negotiate(b, n, &m.body.negotiate, &used, &o);
            break;
        case VW_IC_MSG_HEARTBEAT:
            m.kind = VW_IC_BODY_HEARTBEAT;
            s = dec_heartbeat(b, n, &m.body.heartbeat, &used, &o);
            break;
        case VW_IC_MSG_KVP:
            m.kind = VW_IC_BODY_KVP;
            s = dec_kvp(b, n, m.header.message_version, &m.body.kvp, &used, &o);
            break;
        case VW_IC_MSG_SHUTDOWN:
            m.kind = VW_IC_BODY_SHUTDOWN;
            s = dec_shutdown(b, n, &m.body.shutdown, &used, &o);
            break;
        case VW_IC_MSG_TIMESYNC:
            m.kind = VW_IC_BODY_TIMESYNC;
            s = dec_timesync(b, n, m.header.message_version.major >= 4, &m.body.timesync, &used, &o);
            break;
        case VW_IC_MSG_VSS:
            m.kind = VW_IC_BODY_VSS;
            s = dec_vss(b, n, &m.body.vss, &used, &o);
            break;
        default:
            m.kind = VW_IC_BODY_RAW;
            used = 0;
            break;
        }
        if (s != VW_OK) {
            memset(out, 0, sizeof *out);
            *off = o;
            return s;
        }
    }
    m.padding.p = n > used ? b + used : NULL;
    m.padding.len = n - used;
    m.trailing.len = len - VW_IC_HEADER_SIZE - n;
    m.trailing.p = m.trailing.len ? b + n : NULL;
    *out = m;
    *off = len;
    return VW_OK;
}

/* ---- body encoders ------------------------------------------------------- */

static void wr_field(struct vw_wr *w, struct vw_ic_utf16 f, size_t cap)
{
    vw_wr_bytes(w, f.p, f.size);
    vw_wr_zero(w, cap - f.size);
}

static vw_status wr_kvp_record(struct vw_wr *w, const struct vw_ic_kvp_value *v)
{
    if (v->key.size > VW_IC_KVP_MAX_KEY_SIZE || v->value_size > VW_IC_KVP_MAX_VALUE_SIZE)
        return VW_E_TOO_LONG;
    if ((v->key.size && !v->key.p) || (v->value_size && !v->value))
        return VW_E_INVALID_ARG;
    vw_wr_u32le(w, v->value_type);
    vw_wr_u32le(w, (uint32_t)v->key.size);
    vw_wr_u32le(w, v->value_size);
    wr_field(w, v->key, VW_IC_KVP_MAX_KEY_SIZE);
    struct vw_ic_utf16 val = { v->value, v->value_size };
    wr_field(w, val, VW_IC_KVP_MAX_VALUE_SIZE);
    return VW_OK;
}

static vw_status check_field(struct vw_ic_utf16 f, size_t cap)
{
    if (f.size > cap - 2)
        return VW_E_TOO_LONG;
    if (f.size % 2)
        return VW_E_BAD_LENGTH;
    if (f.size && !f.p)
        return VW_E_INVALID_ARG;
    return VW_OK;
}

static vw_status wr_kvp(struct vw_wr *w, const struct vw_ic_kvp *k)
{
    vw_status s;
    bool ip = k->operation == VW_IC_KVP_OP_GET_IP_INFO || k->operation == VW_IC_KVP_OP_SET_IP_INFO;
    vw_wr_u8(w, k->operation);
    vw_wr_u8(w, k->pool);
    if (ip && !k->ip_binary) {
        const struct vw_ic_kvp_ip_string *r = &k->ip_string;
        if ((s = check_field(r->adapter_id, 256)) != VW_OK || (s = check_field(r->ip_address, 2048)) != VW_OK ||
            (s = check_field(r->subnet, 2048)) != VW_OK || (s = check_field(r->gateway, 1024)) != VW_OK ||
            (s = check_field(r->dns, 2048)) != VW_OK)
            return s;
        wr_field(w, r->adapter_id, 256);
        vw_wr_u8(w, r->address_family);
        vw_wr_u8(w, r->dhcp_enabled);
        wr_field(w, r->ip_address, 2048);
        wr_field(w, r->subnet, 2048);
        wr_field(w, r->gateway, 1024);
        wr_field(w, r->dns, 2048);
        return VW_OK;
    }
    vw_wr_u16le(w, k->pad);
    switch (k->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        return wr_kvp_record(w, &k->value);
    case VW_IC_KVP_OP_DELETE:
        if (k->value.key.size > VW_IC_KVP_MAX_KEY_SIZE)
            return VW_E_TOO_LONG;
        if (k->value.key.size && !k->value.key.p)
            return VW_E_INVALID_ARG;
        vw_wr_u32le(w, (uint32_t)k->value.key.size);
        wr_field(w, k->value.key, VW_IC_KVP_MAX_KEY_SIZE);
        return VW_OK;
    case VW_IC_KVP_OP_ENUMERATE:
        vw_wr_u32le(w, k->index);
        return wr_kvp_record(w, &k->value);
    case VW_IC_KVP_OP_GET_IP_INFO:
    case VW_IC_KVP_OP_SET_IP_INFO: {
        const struct vw_ic_kvp_ip_binary *r = &k->ip_binary_info;
        uint32_t c[6] = { r->ipv4_address_count, r->ipv6_address_count, r->ipv4_gateway_count,
                          r->ipv6_gateway_count, r->ipv4_dns_count, r->ipv6_dns_count };
        static const uint32_t limits[6] = { 64, 64, 5, 5, 64, 64 };
        for (size_t i = 0; i < 6; i++)
            if (c[i] > limits[i])
                return VW_E_TOO_LONG;
        if ((s = check_field(r->adapter_id, 256)) != VW_OK)
            return s;
        for (size_t i = 0; i < 6; i++)
            vw_wr_u32le(w, c[i]);
        wr_field(w, r->adapter_id, 256);
        vw_wr_u8(w, r->address_family);
        vw_wr_u8(w, r->dhcp_enabled);
        vw_wr_u16le(w, r->reserved);
        struct {
            const uint8_t *p;
            size_t n, each, max;
        } arr[9] = {
            { r->ipv4_addresses, c[0], 4, 64 },  { r->ipv6_addresses, c[1], 16, 64 },
            { r->ipv4_subnets, c[0], 4, 64 },    { r->ipv6_prefix_lengths, c[1], 4, 64 },
            { r->ipv4_gateways, c[2], 4, 5 },    { r->ipv6_gateways, c[3], 16, 5 },
            { r->ipv4_dns, c[4], 4, 64 },        { r->ipv6_dns, c[5], 16, 64 },
            { r->address_origins, (size_t)c[0] + c[1], 2, 128 },
        };
        for (size_t i = 0; i < 9; i++) {
            if (arr[i].n && !arr[i].p)
                return VW_E_INVALID_ARG;
            vw_wr_bytes(w, arr[i].p, arr[i].n * arr[i].each);
            vw_wr_zero(w, (arr[i].max - arr[i].n) * arr[i].each);
        }
        return VW_OK;
    }
    default:
        return VW_E_BAD_TYPE;
    }
}

static vw_status wr_vss(struct vw_wr *w, const struct vw_ic_vss *v)
{
    vw_wr_u8(w, v->operation);
    vw_wr_bytes(w, v->reserved, 7);
    switch (v->form) {
    case VW_IC_VSS_FORM_BASIC: {
        size_t size = v->basic_size ? v->basic_size : v->tail_len ? VW_IC_VSS_SIZE_OPENVMM : VW_IC_VSS_SIZE_LINUX;
        if (size == VW_IC_VSS_SIZE_LINUX) {
            if (v->tail_len)
                return VW_E_BAD_LENGTH;
            vw_wr_u32le(w, v->flags);
            return VW_OK;
        }
        if (size != VW_IC_VSS_SIZE_OPENVMM)
            return VW_E_BAD_LENGTH;
        /* IC-VSS-2: the 39-byte form has 7 reserved bytes before the 24 data bytes. */
        if (v->reserved2)
            vw_wr_bytes(w, v->reserved2, 7);
        else
            vw_wr_zero(w, 7);
        size_t fields;
        if (v->operation == VW_IC_VSS_OP_CREATE || v->operation == VW_IC_VSS_OP_DELETE) {
            vw_wr_bytes(w, v->snapshot_set_id, 16); /* IC-VSS-11 */
            fields = 16;
            if (v->operation == VW_IC_VSS_OP_CREATE) {
                vw_wr_u32le(w, v->backup_type);
                fields = 20;
            }
        } else {
            vw_wr_u32le(w, v->flags);
            fields = 4;
        }
        if (v->tail_len != 0 && v->tail_len != 24 - fields)
            return VW_E_BAD_LENGTH;
        if (v->tail && v->tail_len)
            vw_wr_bytes(w, v->tail, v->tail_len);
        else
            vw_wr_zero(w, 24 - fields);
        return VW_OK;
    }
    case VW_IC_VSS_FORM_FREEZE:
    case VW_IC_VSS_FORM_FREEZE_EX:
    case VW_IC_VSS_FORM_CLUSTER:
    case VW_IC_VSS_FORM_CLUSTER_EX:
        break;
    default:
        return VW_E_BAD_TYPE;
    }
    if (v->lun_count > VW_IC_VSS_MAX_LUNS)
        return VW_E_TOO_LONG;
    size_t used = (size_t)v->lun_count * VW_IC_VSS_LUN_SIZE, rest = VW_IC_VSS_MAX_LUNS * VW_IC_VSS_LUN_SIZE - used;
    if (v->lun_count && !v->luns)
        return VW_E_INVALID_ARG;
    if (v->form == VW_IC_VSS_FORM_FREEZE || v->form == VW_IC_VSS_FORM_FREEZE_EX) {
        vw_wr_u32le(w, v->backup_type);
        vw_wr_u32le(w, v->flags);
        vw_wr_u32le(w, v->lun_count);
        vw_wr_bytes(w, v->luns, used);
        vw_wr_zero(w, rest);
        if (v->form == VW_IC_VSS_FORM_FREEZE_EX) {
            if (v->lun_count && !v->shadow_luns)
                return VW_E_INVALID_ARG;
            vw_wr_bytes(w, v->shadow_luns, used);
            vw_wr_zero(w, rest);
        }
        return VW_OK;
    }
    if (v->lun_count && !v->lun_status)
        return VW_E_INVALID_ARG;
    vw_wr_bytes(w, v->cluster_id, 16);
    vw_wr_u32le(w, v->cluster_size);
    vw_wr_u32le(w, v->lun_count);
    vw_wr_bytes(w, v->luns, used);
    vw_wr_zero(w, rest);
    vw_wr_bytes(w, v->lun_status, 4u * v->lun_count);
    vw_wr_zero(w, 4u * (VW_IC_VSS_MAX_LUNS - v->lun_count));
    if (v->form == VW_IC_VSS_FORM_CLUSTER_EX)
        vw_wr_u64le(w, v->last_move_time);
    return VW_OK;
}

static vw_status wr_body(struct vw_wr *w, const struct vw_ic_message *m)
{
    switch (m->kind) {
    case VW_IC_BODY_NONE:
    case VW_IC_BODY_RAW:
        return VW_OK;
    case VW_IC_BODY_NEGOTIATE: {
        const struct vw_ic_negotiate *n = &m->body.negotiate;
        if (n->framework_count > VW_IC_NEGOTIATE_MAX_COUNT || n->message_count > VW_IC_NEGOTIATE_MAX_COUNT)
            return VW_E_TOO_LONG;
        size_t total = (size_t)n->framework_count + n->message_count;
        if (total && !n->wire_versions && ((n->framework_count && !n->framework_versions) ||
                                           (n->message_count && !n->message_versions)))
            return VW_E_INVALID_ARG;
        vw_wr_u16le(w, n->framework_count);
        vw_wr_u16le(w, n->message_count);
        vw_wr_u32le(w, n->reserved);
        for (size_t i = 0; i < total; i++) {
            struct vw_ic_version v = vw_ic_negotiate_version(n, i);
            vw_wr_u16le(w, v.major);
            vw_wr_u16le(w, v.minor);
        }
        return VW_OK;
    }
    case VW_IC_BODY_HEARTBEAT: {
        const struct vw_ic_heartbeat *h = &m->body.heartbeat;
        if (h->size != VW_IC_HEARTBEAT_SIZE_OPENVMM && h->size != VW_IC_HEARTBEAT_SIZE_LINUX)
            return VW_E_BAD_LENGTH;
        vw_wr_u64le(w, h->sequence_number);
        vw_wr_u32le(w, h->application_state);
        vw_wr_bytes(w, h->reserved, (size_t)h->size - 12);
        return VW_OK;
    }
    case VW_IC_BODY_SHUTDOWN: {
        const struct vw_ic_shutdown *s = &m->body.shutdown;
        vw_wr_u32le(w, s->reason_code);
        vw_wr_u32le(w, s->timeout_secs);
        vw_wr_u32le(w, s->flags);
        if (s->display_message)
            vw_wr_bytes(w, s->display_message, VW_IC_SHUTDOWN_MESSAGE_SIZE);
        else
            vw_wr_zero(w, VW_IC_SHUTDOWN_MESSAGE_SIZE);
        return VW_OK;
    }
    case VW_IC_BODY_TIMESYNC: {
        const struct vw_ic_timesync *t = &m->body.timesync;
        vw_wr_u64le(w, t->parent_time);
        if (t->v4) {
            if (t->size != VW_IC_TIMESYNC4_SIZE_OPENVMM && t->size != VW_IC_TIMESYNC4_SIZE_LINUX)
                return VW_E_BAD_LENGTH;
            vw_wr_u64le(w, t->vm_reference_time);
            vw_wr_u8(w, t->flags);
            vw_wr_u8(w, t->leap_indicator);
            vw_wr_u8(w, t->stratum);
            vw_wr_bytes(w, t->reserved, (size_t)t->size - 19);
        } else {
            if (t->size != VW_IC_TIMESYNC_SIZE_OPENVMM && t->size != VW_IC_TIMESYNC_SIZE_LINUX)
                return VW_E_BAD_LENGTH;
            vw_wr_u64le(w, t->child_time);
            vw_wr_u64le(w, t->round_trip_time);
            vw_wr_u8(w, t->flags);
            vw_wr_bytes(w, t->reserved, (size_t)t->size - 25);
        }
        return VW_OK;
    }
    case VW_IC_BODY_KVP:
        return wr_kvp(w, &m->body.kvp);
    case VW_IC_BODY_VSS:
        return wr_vss(w, &m->body.vss);
    }
    return VW_E_INVALID_ARG;
}

vw_status vw_ic_body_size(const struct vw_ic_message *m, size_t *size)
{
    if (!m || !size)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, NULL, 0);
    vw_status s = wr_body(&w, m);
    if (s != VW_OK)
        return s;
    *size = w.off + m->padding.len;
    return VW_OK;
}

static vw_status wr_message(struct vw_wr *w, const struct vw_ic_message *m)
{
    if ((m->padding.len && !m->padding.p) || (m->trailing.len && !m->trailing.p))
        return VW_E_INVALID_ARG;
    size_t start = w->off;
    wr_header(w, &m->header);
    vw_status s = wr_body(w, m);
    if (s != VW_OK)
        return s;
    vw_wr_bytes(w, m->padding.p, m->padding.len);
    size_t body = w->off - start - VW_IC_HEADER_SIZE;
    if (body > m->header.message_size)
        return VW_E_BAD_LENGTH;
    vw_wr_zero(w, m->header.message_size - body);
    vw_wr_bytes(w, m->trailing.p, m->trailing.len);
    return VW_OK;
}

/* On failure other than NOSPACE, nothing useful is left: clear what was written. */
static vw_status end_encode(struct vw_wr *w, vw_status s, uint8_t *out, size_t cap, size_t *written)
{
    if (s != VW_OK) {
        if (out && cap)
            memset(out, 0, w->off < cap ? w->off : cap);
        *written = 0;
        return s;
    }
    return finish(w, out, written);
}

vw_status vw_ic_message_encode(const struct vw_ic_message *in, uint8_t *out, size_t cap, size_t *written)
{
    if (!in || !written)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    return end_encode(&w, wr_message(&w, in), out, cap, written);
}

vw_status vw_ic_packet_decode(const uint8_t *in, size_t len, struct vw_ic_packet *out, size_t *off)
{
    if (!out || !off || (!in && len))
        return VW_E_INVALID_ARG;
    struct vw_ic_packet p;
    memset(&p, 0, sizeof p);
    size_t o = 0;
    vw_status s = vw_ic_pipe_header_decode(in, len, &p.pipe, &o);
    if (s != VW_OK) {
        *off = o;
        return s;
    }
    if (p.pipe.size > len - VW_IC_PIPE_HEADER_SIZE) {
        *off = len;
        return VW_E_TRUNCATED;
    }
    s = vw_ic_message_decode(in + VW_IC_PIPE_HEADER_SIZE, p.pipe.size, &p.message, &o);
    if (s != VW_OK) {
        *off = VW_IC_PIPE_HEADER_SIZE + o;
        return s;
    }
    p.padding.len = len - VW_IC_PIPE_HEADER_SIZE - p.pipe.size;
    p.padding.p = p.padding.len ? in + VW_IC_PIPE_HEADER_SIZE + p.pipe.size : NULL;
    *out = p;
    *off = len;
    return VW_OK;
}

vw_status vw_ic_packet_encode(const struct vw_ic_packet *in, uint8_t *out, size_t cap, size_t *written)
{
    if (!in || !written)
        return VW_E_INVALID_ARG;
    if (in->padding.len && !in->padding.p)
        return VW_E_INVALID_ARG;
    struct vw_wr w;
    vw_wr_init(&w, out, cap);
    wr_pipe(&w, &in->pipe);
    vw_status s = wr_message(&w, &in->message);
    if (s == VW_OK)
        vw_wr_bytes(&w, in->padding.p, in->padding.len);
    return end_encode(&w, s, out, cap, written);
}
