/* vmwire-bench: the "floor" row of crosvm message A, a hand-written decoder
 * of VcpuResponse{errno, wait{io{...}}} into a fixed C struct.
 *
 * It is what a careful programmer writes for this one message and nothing
 * else: every length is checked before it is read, fields may come in any
 * order and more than once (the last value wins, a repeated sub-message is
 * merged), fields it does not know are skipped by wire type (a group, or wire
 * type 6/7, is refused). It allocates nothing and does not validate enums.
 * `final` selects the final revision's Io (no_resume = 4, data = 5, regs,
 * sregs, debugregs = 6..8; the seed revision has data = 4); it is a constant
 * at every call, so the compiler specialises each revision. Included by
 * bench_crosvm.c only.
 */
#ifndef VMWIRE_BENCH_FLOOR_A_H
#define VMWIRE_BENCH_FLOOR_A_H

#include <stdint.h>
#include <string.h>

struct fl_bytes {
    const uint8_t *data;
    size_t len;
};

struct fl_io {
    uint64_t address;
    struct fl_bytes data, regs, sregs, debugregs;
    uint32_t space;
    uint8_t is_write, no_resume;
};

struct fl_a {
    int32_t errno_;
    uint32_t message_case; /* 2: wait; 0: none */
    uint32_t exit_case;    /* 2: io; 0: none */
    struct fl_io io;
};

/* Varint of at most 10 bytes, bits above 64 dropped; NULL if truncated or longer. */
static inline const uint8_t *fl_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (__builtin_expect(p < end && p[0] < 0x80, 1)) {
        *v = p[0];
        return p + 1;
    }
    uint64_t r = 0;
    for (unsigned s = 0; s < 70; s += 7) {
        if (p >= end)
            return NULL;
        uint8_t b = *p++;
        r |= (uint64_t)(b & 0x7f) << s;
        if (b < 0x80) {
            *v = r;
            return p;
        }
    }
    return NULL;
}

/* Length prefix that must fit in p..end. */
static inline const uint8_t *fl_len(const uint8_t *p, const uint8_t *end, size_t *len)
{
    uint64_t v;
    if (!(p = fl_varint(p, end, &v)) || v > (uint64_t)(end - p))
        return NULL;
    *len = (size_t)v;
    return p;
}

/* Skip the value of an unknown field of wire type @p wt. */
static inline const uint8_t *fl_skip(const uint8_t *p, const uint8_t *end, unsigned wt)
{
    uint64_t v;
    size_t n;
    switch (wt) {
    case 0:
        return fl_varint(p, end, &v);
    case 1:
        return end - p >= 8 ? p + 8 : NULL;
    case 2:
        return (p = fl_len(p, end, &n)) ? p + n : NULL;
    case 5:
        return end - p >= 4 ? p + 4 : NULL;
    default:
        return NULL;
    }
}

static inline const uint8_t *fl_bytes_field(const uint8_t *p, const uint8_t *end, struct fl_bytes *b)
{
    if (!(p = fl_len(p, end, &b->len)))
        return NULL;
    b->data = p;
    return p + b->len;
}

static inline int fl_io(const uint8_t *p, const uint8_t *end, struct fl_io *io, const int final)
{
    while (p < end) {
        uint64_t tag, v;
        if (!(p = fl_varint(p, end, &tag)) || tag > UINT32_MAX || (tag >> 3) == 0)
            return 0;
        switch (tag) {
        case 1 << 3 | 0:
            if (!(p = fl_varint(p, end, &v)))
                return 0;
            io->space = (uint32_t)v;
            continue;
        case 2 << 3 | 0:
            if (!(p = fl_varint(p, end, &io->address)))
                return 0;
            continue;
        case 3 << 3 | 0:
            if (!(p = fl_varint(p, end, &v)))
                return 0;
            io->is_write = v != 0;
            continue;
        case 4 << 3 | 0:
            if (!final)
                break;
            if (!(p = fl_varint(p, end, &v)))
                return 0;
            io->no_resume = v != 0;
            continue;
        case 4 << 3 | 2:
            if (final)
                break;
            if (!(p = fl_bytes_field(p, end, &io->data)))
                return 0;
            continue;
        case 5 << 3 | 2:
            if (!final)
                break;
            if (!(p = fl_bytes_field(p, end, &io->data)))
                return 0;
            continue;
        case 6 << 3 | 2:
        case 7 << 3 | 2:
        case 8 << 3 | 2:
            if (!final)
                break;
            if (!(p = fl_bytes_field(p, end,
                                     tag == (6 << 3 | 2)   ? &io->regs
                                     : tag == (7 << 3 | 2) ? &io->sregs
                                                           : &io->debugregs)))
                return 0;
            continue;
        default:
            break;
        }
        if (!(p = fl_skip(p, end, (unsigned)(tag & 7))))
            return 0;
    }
    return 1;
}

static inline int fl_wait(const uint8_t *p, const uint8_t *end, struct fl_a *a, const int final)
{
    while (p < end) {
        uint64_t tag;
        size_t n;
        if (!(p = fl_varint(p, end, &tag)) || tag > UINT32_MAX || (tag >> 3) == 0)
            return 0;
        if (tag == (2 << 3 | 2)) {
            if (!(p = fl_len(p, end, &n)))
                return 0;
            if (a->exit_case != 2) {
                memset(&a->io, 0, sizeof a->io);
                a->exit_case = 2;
            }
            if (!fl_io(p, p + n, &a->io, final))
                return 0;
            p += n;
            continue;
        }
        if (!(p = fl_skip(p, end, (unsigned)(tag & 7))))
            return 0;
    }
    return 1;
}

/* 1 and *a filled on success, 0 on malformed input. */
static inline int fl_decode_a(const uint8_t *p, size_t len, struct fl_a *a, const int final)
{
    const uint8_t *end = p + len;
    memset(a, 0, sizeof *a);
    while (p < end) {
        uint64_t tag, v;
        size_t n;
        if (!(p = fl_varint(p, end, &tag)) || tag > UINT32_MAX || (tag >> 3) == 0)
            return 0;
        if (tag == (1 << 3 | 0)) {
            if (!(p = fl_varint(p, end, &v)))
                return 0;
            uint32_t x = (uint32_t)v;
            a->errno_ = (int32_t)((x >> 1) ^ (0u - (x & 1)));
            continue;
        }
        if (tag == (2 << 3 | 2)) {
            if (!(p = fl_len(p, end, &n)))
                return 0;
            if (a->message_case != 2) {
                a->exit_case = 0;
                memset(&a->io, 0, sizeof a->io);
                a->message_case = 2;
            }
            if (!fl_wait(p, p + n, a, final))
                return 0;
            p += n;
            continue;
        }
        if (!(p = fl_skip(p, end, (unsigned)(tag & 7))))
            return 0;
    }
    return 1;
}

#endif /* VMWIRE_BENCH_FLOOR_A_H */
