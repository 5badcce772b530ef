/* Serial guest protocol: the freestanding, heapless codec (spec/serial.md).
 *
 * Builds with -ffreestanding and no C library: no <string.h>, no allocation,
 * no global mutable state. The only tables are const field descriptions of
 * the six payload messages, shared by the decoder and the encoder.
 *
 * Offsets are absolute (from the start of the payload) everywhere, so a
 * fault inside an embedded message still points into the caller's buffer. */
#include "vmwire/serial_guest.h"
#include "serial/internal.h"

#define PB_MAX_DEPTH 100u /* Google's default recursion limit (SER-MSG-7) */
#define NO_FAULT ((size_t)-1)

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };
enum ftype { F_STR, F_PATH, F_U32, F_U64, F_BOOL };

struct fdesc {
    uint8_t num;
    uint8_t type;
    uint16_t off; /* offset of the member in its struct */
};

#define FD(n, t, s, m) { (n), (t), (uint16_t)offsetof(struct s, m) }

static const struct fdesc init_f[] = {
    FD(1, F_STR, vw_serial_init, stage),
    FD(2, F_STR, vw_serial_init, device),
    FD(3, F_U64, vw_serial_init, address),
};
static const struct fdesc capacity_f[] = {
    FD(1, F_STR, vw_serial_capacity, device),
    FD(2, F_U64, vw_serial_capacity, sectors),
    FD(3, F_U64, vw_serial_capacity, bytes),
};
static const struct fdesc progress_f[] = {
    FD(1, F_STR, vw_serial_progress, operation),
    FD(2, F_U64, vw_serial_progress, current),
    FD(3, F_U64, vw_serial_progress, total),
    FD(4, F_U32, vw_serial_progress, percent),
};
static const struct fdesc error_f[] = {
    FD(1, F_STR, vw_serial_error, operation),
    FD(2, F_STR, vw_serial_error, device),
    FD(3, F_U64, vw_serial_error, sector),
    FD(4, F_U32, vw_serial_error, status),
};
static const struct fdesc complete_f[] = {
    FD(1, F_STR, vw_serial_complete, operation),
    FD(2, F_U64, vw_serial_complete, count),
    FD(3, F_BOOL, vw_serial_complete, success),
};
static const struct fdesc info_f[] = {
    FD(1, F_STR, vw_serial_info_result, format),
    FD(2, F_U32, vw_serial_info_result, version),
    FD(3, F_U64, vw_serial_info_result, virtual_size),
    FD(4, F_U64, vw_serial_info_result, actual_size),
    FD(5, F_U32, vw_serial_info_result, cluster_size),
    FD(6, F_U32, vw_serial_info_result, flags),
    FD(7, F_PATH, vw_serial_info_result, backing_file),
    FD(8, F_PATH, vw_serial_info_result, external_data_file),
};
static const struct fdesc device_f[] = {
    FD(1, F_STR, vw_serial_device_config, name),
    FD(2, F_U32, vw_serial_device_config, sector_size),
};

struct mdesc {
    const struct fdesc *f;
    uint8_t n;
};

/* Indexed by enum vw_serial_payload (the oneof field numbers). */
static const struct mdesc payload_m[8] = {
    { 0, 0 },
    { 0, 0 },
    { init_f, 3 },
    { capacity_f, 3 },
    { progress_f, 4 },
    { error_f, 4 },
    { complete_f, 3 },
    { info_f, 8 },
};
static const struct mdesc device_m = { device_f, 2 };

#define MAX_FIELDS 8u

/* ---- small freestanding helpers ------------------------------------------ */

/* zero() and copy() move a machine word at a time where the compiler lets a
 * word alias any object at any alignment (GNU C's may_alias and aligned(1):
 * gcc and clang); elsewhere, and for the last few bytes, a byte at a time.
 * No call to memset/memcpy is written here: the codec needs no C library.
 * The message structs are cleared at every decode (592 bytes for a
 * GuestMessage), so a byte loop there dominated the decode of small frames,
 * the more so under coverage instrumentation (fuzz/README.md). */
#if defined(__GNUC__) || defined(__clang__)
typedef unsigned long __attribute__((__may_alias__, __aligned__(1))) any_word;
#define WORDWISE 1
#else
#define WORDWISE 0
#endif

static void zero(void *p, size_t n)
{
    unsigned char *b = p;
#if WORDWISE
    any_word *w = (any_word *)p;
    for (; n >= 4 * sizeof *w; n -= 4 * sizeof *w, w += 4) {
        w[0] = 0;
        w[1] = 0;
        w[2] = 0;
        w[3] = 0;
    }
    for (; n >= sizeof *w; n -= sizeof *w)
        *w++ = 0;
    b = (unsigned char *)w;
#endif
    while (n--)
        *b++ = 0;
}

/* Forward copy of n bytes; word-wise only when the two ranges do not
 * overlap (a forward byte copy is what callers may rely on otherwise). */
static void copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
#if WORDWISE
    uintptr_t da = (uintptr_t)dst, sa = (uintptr_t)src;
    if (da + n <= sa || sa + n <= da) {
        any_word *wd = (any_word *)dst;
        const any_word *ws = (const any_word *)src;
        for (; n >= 4 * sizeof *wd; n -= 4 * sizeof *wd, wd += 4, ws += 4) {
            wd[0] = ws[0];
            wd[1] = ws[1];
            wd[2] = ws[2];
            wd[3] = ws[3];
        }
        for (; n >= sizeof *wd; n -= sizeof *wd)
            *wd++ = *ws++;
        d = (unsigned char *)wd;
        s = (const unsigned char *)ws;
    }
