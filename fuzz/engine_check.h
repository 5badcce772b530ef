/* The engine contract (doc/CONVENTIONS.md, "The engine contract") checked
 * the same way in every engine fuzz target: one drain, and state() checked
 * against output() and against what each call reported.
 *
 * A target describes its engine once with FUZZ_ENGINE(name, type, prefix),
 * which defines `static const struct fuzz_engine name` over
 * prefix##_output() and prefix##_state() (FUZZ_ENGINE_NO_OUTPUT for a stream
 * engine without output: the crosvm splitter, the serial deframer), then:
 *
 *   unsigned before = fuzz_engine_check(&e, ctx);        (any time: rule 5, 6)
 *   st = <prefix>_feed(ctx, ..., &consumed);
 *   fuzz_engine_fed(&e, ctx, before, st, consumed, len); (after every feed)
 *   fuzz_engine_called(&e, ctx, before, st);             (after any other call)
 *   n = fuzz_engine_drain(&e, ctx, out, sizeof out);     (take the output)
 *
 * What is checked:
 *   - HAVE_OUTPUT exactly when output(NULL, 0) is VW_E_NOSPACE with n > 0,
 *     otherwise output(NULL, 0) is VW_OK with n 0; output(NULL, cap > 0) is
 *     VW_E_INVALID_ARG with *written 0; state(NULL) is 0; probing changes
 *     nothing; FAILED never comes with WANT_INPUT;
 *   - the drain follows rule 5 (size query, one byte short is VW_E_NOSPACE
 *     with the size and keeps the bytes, an exact copy is VW_OK) and leaves
 *     neither output nor HAVE_OUTPUT;
 *   - failed iff a fault was reported: a call that returned VW_OK never
 *     leaves the engine FAILED when it was not; a FAILED engine stays FAILED
 *     (unless the call is a restart the target names, fuzz_engine_called
 *     with `restart`); a feed on a FAILED engine is VW_E_FAILED consuming
 *     nothing, and VW_E_FAILED comes only from a FAILED engine;
 *   - a feed consumes at most its input, and reads bytes successfully only
 *     when the engine wanted input (WANT_INPUT before the call); without it
 *     a feed is refused or leaves the bytes where they are (IC-HOST-4:
 *     VW_OK with nothing consumed).
 * Nothing here allocates. Include after fuzz.h. */
#ifndef VW_FUZZ_ENGINE_CHECK_H
#define VW_FUZZ_ENGINE_CHECK_H

#include "fuzz.h"
#include "vmwire/engine.h"

/* An engine's output and state seen through two type-safe wrappers. */
struct fuzz_engine {
    const char *name;
    vw_status (*output)(void *ctx, uint8_t *out, size_t cap, size_t *written); /* NULL: none */
    unsigned (*state)(const void *ctx);
};

