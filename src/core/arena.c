/* Bump allocator over caller memory: no malloc, exhaustion reported, need counted. */
#include <stdint.h>
#include <string.h>

#include "vmwire/arena.h"

void vw_arena_init(struct vw_arena *a, void *mem, size_t cap)
{
    a->base = mem;
    a->cap = mem ? cap : 0;
    a->used = 0;
    a->needed = 0;
    /* Align the start so every block is aligned in absolute terms. */
    if (a->base) {
        size_t mis = (size_t)((uintptr_t)a->base % VW_ARENA_ALIGN);
        if (mis) {
            size_t skip = VW_ARENA_ALIGN - mis;
            if (skip > a->cap)
                skip = a->cap;
            a->base += skip;
            a->cap -= skip;
        }
    }
}

static size_t round_up(size_t n)
{
    return (n + (VW_ARENA_ALIGN - 1)) & ~(size_t)(VW_ARENA_ALIGN - 1);
}

void *vw_arena_alloc(struct vw_arena *a, size_t size)
{
    size_t r = round_up(size ? size : 1);
    if (r < size) /* overflow */
        return NULL;
    if (a->needed > SIZE_MAX - r)
        a->needed = SIZE_MAX;
    else
        a->needed += r;
    if (a->used > a->cap || r > a->cap - a->used || a->needed != a->used + r)
        return NULL;
    void *p = a->base + a->used;
    a->used += r;
    memset(p, 0, size);
    return p;
}

void vw_arena_reset(struct vw_arena *a)
{
    a->used = 0;
    a->needed = 0;
}

size_t vw_arena_used(const struct vw_arena *a)
{
    return a->used;
}

size_t vw_arena_needed(const struct vw_arena *a)
{
    return a->needed;
}