#endif
    while (n--)
        *d++ = *s++;
}

/* Length of the UTF-8 sequence at p[0..len), or 0 if it is not valid there. */
static size_t utf8_seq(const uint8_t *p, size_t len)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

bool vw_serial_utf8_valid(const uint8_t *p, size_t len, size_t *bad)
{
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0) {
            if (bad)
                *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

/* ---- decoding ------------------------------------------------------------ */

struct rd {
    const uint8_t *p; /* start of the whole payload: offsets are absolute */
    size_t pos;
    size_t end;       /* end of the current message */
    size_t fault;     /* offset of the fault when a call fails */
};

/* A varint of at most 10 bytes; bits above 64 in the tenth byte are dropped. */
static vw_status rd_varint(struct rd *r, uint64_t *v)
{
    uint64_t x = 0;
    size_t start = r->pos;
    for (unsigned i = 0; i < 10; i++) {
        if (r->pos >= r->end) {
            r->fault = r->end;
            return VW_E_TRUNCATED;
        }
        uint8_t b = r->p[r->pos++];
        x |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return VW_OK;
        }
    }
    r->fault = start;
    return VW_E_BAD_VARINT;
}

/* A varint of at most 5 bytes (tags). */
static vw_status rd_varint5(struct rd *r, uint64_t *v)
{
    uint64_t x = 0;
    size_t start = r->pos;
    for (unsigned i = 0; i < 5; i++) {
        if (r->pos >= r->end) {
            r->fault = r->end;
            return VW_E_TRUNCATED;
        }
        uint8_t b = r->p[r->pos++];
        x |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return VW_OK;
        }
    }
    r->fault = start;
    return VW_E_BAD_VARINT;
}

/* A tag as Google's C++ parser reads it: at most 5 bytes, kept in 32 bits. */
static vw_status rd_tag(struct rd *r, uint32_t *fnum, unsigned *wt, size_t *tag_off)
{
    uint64_t v;
    *tag_off = r->pos;
    vw_status s = rd_varint5(r, &v);
    if (s != VW_OK)
        return s;
    uint32_t t = (uint32_t)v;
    *wt = t & 7u;
    *fnum = t >> 3;
    if (*fnum == 0) {
        r->fault = *tag_off;
        return VW_E_BAD_FIELD_NUMBER;
    }
    if (*wt == 6 || *wt == 7) {
        r->fault = *tag_off;
        return VW_E_BAD_WIRE_TYPE;
    }
    return VW_OK;
}

/* Length prefix of a wire type 2 field; on success r->pos is the start of
 * the data and *n its length, known to be inside the current message. */
static vw_status rd_len(struct rd *r, size_t *n)
{
    uint64_t v = 0;
    size_t start = r->pos;
    for (unsigned i = 0;; i++) {
        if (r->pos >= r->end) {
            r->fault = r->end;
            return VW_E_TRUNCATED;
        }
        uint8_t b = r->p[r->pos++];
        if (i == 4 && b >= 8) { /* 2^31 or more, or a sixth byte */
            r->fault = start;
            return VW_E_BAD_VARINT;
        }
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80))
            break;
    }
    if (v > r->end - r->pos) {
        r->fault = r->end;
        return VW_E_TRUNCATED;
    }
    *n = (size_t)v;
    return VW_OK;
}

static vw_status skip_group(struct rd *r, uint32_t fnum, unsigned depth, size_t tag_off);

/* Skip one field of wire type @p wt whose tag was just read. */
static vw_status skip_field(struct rd *r, uint32_t fnum, unsigned wt, unsigned depth,
                            size_t tag_off)
{
    uint64_t v;
    size_t n;
    vw_status s;
    switch (wt) {
    case WT_VARINT:
        return rd_varint(r, &v);
    case WT_I64:
    case WT_I32:
        n = wt == WT_I64 ? 8 : 4;
        if (r->end - r->pos < n) {
            r->fault = r->end;
            return VW_E_TRUNCATED;
        }
        r->pos += n;
        return VW_OK;
    case WT_LEN:
        s = rd_len(r, &n);
        if (s == VW_OK)
            r->pos += n;
        return s;
    case WT_SGROUP:
        return skip_group(r, fnum, depth + 1, tag_off);
    default: /* an end-group tag outside its group */
        r->fault = tag_off;
        return VW_E_BAD_WIRE_TYPE;
    }
}

/* Skip a group's contents up to its end-group tag; groups nest, and every
 * level counts towards the depth limit as a message does. */
static vw_status skip_group(struct rd *r, uint32_t fnum, unsigned depth, size_t tag_off)
{
    if (depth > PB_MAX_DEPTH) {
        r->fault = tag_off;
        return VW_E_TOO_DEEP;
    }
    for (;;) {
        uint32_t f;
        unsigned wt;
        size_t toff;
        vw_status s = rd_tag(r, &f, &wt, &toff);
        if (s != VW_OK)
            return s;
        if (wt == WT_EGROUP) {
            if (f != fnum) {
                r->fault = toff;
                return VW_E_BAD_WIRE_TYPE;
            }
            return VW_OK;
        }
        s = skip_field(r, f, wt, depth, toff);
        if (s != VW_OK)
            return s;
    }
}

/* Merge the fields of one occurrence of a described message [r->pos, end)
 * into @p base. over[n-1] tracks, per string field, the tag offset of the
 * occurrence that gave it a value over its capacity (NO_FAULT if none);
 * a later occurrence that fits clears it, as the last value wins. */