#define FUZZ_ENGINE(name, type, prefix)                                                      \
    static vw_status name##_output_(void *c, uint8_t *o, size_t cap, size_t *w)            \
    {                                                                                        \
        return prefix##_output((type *)c, o, cap, w);                                        \
    }                                                                                        \
    static unsigned name##_state_(const void *c)                                            \
    {                                                                                        \
        return prefix##_state((const type *)c);                                              \
    }                                                                                        \
    static const struct fuzz_engine name = { #prefix, name##_output_, name##_state_ }

#define FUZZ_ENGINE_NO_OUTPUT(name, type, prefix)                                            \
    static unsigned name##_state_(const void *c)                                            \
    {                                                                                        \
        return prefix##_state((const type *)c);                                              \
    }                                                                                        \
    static const struct fuzz_engine name = { #prefix, NULL, name##_state_ }

#define FUZZ_ENGINE_KNOWN_FLAGS                                                              \
    (VW_ENGINE_WANT_INPUT | VW_ENGINE_HAVE_OUTPUT | VW_ENGINE_WAIT_APP | VW_ENGINE_FAILED | \
     VW_ENGINE_PARTIAL)

/* Rules 5 and 6 at this moment; returns the state, for the next call's checks. */
static inline unsigned fuzz_engine_check(const struct fuzz_engine *e, void *ctx)
{
    unsigned st = e->state(ctx);
    if (st & ~(unsigned)FUZZ_ENGINE_KNOWN_FLAGS)
        FUZZ_FAIL("%s: unknown state flags 0x%x", e->name, st);
    if ((st & VW_ENGINE_FAILED) && (st & VW_ENGINE_WANT_INPUT))
        FUZZ_FAIL("%s: FAILED and WANT_INPUT at once", e->name);
    FUZZ_CHECK(e->state(NULL) == 0);
    if (!e->output) {
        if (st & VW_ENGINE_HAVE_OUTPUT)
            FUZZ_FAIL("%s: HAVE_OUTPUT without an output call", e->name);
        return st;
    }
    size_t n = 12345;
    vw_status s = e->output(ctx, NULL, 0, &n);
    if (st & VW_ENGINE_HAVE_OUTPUT) {
        if (s != VW_E_NOSPACE || n == 0)
            FUZZ_FAIL("%s: HAVE_OUTPUT but output(NULL, 0) is %s with %zu bytes", e->name,
                      vw_status_name(s), n);
    } else if (s != VW_OK || n != 0) {
        FUZZ_FAIL("%s: no HAVE_OUTPUT but output(NULL, 0) is %s with %zu bytes", e->name,
                  vw_status_name(s), n);
    }
    n = 12345;
    FUZZ_CHECK_STATUS(e->output(ctx, NULL, 1, &n), VW_E_INVALID_ARG);
    FUZZ_CHECK(n == 0);
    if (e->state(ctx) != st)
        FUZZ_FAIL("%s: probing output changed the state", e->name);
    return st;
}

/* After any call other than a feed: `before` is fuzz_engine_check()'s answer
 * before the call, `st` its status; `restart` says the call may clear a
 * sticky fault (e.g. vw_ic_host_start). Returns the new state. */
static inline unsigned fuzz_engine_called(const struct fuzz_engine *e, void *ctx, unsigned before,
                                          vw_status st, int restart)
{
    unsigned now = fuzz_engine_check(e, ctx);
    if ((before & VW_ENGINE_FAILED) && !(now & VW_ENGINE_FAILED) && !restart)
        FUZZ_FAIL("%s: a sticky fault cleared by a call returning %s", e->name, vw_status_name(st));
    if (!(before & VW_ENGINE_FAILED) && (now & VW_ENGINE_FAILED) && st == VW_OK)
        FUZZ_FAIL("%s: FAILED after a call that reported no fault", e->name);
    if (st == VW_E_FAILED && !(before & VW_ENGINE_FAILED))
        FUZZ_FAIL("%s: VW_E_FAILED from an engine that had not failed", e->name);
    return now;
}

/* After a feed of `len` bytes that returned `st` and consumed `consumed`. */
static inline unsigned fuzz_engine_fed(const struct fuzz_engine *e, void *ctx, unsigned before,
                                       vw_status st, size_t consumed, size_t len)
{
    if (consumed > len)
        FUZZ_FAIL("%s: consumed %zu of %zu bytes", e->name, consumed, len);
    if (before & VW_ENGINE_FAILED) {
        FUZZ_CHECK_STATUS(st, VW_E_FAILED);
        FUZZ_CHECK(consumed == 0);
    }
    if (st == VW_OK && consumed && !(before & VW_ENGINE_WANT_INPUT))
        FUZZ_FAIL("%s: a feed read %zu bytes in state 0x%x (no WANT_INPUT)", e->name, consumed, before);
    return fuzz_engine_called(e, ctx, before, st, 0);
}

/* Take the pending output into out[cap] by rule 5; returns its size (0 when
 * nothing was pending). Afterwards nothing is pending. */
static inline size_t fuzz_engine_drain(const struct fuzz_engine *e, void *ctx, uint8_t *out, size_t cap)
{
    unsigned before = fuzz_engine_check(e, ctx);
    if (!e->output)
        return 0;
    size_t need = 0, w = 0;
    vw_status st = e->output(ctx, NULL, 0, &need);
    if (st == VW_OK) {
        FUZZ_CHECK(need == 0);
        return 0;
    }
    FUZZ_CHECK_STATUS(st, VW_E_NOSPACE);
    FUZZ_CHECK(need > 0 && need <= cap);
    FUZZ_CHECK_STATUS(e->output(ctx, out, need - 1, &w), VW_E_NOSPACE);
    FUZZ_CHECK(w == need);
    FUZZ_CHECK(e->state(ctx) == before); /* a short buffer keeps the bytes */
    FUZZ_CHECK_STATUS(e->output(ctx, out, cap, &w), VW_OK);
    FUZZ_CHECK(w == need);
    unsigned after = fuzz_engine_called(e, ctx, before, VW_OK, 0);
    if (after & VW_ENGINE_HAVE_OUTPUT)
        FUZZ_FAIL("%s: HAVE_OUTPUT after a full copy", e->name);
    size_t again = 1;
    FUZZ_CHECK_STATUS(e->output(ctx, NULL, 0, &again), VW_OK);
    FUZZ_CHECK(again == 0);
    return w;
}

#endif /* VW_FUZZ_ENGINE_CHECK_H */
