/* The entry and output rules of the engine contract (doc/CONVENTIONS.md,
 * "The engine contract"), written once and used by every engine. Internal:
 * never installed. */
#ifndef VW_CORE_ENGINE_H
#define VW_CORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmwire/engine.h"
#include "vmwire/status.h"

/* Entry rule of every feed: *consumed is 0 until the engine takes bytes, and
 * a call without an engine, without `consumed`, or with len > 0 and no input
 * is refused with VW_E_INVALID_ARG. */
static inline vw_status vw_engine__feed_args(const void *ctx, const uint8_t *in, size_t len,
                                             size_t *consumed)
{
    if (consumed)
        *consumed = 0;
    if (!ctx || !consumed || (!in && len))
        return VW_E_INVALID_ARG;
    return VW_OK;
}

/* The event rule: `ev` may be NULL everywhere (the engine then writes into
 * the caller's local `dummy`); the event is cleared before anything else. */
#define VW_ENGINE_EVENT(ev, dummy)              \
    do {                                        \
        if (!(ev))                              \
            (ev) = &(dummy);                    \
        memset((ev), 0, sizeof *(ev));          \
    } while (0)

/* Entry rule of every output: *written is 0 first; no engine, no `written`,
 * or out == NULL with cap > 0 is VW_E_INVALID_ARG (out may be NULL only with
 * cap 0, to ask for the size, as for the encoders). */
static inline vw_status vw_engine__output_args(const void *ctx, const uint8_t *out, size_t cap,
                                               size_t *written)
{
    if (written)
        *written = 0;
    if (!ctx || !written || (!out && cap))
        return VW_E_INVALID_ARG;
    return VW_OK;
}

/* The output rule: hand over the n pending bytes at src. Nothing pending:
 * VW_OK, *written 0. Too small a buffer: VW_E_NOSPACE, *written = n, still
 * pending. Otherwise the bytes are copied, *written = n and *taken is set:
 * the caller then drops them. */
static inline vw_status vw_engine__output_copy(const uint8_t *src, size_t n, uint8_t *out,
                                               size_t cap, size_t *written, int *taken)
{
    *taken = 0;
    *written = n;
    if (!n)
        return VW_OK;
    if (cap < n)
        return VW_E_NOSPACE;
    memcpy(out, src, n);
    *taken = 1;
    return VW_OK;
}

/* The state rule for the output half: HAVE_OUTPUT exactly when output()
 * would hand over bytes. */
static inline unsigned vw_engine__out_flag(size_t pending)
{
    return pending ? (unsigned)VW_ENGINE_HAVE_OUTPUT : 0u;
}

#endif /* VW_CORE_ENGINE_H */