static vw_status merge_fields(struct rd *r, size_t end, const struct mdesc *m, void *base,
                              size_t *over, unsigned depth)
{
    size_t outer_end = r->end;
    r->end = end;
    vw_status s = VW_OK;
    while (r->pos < end) {
        uint32_t fnum;
        unsigned wt;
        size_t toff;
        s = rd_tag(r, &fnum, &wt, &toff);
        if (s != VW_OK)
            break;
        const struct fdesc *fd = 0;
        for (unsigned i = 0; i < m->n; i++)
            if (m->f[i].num == fnum)
                fd = &m->f[i];
        unsigned char *field = fd ? (unsigned char *)base + fd->off : 0;
        if (fd && (fd->type == F_STR || fd->type == F_PATH) && wt == WT_LEN) {
            size_t n, bad;
            s = rd_len(r, &n);
            if (s != VW_OK)
                break;
            if (!vw_serial_utf8_valid(r->p + r->pos, n, &bad)) {
                r->fault = r->pos + bad;
                s = VW_E_BAD_UTF8;
                break;
            }
            size_t cap = fd->type == F_STR ? VW_SERIAL_STRING_CAP : VW_SERIAL_PATH_CAP;
            uint16_t *lenp = (uint16_t *)(void *)field;
            char *data = fd->type == F_STR ? ((struct vw_serial_str *)(void *)field)->data
                                           : ((struct vw_serial_path *)(void *)field)->data;
            if (n > cap) {
                over[fnum - 1] = toff;
                *lenp = 0;
            } else {
                over[fnum - 1] = NO_FAULT;
                copy(data, r->p + r->pos, n);
                *lenp = (uint16_t)n;
            }
            r->pos += n;
        } else if (fd && fd->type != F_STR && fd->type != F_PATH && wt == WT_VARINT) {
            uint64_t v;
            s = rd_varint(r, &v);
            if (s != VW_OK)
                break;
            if (fd->type == F_U32)
                *(uint32_t *)(void *)field = (uint32_t)v;
            else if (fd->type == F_U64)
                *(uint64_t *)(void *)field = v;
            else
                *(bool *)(void *)field = v != 0;
        } else {
            /* unknown field, or a known one with the wrong wire type */
            s = skip_field(r, fnum, wt, depth, toff);
            if (s != VW_OK)
                break;
        }
    }
    r->end = outer_end;
    return s;
}

static size_t first_over(const size_t *over)
{
    size_t best = NO_FAULT;
    for (unsigned i = 0; i < MAX_FIELDS; i++)
        if (over[i] < best)
            best = over[i];
    return best;
}

static void clear_over(size_t *over)
{
    for (unsigned i = 0; i < MAX_FIELDS; i++)
        over[i] = NO_FAULT;
}

vw_status vw_serial_guest_message_decode(const uint8_t *buf, size_t len,
                                         struct vw_serial_guest_message *out, size_t *off)
{
    if (!out || !off || (!buf && len))
        return VW_E_INVALID_ARG;
    zero(out, sizeof *out);
    if (len > VW_SERIAL_MAX_MESSAGE) {
        *off = VW_SERIAL_MAX_MESSAGE;
        return VW_E_TOO_LONG;
    }
    struct rd r = { buf, 0, len, 0 };
    size_t over[MAX_FIELDS];
    clear_over(over);
    vw_status s = VW_OK;
    while (r.pos < len) {
        uint32_t fnum;
        unsigned wt;
        size_t toff, n;
        uint64_t v;
        s = rd_tag(&r, &fnum, &wt, &toff);
        if (s != VW_OK)
            break;
        if (fnum == 1 && wt == WT_VARINT) {
            s = rd_varint(&r, &v);
            if (s != VW_OK)
                break;
            out->level = (int32_t)(uint32_t)v;
        } else if (fnum >= 2 && fnum <= 7 && wt == WT_LEN) {
            s = rd_len(&r, &n);
            if (s != VW_OK)
                break;
            if (out->which != (enum vw_serial_payload)fnum) {
                /* the oneof switches member: the old one is discarded */
                zero(&out->u, sizeof out->u);
                clear_over(over);
                out->which = (enum vw_serial_payload)fnum;
            }
            s = merge_fields(&r, r.pos + n, &payload_m[fnum], &out->u, over, 1);
            if (s != VW_OK)
                break;
        } else {
            s = skip_field(&r, fnum, wt, 0, toff);
            if (s != VW_OK)
                break;
        }
    }
    if (s == VW_OK && first_over(over) != NO_FAULT) {
        s = VW_E_CAPACITY;
        r.fault = first_over(over);
    }
    if (s != VW_OK) {
        zero(out, sizeof *out);
        *off = r.fault;
        return s;
    }
    *off = len;
    return VW_OK;
}

