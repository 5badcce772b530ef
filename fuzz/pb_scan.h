/* A wire scanner that tells whether a protobuf input lies outside every
 * class where protobuf-c's protobuf_c_message_unpack() is known to decode
 * differently from Google's protobuf (see spec/crosvm.md CV-PB-* and the
 * measured classes behind them). On inputs it calls clean, vmwire's decoder
 * (Google semantics) and protobuf-c must agree: both reject, or both accept
 * the same value. The scanner is deliberately conservative: when in doubt it
 * calls the input dirty, which only removes it from the comparison.
 *
 * Dirty classes: a known field with a wire type its type does not have (wire
 * type 2 on a packable repeated field excepted); groups (wire types 3, 4);
 * field number 0 in a non-minimal tag; tags longer than 5 bytes or above
 * 2^32; a bool read from a 10-byte varint; a string with invalid UTF-8 or an
 * embedded NUL; a singular sub-message field present twice in one message;
 * nesting deeper than 64. Malformed input (truncation, over-long varints,
 * wire types 6 and 7, bad lengths) stays clean: both decoders reject it. */
#ifndef VW_FUZZ_PB_SCAN_H
#define VW_FUZZ_PB_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "pb/internal.h" /* vw_pb__wire_type() */

struct pbscan {
    int dirty;     /* the input is in a class where the decoders may differ */
    int malformed; /* the scanner found a wire fault (both must reject) */
};

static inline int pbscan_varint(const uint8_t *p, size_t n, uint64_t *v, size_t *len)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            *len = i + 1;
            return 1;
        }
    }
    return 0;
}

/* Strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF) with no NUL. */
static inline int pbscan_utf8_clean(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (n - i - 1 < k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

static inline void pbscan_msg(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int depth,
                       struct pbscan *s)
{
    uint8_t seen[256] = {0};
    size_t i = 0;
    if (depth > 64 || d->n_fields > sizeof seen) {
        s->dirty = 1;
        return;
    }
    while (i < n && !s->dirty && !s->malformed) {
        uint64_t tag, v;
        size_t tl, vl;
        if (!pbscan_varint(p + i, n - i, &tag, &tl)) {
            /* an over-long or cut tag: Google and protobuf-c both reject;
             * a tag varint of 6..10 bytes is treated as dirty below */
            if (n - i >= 10)
                s->dirty = 1;
            else
                s->malformed = 1;
            return;
        }
        if (tl > 5 || (tag >> 32) != 0) {
            s->dirty = 1;
            return;
        }
        uint32_t fn = (uint32_t)(tag >> 3);
        int wt = (int)(tag & 7);
        if (fn == 0) {
            if (tl > 1)
                s->dirty = 1;
            else
                s->malformed = 1;
            return;
        }
        if (wt == 3 || wt == 4) {
            s->dirty = 1;
            return;
        }
        if (wt == 6 || wt == 7) {
            s->malformed = 1;
            return;
        }
        i += tl;
        const uint8_t *pl = p + i;
        size_t plen = 0, vlen = 0;
        switch (wt) {
        case 0:
            if (!pbscan_varint(p + i, n - i, &v, &vl)) {
                s->malformed = 1;
                return;
            }
            vlen = vl;
            plen = vl;
            break;
        case 1:
            plen = 8;
            break;
        case 5:
            plen = 4;
            break;
        default: /* 2 */
            if (!pbscan_varint(p + i, n - i, &v, &vl) || vl > 5 || v > 0x7fffffffu) {
                s->malformed = 1;
                return;
            }
            i += vl;
            pl = p + i;
            plen = (size_t)v;
            break;
        }
        if (plen > n - i) {
            s->malformed = 1;
            return;
        }
        i += plen;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, fn);
        if (!f)
            continue; /* unknown field of wire type 0, 1, 2 or 5: both skip it */
        int want = vw_pb__wire_type(f->type); /* a protoc-c type: never 7 */
        if (f->label == PROTOBUF_C_LABEL_REPEATED && want != 2 && wt == 2) {
            /* packed: elements must be well formed; bools need short varints */
            size_t j = 0;
            while (j < plen) {
                if (want == 0) {
                    if (!pbscan_varint(pl + j, plen - j, &v, &vl)) {
                        s->malformed = 1;
                        return;
                    }
                    if (f->type == PROTOBUF_C_TYPE_BOOL && vl == 10) {
                        s->dirty = 1;
                        return;
                    }
                    j += vl;
                } else {
                    size_t w = want == 5 ? 4 : 8;
                    if (plen - j < w) {
                        s->malformed = 1;
                        return;
                    }
                    j += w;
                }
            }
            continue;
        }
        if (wt != want) {
            s->dirty = 1;
            return;
        }
        if (f->type == PROTOBUF_C_TYPE_BOOL && vlen == 10) {
            s->dirty = 1;
            return;
        }
        if (f->type == PROTOBUF_C_TYPE_STRING && !pbscan_utf8_clean(pl, plen)) {
            s->dirty = 1;
            return;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (f->label != PROTOBUF_C_LABEL_REPEATED) {
                size_t idx = (size_t)(f - d->fields);
                if (seen[idx]) {
                    s->dirty = 1;
                    return;
                }
                seen[idx] = 1;
            }
            pbscan_msg((const ProtobufCMessageDescriptor *)f->descriptor, pl, plen, depth + 1, s);
        }
    }
}

static inline struct pbscan pbscan(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n)
{
    struct pbscan s = {0, 0};
    pbscan_msg(d, p, n, 0, &s);
    return s;
}

#endif /* VW_FUZZ_PB_SCAN_H */
