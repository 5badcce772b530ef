/* Internal: bounds-checked little-endian byte access for every wire codec.
 *
 * All multi-byte reads go through memcpy-free shifts on bytes, so they are
 * alignment-safe and endian-independent. A reader never reads past its length;
 * a writer never writes past its capacity but keeps counting, so a too-small
 * output buffer reports the exact size needed. */
#ifndef VW_CORE_BYTES_H
#define VW_CORE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t vw_get_u16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t vw_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t vw_get_u64le(const uint8_t *p)
{
    return (uint64_t)vw_get_u32le(p) | (uint64_t)vw_get_u32le(p + 4) << 32;
}

static inline void vw_put_u16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void vw_put_u32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void vw_put_u64le(uint8_t *p, uint64_t v)
{
    vw_put_u32le(p, (uint32_t)v);
    vw_put_u32le(p + 4, (uint32_t)(v >> 32));
}

/* Reader over a caller buffer. `off` only grows; a failed read leaves it at
 * the offset of the first missing byte's structure start (the fault offset). */
struct vw_rd {
    const uint8_t *p;
    size_t len;
    size_t off;
};

static inline void vw_rd_init(struct vw_rd *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
}

static inline size_t vw_rd_left(const struct vw_rd *r)
{
    return r->len - r->off;
}

static inline bool vw_rd_has(const struct vw_rd *r, size_t n)
{
    return n <= r->len - r->off;
}

/* Writer into a caller buffer that keeps counting past its capacity. */
struct vw_wr {
    uint8_t *p;
    size_t cap;
    size_t off; /* bytes the output needs so far, may exceed cap */
};

static inline void vw_wr_init(struct vw_wr *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->off = 0;
}

static inline bool vw_wr_ok(const struct vw_wr *w)
{
    return w->off <= w->cap;
}

static inline void vw_wr_bytes(struct vw_wr *w, const void *src, size_t n)
{
    if (w->off <= w->cap && n <= w->cap - w->off && n)
        memcpy(w->p + w->off, src, n);
    w->off += n;
}

static inline void vw_wr_u8(struct vw_wr *w, uint8_t v)
{
    if (w->off < w->cap)
        w->p[w->off] = v;
    w->off += 1;
}

static inline void vw_wr_u16le(struct vw_wr *w, uint16_t v)
{
    if (w->off <= w->cap && 2 <= w->cap - w->off)
        vw_put_u16le(w->p + w->off, v);
    w->off += 2;
}

static inline void vw_wr_u32le(struct vw_wr *w, uint32_t v)
{
    if (w->off <= w->cap && 4 <= w->cap - w->off)
        vw_put_u32le(w->p + w->off, v);
    w->off += 4;
}

static inline void vw_wr_u64le(struct vw_wr *w, uint64_t v)
{
    if (w->off <= w->cap && 8 <= w->cap - w->off)
        vw_put_u64le(w->p + w->off, v);
    w->off += 8;
}

static inline void vw_wr_zero(struct vw_wr *w, size_t n)
{
    if (w->off <= w->cap && n <= w->cap - w->off && n)
        memset(w->p + w->off, 0, n);
    w->off += n;
}

#endif /* VW_CORE_BYTES_H */