vw_status vw_serial_vmm_config_decode(const uint8_t *buf, size_t len,
                                      struct vw_serial_vmm_config *out, size_t *off)
{
    if (!out || !off || (!buf && len))
        return VW_E_INVALID_ARG;
    zero(out, sizeof *out);
    if (len > VW_SERIAL_MAX_MESSAGE) {
        *off = VW_SERIAL_MAX_MESSAGE;
        return VW_E_TOO_LONG;
    }
    struct rd r = { buf, 0, len, 0 };
    size_t cap_fault = NO_FAULT;
    vw_status s = VW_OK;
    while (r.pos < len) {
        uint32_t fnum;
        unsigned wt;
        size_t toff, n;
        uint64_t v;
        s = rd_tag(&r, &fnum, &wt, &toff);
        if (s != VW_OK)
            break;
        if (fnum == 1 && wt == WT_LEN) {
            s = rd_len(&r, &n);
            if (s != VW_OK)
                break;
            /* each element is a message of its own: decode it whole, then keep it */
            struct vw_serial_device_config dev;
            size_t over[MAX_FIELDS];
            zero(&dev, sizeof dev);
            clear_over(over);
            s = merge_fields(&r, r.pos + n, &device_m, &dev, over, 1);
            if (s != VW_OK)
                break;
            if (cap_fault == NO_FAULT && first_over(over) != NO_FAULT)
                cap_fault = first_over(over);
            if (out->n_devices < VW_SERIAL_MAX_DEVICES)
                out->devices[out->n_devices++] = dev;
            else if (cap_fault == NO_FAULT)
                cap_fault = toff;
        } else if (fnum == 2 && wt == WT_VARINT) {
            s = rd_varint(&r, &v);
            if (s != VW_OK)
                break;
            out->progress_percent = (uint32_t)v;
        } else {
            s = skip_field(&r, fnum, wt, 0, toff);
            if (s != VW_OK)
                break;
        }
    }
    if (s == VW_OK && cap_fault != NO_FAULT) {
        s = VW_E_CAPACITY;
        r.fault = cap_fault;
    }
    if (s != VW_OK) {
        zero(out, sizeof *out);
        *off = r.fault;
        return s;
    }
    *off = len;
    return VW_OK;
}

/* ---- decoding as micropb v0.1.2 does (decoder "micropb") ------------------ */

/* The reference guest and VMM decode with code that micropb-gen generated
 * for guest.proto, over a reader that is exactly the payload. What differs
 * from Google's semantics (spec/serial.md, SER-MICROPB-*):
 * - a field is chosen by its number alone; the wire type in the tag is
 *   ignored for a known field, which is decoded with the schema's type;
 * - a scalar that decodes to 0 or false, and an empty string, leave the
 *   field as it was (implicit presence);
 * - tags, lengths, enums, uint32 and bool fields are read as varints of up to
 *   10 bytes of which only the low 32 bits count (decode_varint32);
 * - groups (wire types 3, 4) of unknown fields are refused;
 * - an embedded message's fields are read as long as fewer bytes than its
 *   length were used, then the bytes used must equal the length (WrongLen);
 * - the first fault in input order is the answer, a capacity fault included;
 * - there is no size limit and no depth limit (the schema cannot nest).
 * Fault offsets are vmwire's: micropb reports none. */

struct mrd {
    const uint8_t *p;
    size_t pos;
    size_t len;   /* the payload: micropb's reader ends here */
    size_t fault; /* offset of the fault when a call fails */
};

/* A varint of at most 10 bytes (decode_varint64; decode_varint32 keeps the
 * low 32 bits of the same value, which are those of its first five bytes). */
static vw_status m_varint(struct mrd *r, uint64_t *v)
{
    uint64_t x = 0;
    size_t start = r->pos;
    for (unsigned i = 0; i < 10; i++) {
        if (r->pos >= r->len) {
            r->fault = r->len;
            return VW_E_TRUNCATED;
        }
        uint8_t b = r->p[r->pos++];
        x |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return VW_OK;
        }
    }
    r->fault = start; /* VarIntLimit */
    return VW_E_BAD_VARINT;
}

static vw_status m_varint32(struct mrd *r, uint32_t *v)
{
    uint64_t x;
    vw_status s = m_varint(r, &x);
    *v = (uint32_t)x;
    return s;
}

static vw_status m_skip_bytes(struct mrd *r, size_t n)
{
    if (r->len - r->pos < n) {
        r->pos = r->len;
        r->fault = r->len;
        return VW_E_TRUNCATED;
    }
    r->pos += n;
    return VW_OK;
}

/* skip_wire_value: an unknown field's value. */
static vw_status m_skip(struct mrd *r, unsigned wt, size_t tag_off)
{
    uint64_t v;
    uint32_t n;
    vw_status s;
    switch (wt) {
    case WT_VARINT:
        return m_varint(r, &v);
    case WT_I64:
        return m_skip_bytes(r, 8);
    case WT_LEN:
        s = m_varint32(r, &n);
        return s != VW_OK ? s : m_skip_bytes(r, n);
    case WT_I32:
        return m_skip_bytes(r, 4);
    default: /* 3 and 4: Deprecation; 6 and 7: UnknownWireType */
        r->fault = tag_off;
        return VW_E_BAD_WIRE_TYPE;
    }
}

/* A tag; field number 0 is refused before anything else (ZeroField). */
static vw_status m_tag(struct mrd *r, uint32_t *fnum, unsigned *wt, size_t *tag_off)
{
    uint32_t t;
    *tag_off = r->pos;
    vw_status s = m_varint32(r, &t);
    if (s != VW_OK)
        return s;
    *fnum = t >> 3;
    *wt = t & 7u;
    if (*fnum == 0) {
        r->fault = *tag_off;
        return VW_E_BAD_FIELD_NUMBER;
    }
    return VW_OK;
}

/* decode_string with implicit presence into a fixed string of capacity cap. */
static vw_status m_string(struct mrd *r, uint16_t *lenp, char *data, size_t cap, size_t tag_off)
{
    uint32_t n;
    size_t bad;
    vw_status s = m_varint32(r, &n);
    if (s != VW_OK)
        return s;
    if (n == 0)
        return VW_OK; /* an empty string leaves the field as it was */
    *lenp = 0;
    if (n > cap) { /* checked before a byte is read */
        r->fault = tag_off;
        return VW_E_CAPACITY;
    }
    if (r->len - r->pos < n) {
        r->pos = r->len;
        r->fault = r->len;
        return VW_E_TRUNCATED;
    }
    if (!vw_serial_utf8_valid(r->p + r->pos, n, &bad)) {
        r->fault = r->pos + bad;
        return VW_E_BAD_UTF8;
    }
    copy(data, r->p + r->pos, n);
    *lenp = (uint16_t)n;
    r->pos += n;
    return VW_OK;
}

