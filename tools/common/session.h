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

#include <stdbool.h>
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

/* The event of a stream splitter seen as an engine (the serial deframer, the
 * crosvm vCPU stream splitter): the frame the feed completed, if any, or a
 * bad frame it skipped and goes on after (the deframer's resync and drop
 * policies; a sticky fault is the feed's status instead). */
struct vwt_frame {
    const uint8_t *p; /* the frame's bytes, or NULL */
    size_t len;
    bool rejected;    /* a bad frame was skipped: */
    vw_status error;  /*   why */
    size_t skipped;   /*   the stream bytes it discards */
};

/* A length-prefix splitter for the deframe driver: the engine (its feed's
 * `ev` is a struct vwt_frame; it has no output of its own), the bytes it
 * holds of a frame not yet complete, and how a stream that ends while it
 * holds some is answered (the protocol's `deframe` answer format). */
struct vwt_splitter {
    struct vwt_engine e;
    size_t (*pending)(const void *ctx);
    bool truncated_at_end; /* true: {"error": "truncated", "offset": stream length} (crosvm);
                            * false: {"pending": n} (serial) */
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

/* The one deframe loop (the `deframe` operation of every stream kind):
 * `chunks` is the request's list of hex chunks, fed in order to the
 * splitter, each until it is consumed. The answer is valid with the list
 * of events: {"frame": hex} for a frame, {"error": status, "skipped": n} for a
 * bad frame skipped, {"error": status, "offset": n} for a sticky fault (n
 * counted from the start of the stream; no chunk is fed after it), then the
 * end of the stream as `truncated_at_end` says when bytes are pending and no
 * sticky fault came. A chunk that is not hex skips the case. */
json_t *vwt_deframe_run(const struct vwt_splitter *sp, const json_t *chunks);

/* ---- the production adapters (tools/common/engines.c) --------------------
 * Every vmwire engine as a struct vwt_engine, as the testee handlers drive
 * them (tests/test_tools_session.c drives the same ones). An engine whose
 * feed takes an extra argument is seen through a small context that points
 * at the argument's current value. */
struct vw_ic_guest;
struct vw_ic_host;
struct vw_crosvm_main;
struct vw_crosvm_vcpu;
struct vw_crosvm_splitter;
struct vw_serial_deframer;

/* The IC host with its clock: feed passes *now (ns). */
struct vwt_ic_host_at {
    struct vw_ic_host *h;
    const uint64_t *now;
};

/* The crosvm main engine with the fd count of the datagram being fed. */
struct vwt_crosvm_main_fds {
    struct vw_crosvm_main *m;
    const unsigned *nfds;
};

/* ev: struct vw_ic_guest_event, struct vw_ic_host_event, struct
 * vw_crosvm_main_event, struct vw_crosvm_vcpu_event; the two splitters: struct
 * vwt_frame. Names: "ic guest", "ic host", "crosvm main", "crosvm vcpu",
 * "crosvm splitter", "serial deframer". */
struct vwt_engine vwt_ic_guest_engine(struct vw_ic_guest *g);
struct vwt_engine vwt_ic_host_engine(struct vwt_ic_host_at *h);
struct vwt_engine vwt_crosvm_main_engine(struct vwt_crosvm_main_fds *m);
struct vwt_engine vwt_crosvm_vcpu_engine(struct vw_crosvm_vcpu *v);
struct vwt_splitter vwt_crosvm_splitter_engine(struct vw_crosvm_splitter *s);
struct vwt_splitter vwt_serial_deframer_engine(struct vw_serial_deframer *d);

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
