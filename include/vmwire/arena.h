/**
 * @file arena.h
 * @brief Caller-owned bump allocator used by decoders that build structs.
 *
 * Decoders that produce pointer-holding structs (protobuf messages) take their
 * memory from a ::vw_arena over a buffer the caller owns; libvmwire never calls
 * malloc on a decode or encode path. When the arena runs out, allocation fails
 * cleanly and the arena keeps counting, so vw_arena_needed() tells the caller
 * how large a buffer would have sufficed (as TinyCBOR does for output).
 */
#ifndef VMWIRE_ARENA_H
#define VMWIRE_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Alignment of every block handed out by vw_arena_alloc(), in bytes. */
#define VW_ARENA_ALIGN 16u

/**
 * @brief A bump allocator over caller memory. Treat the members as private.
 */
struct vw_arena {
    unsigned char *base; /**< start of the caller's buffer */
    size_t cap;          /**< usable size of the buffer in bytes */
    size_t used;         /**< bytes handed out so far */
    size_t needed;       /**< bytes that all requests so far would have needed */
};

/**
 * @brief Set up an arena over @p mem.
 * @param a the arena.
 * @param mem caller memory (may be NULL when @p cap is 0: a counting-only arena).
 * @param cap size of @p mem in bytes.
 */
void vw_arena_init(struct vw_arena *a, void *mem, size_t cap);

/**
 * @brief Take @p size bytes, aligned to ::VW_ARENA_ALIGN, zero-filled.
 * @param a the arena.
 * @param size bytes wanted (0 gives a valid unique pointer when space remains).
 * @return the block, or NULL when the arena is exhausted (vw_arena_needed() still grows).
 */
void *vw_arena_alloc(struct vw_arena *a, size_t size);

/**
 * @brief Forget every allocation; the memory can be reused.
 * @param a the arena.
 */
void vw_arena_reset(struct vw_arena *a);

/**
 * @brief Bytes handed out since the last init or reset.
 * @param a the arena.
 * @return bytes used, including alignment padding.
 */
size_t vw_arena_used(const struct vw_arena *a);

/**
 * @brief Bytes all requests since the last init or reset would have needed.
 *
 * After a decode failed with ::VW_E_NOMEM, an arena of this size lets the same
 * decode succeed.
 * @param a the arena.
 * @return bytes needed, including alignment padding.
 */
size_t vw_arena_needed(const struct vw_arena *a);

#ifdef __cplusplus
}
#endif

#endif /* VMWIRE_ARENA_H */