/* The fields of one embedded message of declared length n, merged into base. */
static vw_status m_fields(struct mrd *r, size_t n, const struct mdesc *m, void *base)
{
    size_t before = r->pos;
    while (r->pos - before < n) {
        uint32_t fnum;
        unsigned wt;
        size_t toff;
        vw_status s = m_tag(r, &fnum, &wt, &toff);
        if (s != VW_OK)
            return s;
        const struct fdesc *fd = 0;
        for (unsigned i = 0; i < m->n; i++)
            if (m->f[i].num == fnum)
                fd = &m->f[i];
        if (!fd) {
            s = m_skip(r, wt, toff);
            if (s != VW_OK)
                return s;
            continue;
        }
        unsigned char *field = (unsigned char *)base + fd->off;
        uint32_t v32;
        uint64_t v64;
        switch (fd->type) {
        case F_STR:
            s = m_string(r, &((struct vw_serial_str *)(void *)field)->len,
                         ((struct vw_serial_str *)(void *)field)->data, VW_SERIAL_STRING_CAP, toff);
            break;
        case F_PATH:
            s = m_string(r, &((struct vw_serial_path *)(void *)field)->len,
                         ((struct vw_serial_path *)(void *)field)->data, VW_SERIAL_PATH_CAP, toff);
            break;
        case F_U32:
            s = m_varint32(r, &v32);
            if (s == VW_OK && v32)
                *(uint32_t *)(void *)field = v32;
            break;
        case F_U64:
            s = m_varint(r, &v64);
            if (s == VW_OK && v64)
                *(uint64_t *)(void *)field = v64;
            break;
        default: /* F_BOOL: decode_bool reads 32 bits; false does not overwrite */
            s = m_varint32(r, &v32);
            if (s == VW_OK && v32)
                *(bool *)(void *)field = true;
            break;
        }
        if (s != VW_OK)
            return s;
    }
    return VW_OK;
}

/* decode_len_delimited: length, fields, then the length must match. */
static vw_status m_submessage(struct mrd *r, const struct mdesc *m, void *base)
{
    uint32_t n;
    vw_status s = m_varint32(r, &n);
    if (s != VW_OK)
        return s;
    size_t before = r->pos;
    s = m_fields(r, n, m, base);
    if (s != VW_OK)
        return s;
    if (r->pos - before != n) { /* WrongLen: the last field ran past the end */
        r->fault = before + n;
        return VW_E_BAD_LENGTH;
    }
    return VW_OK;
}

/* One field of a top-level message, its tag read: what the generated
 * decode's match on the field number does with it. */
typedef vw_status (*m_top_field)(struct mrd *r, uint32_t fnum, unsigned wt, size_t toff, void *out);

static vw_status m_guest_message_field(struct mrd *r, uint32_t fnum, unsigned wt, size_t toff,
                                       void *msg)
{
    struct vw_serial_guest_message *out = msg;
    if (fnum == 1) {
        uint32_t v;
        vw_status s = m_varint32(r, &v); /* decode_int32 */
        if (s == VW_OK && v)
            out->level = (int32_t)v;
        return s;
    }
    if (fnum >= 2 && fnum <= 7) {
        if (out->which != (enum vw_serial_payload)fnum) {
            /* another member: a fresh default one replaces it first */
            zero(&out->u, sizeof out->u);
            out->which = (enum vw_serial_payload)fnum;
        }
        return m_submessage(r, &payload_m[fnum], &out->u);
    }
    return m_skip(r, wt, toff);
}

static vw_status m_vmm_config_field(struct mrd *r, uint32_t fnum, unsigned wt, size_t toff,
                                    void *cfg)
{
    struct vw_serial_vmm_config *out = cfg;
    if (fnum == 1) {
        /* a repeated message: decoded whole, then pushed (Capacity when full) */
        struct vw_serial_device_config dev;
        zero(&dev, sizeof dev);
        vw_status s = m_submessage(r, &device_m, &dev);
        if (s != VW_OK)
            return s;
        if (out->n_devices >= VW_SERIAL_MAX_DEVICES) {
            r->fault = toff;
            return VW_E_CAPACITY;
        }
        out->devices[out->n_devices++] = dev;
        return VW_OK;
    }
    if (fnum == 2) {
        uint32_t v;
        vw_status s = m_varint32(r, &v);
        if (s == VW_OK && v)
            out->progress_percent = v;
        return s;
    }
    return m_skip(r, wt, toff);
}

/* A top-level message of `size` bytes at out: zeroed, then its fields in
 * order until the payload ends (SER-MICROPB-1); on the first fault it is
 * zeroed again and *off says where the fault is. */
static vw_status m_decode(const uint8_t *buf, size_t len, void *out, size_t size,
                          m_top_field field, size_t *off)
{
    if (!out || !off || (!buf && len))
        return VW_E_INVALID_ARG;
    zero(out, size);
    struct mrd r = { buf, 0, len, 0 };
    vw_status s = VW_OK;
    while (r.pos < len) {
        uint32_t fnum;
        unsigned wt;
        size_t toff;
        s = m_tag(&r, &fnum, &wt, &toff);
        if (s != VW_OK)
            break;
        s = field(&r, fnum, wt, toff, out);
        if (s != VW_OK)
            break;
    }
    if (s != VW_OK) {
        zero(out, size);
        *off = r.fault;
        return s;
    }
    *off = len;
    return VW_OK;
}

