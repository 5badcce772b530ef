/* Internal to the tools: one session driver for every vmwire engine.
 *
 * Every engine is seen through the engine contract (doc/CONVENTIONS.md, "The
 * engine contract"): a small vtable of feed, output, state and error_offset
 * over a caller-owned context. A protocol's testee handler describes its
 * session once (how to set it up from the request's parameters, what one
 * step does) and vwt_session_run() does the rest: allocation, the steps,
 * the answers, and the case ending at a skipped step. The steps themselves
 * feed bytes and take output only through the vtable (vwt_engine_*), so the
 * same code drives the IC guest and host, the crosvm main and vCPU engines
 * and the crosvm splitter. */
#ifndef VWT_SESSION_H
#define VWT_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vmwire/engine.h"
#include "vmwire/status.h"

/* One engine behind the contract. `ctx` is the engine object (or a wrapper
 * holding it and the feed's extra arguments, e.g. the IC host's clock);
 * `ev` is the engine's event struct (NULL is allowed: rule 2). */
struct vwt_engine {
    const char *name;
    void *ctx;
    vw_status (*feed)(void *ctx, const uint8_t *in, size_t len, void *ev, size_t *consumed);
    vw_status (*output)(void *ctx, uint8_t *out, size_t cap, size_t *written);
    unsigned (*state)(const void *ctx);
    size_t (*error_offset)(const void *ctx);
};

/* The event of a stream splitter seen as an engine (crosvm vCPU stream):
 * the frame the feed completed, if any. */
struct vwt_frame {
    const uint8_t *p;
    size_t len;
};

static inline vw_status vwt_engine_feed(const struct vwt_engine *e, const uint8_t *in, size_t len, void *ev,
                                        size_t *consumed)
{
    return e->feed(e->ctx, in, len, ev, consumed);
}

static inline unsigned vwt_engine_state(const struct vwt_engine *e)
{
    return e->state(e->ctx);
}

/* Take every pending output byte (rule 5 and 6: HAVE_OUTPUT says there are
 * some, output(NULL, 0) says how many). On VW_OK *out is a malloc'd buffer
 * of *n bytes (NULL with *n 0 when nothing is pending); the caller frees it.
 * VW_E_NOMEM when the buffer cannot be allocated; any other status is the
 * engine breaking the contract. */
vw_status vwt_engine_take(const struct vwt_engine *e, uint8_t **out, size_t *n);

/* Feed `in` whole: the engine is fed again with what it has not consumed
 * for as long as it consumes something and succeeds; for every event a
 * feed reports, `on_event` (may be NULL) is called with `ev` and may end the
 * loop by returning a status other than VW_OK. *used is the number of bytes
 * the engine consumed in all; the result is the status of the last call. */
vw_status vwt_engine_feed_all(const struct vwt_engine *e, const uint8_t *in, size_t len, void *ev,
                              vw_status (*on_event)(void *user, void *ev), void *user, size_t *used);

/* A protocol's session, for the driver. */
struct vwt_session {
    size_t size; /* bytes of the protocol's session object (zeroed by the driver) */
    /* Set up from the request's parameters; NULL on success, else the reason
     * the case is skipped. `operation` is "session" or the single-step
     * operation (e.g. "respond"). */
    const char *(*init)(void *s, const char *operation, const json_t *req);
    /* One step: a response object (vwt_valid / vwt_invalid_output ...),
     * "skipped" to end the case, NULL when out of memory. */
    json_t *(*step)(void *s, const json_t *req, const json_t *step);
    /* Release what init allocated (may be NULL); called even when init failed. */
    void (*fini)(void *s);
};

/* Run a session request: {"steps": [...], parameters...}. The answer is
 * valid with the list of step answers, or the first skipped step's answer. */
json_t *vwt_session_run(const struct vwt_session *ops, const char *operation, const json_t *req);

/* Run a single-step operation (e.g. IC "respond"): the request is its own
 * step and the answer is that step's. */
json_t *vwt_session_single(const struct vwt_session *ops, const char *operation, const json_t *req);

#endif /* VWT_SESSION_H */