vw_status vw_serial_guest_message_decode_micropb(const uint8_t *buf, size_t len,
                                                 struct vw_serial_guest_message *out, size_t *off)
{
    return m_decode(buf, len, out, sizeof *out, m_guest_message_field, off);
}

vw_status vw_serial_vmm_config_decode_micropb(const uint8_t *buf, size_t len,
                                              struct vw_serial_vmm_config *out, size_t *off)
{
    return m_decode(buf, len, out, sizeof *out, m_vmm_config_field, off);
}

/* ---- encoding ------------------------------------------------------------ */

struct wr {
    uint8_t *p;
    size_t cap;
    size_t off; /* keeps counting past cap */
};

static void wr_u8(struct wr *w, uint8_t b)
{
    if (w->off < w->cap)
        w->p[w->off] = b;
    w->off++;
}

static void wr_varint(struct wr *w, uint64_t v)
{
    while (v >= 0x80) {
        wr_u8(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    wr_u8(w, (uint8_t)v);
}

static void wr_bytes(struct wr *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wr_u8(w, (uint8_t)s[i]);
}

/* Check the strings of a described message (capacity, UTF-8). */
static vw_status check_fields(const struct mdesc *m, const void *base)
{
    for (unsigned i = 0; i < m->n; i++) {
        const struct fdesc *fd = &m->f[i];
        const unsigned char *field = (const unsigned char *)base + fd->off;
        if (fd->type != F_STR && fd->type != F_PATH)
            continue;
        size_t len = *(const uint16_t *)(const void *)field;
        const char *data = fd->type == F_STR
                               ? ((const struct vw_serial_str *)(const void *)field)->data
                               : ((const struct vw_serial_path *)(const void *)field)->data;
        if (len > (fd->type == F_STR ? VW_SERIAL_STRING_CAP : VW_SERIAL_PATH_CAP))
            return VW_E_CAPACITY;
        if (!vw_serial_utf8_valid((const uint8_t *)data, len, 0))
            return VW_E_BAD_UTF8;
    }
    return VW_OK;
}

/* Fields of a described message in number order (the tables are sorted). */
static void put_fields(struct wr *w, const struct mdesc *m, const void *base)
{
    for (unsigned i = 0; i < m->n; i++) {
        const struct fdesc *fd = &m->f[i];
        const unsigned char *field = (const unsigned char *)base + fd->off;
        uint64_t v = 0;
        switch (fd->type) {
        case F_STR:
        case F_PATH: {
            size_t len = *(const uint16_t *)(const void *)field;
            const char *data = fd->type == F_STR
                                   ? ((const struct vw_serial_str *)(const void *)field)->data
                                   : ((const struct vw_serial_path *)(const void *)field)->data;
            if (len) {
                wr_u8(w, (uint8_t)(fd->num << 3 | WT_LEN));
                wr_varint(w, len);
                wr_bytes(w, data, len);
            }
            continue;
        }
        case F_U32:
            v = *(const uint32_t *)(const void *)field;
            break;
        case F_U64:
            v = *(const uint64_t *)(const void *)field;
            break;
        default:
            v = *(const bool *)(const void *)field ? 1 : 0;
            break;
        }
        if (v) {
            wr_u8(w, (uint8_t)(fd->num << 3 | WT_VARINT));
            wr_varint(w, v);
        }
    }
}

static size_t fields_size(const struct mdesc *m, const void *base)
{
    struct wr w = { 0, 0, 0 };
    put_fields(&w, m, base);
    return w.off;
}

/* Encode a GuestMessage body at w; returns the status of the content checks. */
static vw_status put_guest_message(struct wr *w, const struct vw_serial_guest_message *m)
{
    const struct mdesc *pm = 0;
    if (m->which != VW_SERIAL_PAYLOAD_NONE) {
        if ((unsigned)m->which < 2 || (unsigned)m->which > 7)
            return VW_E_INVALID_ARG;
        pm = &payload_m[m->which];
        vw_status s = check_fields(pm, &m->u);
        if (s != VW_OK)
            return s;
    }
    if (m->level != 0) {
        wr_u8(w, 1 << 3 | WT_VARINT);
        wr_varint(w, (uint64_t)(int64_t)m->level); /* int32: sign-extended */
    }
    if (pm) {
        wr_u8(w, (uint8_t)((unsigned)m->which << 3 | WT_LEN));
        wr_varint(w, fields_size(pm, &m->u));
        put_fields(w, pm, &m->u);
    }
    return VW_OK;
}

static vw_status finish(const struct wr *w, size_t cap, size_t *written)
{
    *written = w->off;
    return w->off > cap ? VW_E_NOSPACE : VW_OK;
}

vw_status vw_serial_guest_message_encode(const struct vw_serial_guest_message *m, uint8_t *out,
                                         size_t cap, size_t *written)
{
    if (!m || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    *written = 0;
    struct wr count = { 0, 0, 0 };
    vw_status s = put_guest_message(&count, m);
    if (s != VW_OK)
        return s;
    if (count.off > VW_SERIAL_MAX_MESSAGE) {
        *written = count.off;
        return VW_E_TOO_LONG;
    }
    if (count.off > cap) {
        *written = count.off;
        return VW_E_NOSPACE;
    }
    struct wr w = { out, cap, 0 };
    (void)put_guest_message(&w, m);
    return finish(&w, cap, written);
}

vw_status vw_serial__guest_message_encode_unlimited(const struct vw_serial_guest_message *m,
                                                   uint8_t *out, size_t cap, size_t *written)
{
    if (!m || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    *written = 0;
    struct wr count = { 0, 0, 0 };
    vw_status s = put_guest_message(&count, m);
    if (s != VW_OK)
        return s;
    *written = count.off;
    if (count.off > cap)
        return VW_E_NOSPACE;
    struct wr w = { out, cap, 0 };
    (void)put_guest_message(&w, m);
    return finish(&w, cap, written);
}

vw_status vw_serial_guest_message_encode_framed(const struct vw_serial_guest_message *m,
                                                uint8_t *out, size_t cap, size_t *written)
{
    if (!m || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    size_t n;
    vw_status s = vw_serial_guest_message_encode(m, 0, 0, &n);
    if (s != VW_OK && s != VW_E_NOSPACE) {
        *written = s == VW_E_TOO_LONG ? VW_SERIAL_HEADER_SIZE + n : 0;
        return s;
    }
    *written = VW_SERIAL_HEADER_SIZE + n;
    if (cap < VW_SERIAL_HEADER_SIZE + n)
        return VW_E_NOSPACE;
    out[0] = (uint8_t)n;
    out[1] = (uint8_t)(n >> 8);
    return vw_serial_guest_message_encode(m, out + VW_SERIAL_HEADER_SIZE,
                                          cap - VW_SERIAL_HEADER_SIZE, &n);
}

vw_status vw_serial_vmm_config_encode(const struct vw_serial_vmm_config *c, uint8_t *out,
                                      size_t cap, size_t *written)
{
    if (!c || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    *written = 0;
    if (c->n_devices > VW_SERIAL_MAX_DEVICES)
        return VW_E_CAPACITY;
    for (uint32_t i = 0; i < c->n_devices; i++) {
        vw_status s = check_fields(&device_m, &c->devices[i]);
        if (s != VW_OK)
            return s;
    }
    struct wr w = { out, cap, 0 };
    for (uint32_t i = 0; i < c->n_devices; i++) {
        wr_u8(&w, 1 << 3 | WT_LEN);
        wr_varint(&w, fields_size(&device_m, &c->devices[i]));
        put_fields(&w, &device_m, &c->devices[i]);
    }
    if (c->progress_percent) {
        wr_u8(&w, 2 << 3 | WT_VARINT);
        wr_varint(&w, c->progress_percent);
    }
    return finish(&w, cap, written);
}

/* ---- builders -------------------------------------------------------------- */

/* Copy the NUL-terminated @p src into @p data (capacity @p cap) character
 * by character, as instar's helpers fill a heapless string (SER-GUEST-2):
 * with @p keep_going (push_str, the 32-byte strings) a character that does
 * not fit is skipped and later ones that fit are still appended; without it
 * (push_str_256, the paths) the copy stops at the first one that does not
 * fit. The whole argument must be UTF-8 (a Rust &str always is). */
static vw_status put_cstr(char *data, uint16_t *lenp, size_t cap, const char *src,
                          bool keep_going)
{
    size_t i = 0, out = 0;
    bool full = false;
    *lenp = 0;
    if (!src)
        return VW_OK;
    const uint8_t *s = (const uint8_t *)src;
    while (s[i]) {
        /* look at most 4 bytes ahead, never past the terminator */
        size_t avail = 0;
        while (avail < 4 && s[i + avail])
            avail++;
        size_t n = utf8_seq(s + i, avail);
        if (n == 0)
            return VW_E_BAD_UTF8;
        if (!full && out + n <= cap) {
            copy(data + out, s + i, n);
            out += n;
        } else if (!keep_going) {
            full = true; /* stop appending, but still check the rest is UTF-8 */
        }
        i += n;
    }
    *lenp = (uint16_t)out;
    return VW_OK;
}

static vw_status put_str(struct vw_serial_str *d, const char *src)
{
    return put_cstr(d->data, &d->len, VW_SERIAL_STRING_CAP, src, true);
}

static vw_status put_path(struct vw_serial_path *d, const char *src)
{
    return put_cstr(d->data, &d->len, VW_SERIAL_PATH_CAP, src, false);
}

static vw_status start(struct vw_serial_guest_message *m, int32_t level,
                       enum vw_serial_payload which)
{
    if (!m)
        return VW_E_INVALID_ARG;
    zero(m, sizeof *m);
    m->level = level;
    m->which = which;
    return VW_OK;
}

static vw_status done(struct vw_serial_guest_message *m, vw_status s)
{
    if (s != VW_OK)
        zero(m, sizeof *m);
    return s;
}

vw_status vw_serial_build_init(struct vw_serial_guest_message *m, const char *stage,
                               const char *device, uint64_t address)
{
    vw_status s = start(m, VW_SERIAL_LEVEL_INFO, VW_SERIAL_PAYLOAD_INIT);
    if (s != VW_OK)
        return s;
    m->u.init.address = address;
    s = put_str(&m->u.init.stage, stage);
    if (s == VW_OK)
        s = put_str(&m->u.init.device, device);
    return done(m, s);
}

vw_status vw_serial_build_capacity(struct vw_serial_guest_message *m, const char *device,
                                   uint64_t sectors, uint64_t bytes)
{
    vw_status s = start(m, VW_SERIAL_LEVEL_INFO, VW_SERIAL_PAYLOAD_CAPACITY);
    if (s != VW_OK)
        return s;
    m->u.capacity.sectors = sectors;
    m->u.capacity.bytes = bytes;
    return done(m, put_str(&m->u.capacity.device, device));
}

vw_status vw_serial_build_progress(struct vw_serial_guest_message *m, const char *operation,
                                   uint64_t current, uint64_t total, uint32_t percent)
{
    vw_status s = start(m, VW_SERIAL_LEVEL_PROGRESS, VW_SERIAL_PAYLOAD_PROGRESS);
    if (s != VW_OK)
        return s;
    m->u.progress.current = current;
    m->u.progress.total = total;
    m->u.progress.percent = percent;
    return done(m, put_str(&m->u.progress.operation, operation));
}

vw_status vw_serial_build_error(struct vw_serial_guest_message *m, const char *operation,
                                const char *device, uint64_t sector, uint32_t status)
{
    vw_status s = start(m, VW_SERIAL_LEVEL_ERROR, VW_SERIAL_PAYLOAD_ERROR);
    if (s != VW_OK)
        return s;
    m->u.error.sector = sector;
    m->u.error.status = status;
    s = put_str(&m->u.error.operation, operation);
    if (s == VW_OK)
        s = put_str(&m->u.error.device, device);
    return done(m, s);
}

vw_status vw_serial_build_complete(struct vw_serial_guest_message *m, const char *operation,
                                   uint64_t count, bool success)
{
    vw_status s = start(m, VW_SERIAL_LEVEL_COMPLETE, VW_SERIAL_PAYLOAD_COMPLETE);
    if (s != VW_OK)
        return s;
    m->u.complete.count = count;
    m->u.complete.success = success;
    return done(m, put_str(&m->u.complete.operation, operation));
}

vw_status vw_serial_build_info_result(struct vw_serial_guest_message *m,
                                      const struct vw_serial_info_args *a)
{
    if (!a)
        return VW_E_INVALID_ARG;
    vw_status s = start(m, VW_SERIAL_LEVEL_INFO, VW_SERIAL_PAYLOAD_INFO_RESULT);
    if (s != VW_OK)
        return s;
    struct vw_serial_info_result *r = &m->u.info_result;
    r->version = a->version;
    r->virtual_size = a->virtual_size;
    r->actual_size = a->actual_size;
    r->cluster_size = a->cluster_size;
    r->flags = a->flags;
    s = put_str(&r->format, a->format);
    if (s == VW_OK)
        s = put_path(&r->backing_file, a->backing_file);
    if (s == VW_OK)
        s = put_path(&r->external_data_file, a->external_data_file);
    return done(m, s);
}

bool vw_serial_vmm_config_device(const struct vw_serial_vmm_config *c, const char *name,
                                 uint32_t *sector_size)
{
    if (!c || !name)
        return false;
    bool found = false;
    uint32_t n = c->n_devices < VW_SERIAL_MAX_DEVICES ? c->n_devices : VW_SERIAL_MAX_DEVICES;
    for (uint32_t i = 0; i < n; i++) {
        const struct vw_serial_str *d = &c->devices[i].name;
        size_t k = 0;
        while (k < d->len && name[k] && name[k] == d->data[k])
            k++;
        if (k == d->len && name[k] == '\0') {
            found = true;
            if (sector_size)
                *sector_size = c->devices[i].sector_size;
        }
    }
    return found;
}

/* ---- reading the configuration (SER-GUEST-4) ------------------------------- */

static void config_defaults(struct vw_serial_guest_config *cfg)
{
    cfg->input_sector_size = VW_SERIAL_DEFAULT_SECTOR_SIZE;
    cfg->output_sector_size = VW_SERIAL_DEFAULT_SECTOR_SIZE;
    cfg->progress_percent = VW_SERIAL_DEFAULT_PROGRESS;
    cfg->has_output_device = false;
}

/* Busy-poll one byte, as the reference guest does (bounded if asked). */
static vw_status uart_byte(const struct vw_serial_uart *u, uint8_t *b)
{
    uint32_t polls = 0;
    while (!u->data_ready(u->ctx)) {
        if (u->spin_limit && ++polls >= u->spin_limit)
            return VW_E_TIMEOUT;
    }
    *b = u->read(u->ctx);
    return VW_OK;
}

static bool name_is(const struct vw_serial_str *s, const char *name)
{
    size_t k = 0;
    while (k < s->len && name[k] && name[k] == s->data[k])
        k++;
    return k == s->len && name[k] == '\0';
}

vw_status vw_serial_read_config(const struct vw_serial_uart *uart,
                                struct vw_serial_guest_config *cfg)
{
    if (!uart || !uart->data_ready || !uart->read || !cfg)
        return VW_E_INVALID_ARG;
    config_defaults(cfg);
    if (!uart->data_ready(uart->ctx))
        return VW_E_NOT_FOUND; /* checked once: nothing sent, defaults */
    uint8_t buf[VW_SERIAL_MAX_FRAME];
    vw_status s;
    for (size_t i = 0; i < VW_SERIAL_HEADER_SIZE; i++)
        if ((s = uart_byte(uart, &buf[i])) != VW_OK)
            return s;
    size_t n = (size_t)buf[0] | (size_t)buf[1] << 8;
    if (n > VW_SERIAL_MAX_MESSAGE)
        return VW_E_TOO_LONG; /* the payload stays in the UART */
    for (size_t i = 0; i < n; i++)
        if ((s = uart_byte(uart, &buf[VW_SERIAL_HEADER_SIZE + i])) != VW_OK)
            return s;
    struct vw_serial_vmm_config c;
    size_t off;
    s = vw_serial_vmm_config_decode_micropb(buf + VW_SERIAL_HEADER_SIZE, n, &c, &off);
    if (s != VW_OK)
        return s;
    for (uint32_t i = 0; i < c.n_devices; i++) {
        if (name_is(&c.devices[i].name, "input")) {
            cfg->input_sector_size = c.devices[i].sector_size;
        } else if (name_is(&c.devices[i].name, "output")) {
            cfg->output_sector_size = c.devices[i].sector_size;
            cfg->has_output_device = true;
        }
    }
    cfg->progress_percent = c.progress_percent;
    return VW_OK;
}
