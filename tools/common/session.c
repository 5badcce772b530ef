/* The one session driver of the tools (see session.h). */
#include <stdlib.h>
#include <string.h>

#include "common/session.h"
#include "common/vwt.h"

vw_status vwt_engine_take(const struct vwt_engine *e, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!(vwt_engine_state(e) & VW_ENGINE_HAVE_OUTPUT))
        return VW_OK;
    size_t need = 0, w = 0;
    vw_status st = e->output(e->ctx, NULL, 0, &need);
    if (st != VW_E_NOSPACE || need == 0)
        return st == VW_OK ? VW_E_STATE : st; /* HAVE_OUTPUT without bytes: a broken engine */
    uint8_t *buf = malloc(need);
    if (!buf)
        return VW_E_NOMEM;
    st = e->output(e->ctx, buf, need, &w);
    if (st != VW_OK || w != need) {
        free(buf);
        return st == VW_OK ? VW_E_STATE : st;
    }
    *out = buf;
    *n = w;
    return VW_OK;
}

vw_status vwt_engine_feed_all(const struct vwt_engine *e, const uint8_t *in, size_t len, void *ev,
                              vw_status (*on_event)(void *user, void *ev), void *user, size_t *used)
{
    vw_status st = VW_OK;
    *used = 0;
    while (*used < len) {
        size_t c = 0;
        st = vwt_engine_feed(e, in + *used, len - *used, ev, &c);
        *used += c;
        if (st == VW_OK && on_event)
            st = on_event(user, ev);
        if (st != VW_OK || c == 0)
            break;
    }
    return st;
}

/* One event of the deframe answer; false when out of memory. */
static bool add_event(json_t *events, const char *k1, json_t *v1, const char *k2, json_t *v2)
{
    json_t *e = json_object();
    if (!e) {
        json_decref(v1);
        json_decref(v2);
        return false;
    }
    if (json_object_set_new(e, k1, v1)) { /* takes v1, also on failure */
        json_decref(v2);
        json_decref(e);
        return false;
    }
    if (k2 && json_object_set_new(e, k2, v2)) {
        json_decref(e);
        return false;
    }
    return !json_array_append_new(events, e); /* takes e, also on failure */
}

json_t *vwt_deframe_run(const struct vwt_splitter *sp, const json_t *chunks)
{
    const struct vwt_engine *e = &sp->e;
    json_t *events = json_array();
    size_t base = 0, i;
    const json_t *c;
    bool failed = false, ok = events != NULL;
    json_array_foreach(chunks, i, c)
    {
        uint8_t *buf;
        size_t len, pos = 0;
        if (!ok)
            break;
        if (vwt_json_hex(c, &buf, &len)) {
            json_decref(events);
            return vwt_skipped("deframe: chunk %zu is not a hex string", i);
        }
        /* feed until the chunk is consumed (SER-FRAME-4, CV-VCPU-16) */
        while (ok && !failed && pos < len) {
            struct vwt_frame fr;
            size_t used = 0;
            vw_status st = vwt_engine_feed(e, buf + pos, len - pos, &fr, &used);
            if (fr.p)
                ok = add_event(events, "frame", vwt_hex_json(fr.p, fr.len), NULL, NULL);
            if (fr.rejected) {
                ok = ok && add_event(events, "error", json_string(vw_status_name(fr.error)), "skipped",
                                     json_integer((json_int_t)fr.skipped));
            } else if (st != VW_OK) { /* sticky: the stream is unusable from here on */
                ok = ok && add_event(events, "error", json_string(vw_status_name(st)), "offset",
                                     json_integer((json_int_t)(base + pos + e->error_offset(e->ctx))));
                failed = true;
            } else if (!used && !fr.p) {
                break; /* no progress and nothing to report: not an engine of the contract */
            }
            pos += used;
        }
        base += len;
        free(buf);
    }
    size_t pending = ok && !failed ? sp->pending(e->ctx) : 0;
    if (pending && sp->truncated_at_end)
        ok = add_event(events, "error", json_string(vw_status_name(VW_E_TRUNCATED)), "offset",
                       json_integer((json_int_t)base));
    else if (pending)
        ok = add_event(events, "pending", json_integer((json_int_t)pending), NULL, NULL);
    if (!ok) {
        json_decref(events);
        return vwt_skipped("out of memory");
    }
    return vwt_valid(events);
}

static void *session_new(const struct vwt_session *ops, const char *operation, const json_t *req, json_t **why)
{
    void *s = calloc(1, ops->size);
    *why = NULL;
    if (!s) {
        *why = vwt_skipped("out of memory");
        return NULL;
    }
    const char *r = ops->init(s, operation, req);
    if (r) {
        *why = vwt_skipped("%s", r);
        if (ops->fini)
            ops->fini(s);
        free(s);
        return NULL;
    }
    return s;
}

static void session_free(const struct vwt_session *ops, void *s)
{
    if (ops->fini)
        ops->fini(s);
    free(s);
}

static int is_skipped(const json_t *r)
{
    const char *res = json_string_value(json_object_get(r, "result"));
    return res && !strcmp(res, "skipped");
}

json_t *vwt_session_run(const struct vwt_session *ops, const char *operation, const json_t *req)
{
    json_t *why, *out = NULL;
    void *s = session_new(ops, operation, req, &why);
    if (!s)
        return why;
    json_t *results = json_array();
    size_t i;
    const json_t *st;
    if (!results)
        goto done;
    json_array_foreach(json_object_get(req, "steps"), i, st)
    {
        json_t *r = ops->step(s, req, st);
        if (!r || !json_string_value(json_object_get(r, "result"))) { /* out of memory */
            json_decref(r);
            goto done;
        }
        if (is_skipped(r)) { /* a skipped step ends the case */
            out = r;
            goto done;
        }
        if (json_array_append_new(results, r)) /* releases r, even on failure */
            goto done;
    }
    out = vwt_valid(results); /* takes results */
    results = NULL;
done:
    json_decref(results);
    session_free(ops, s);
    return out ? out : vwt_skipped("out of memory");
}

json_t *vwt_session_single(const struct vwt_session *ops, const char *operation, const json_t *req)
{
    json_t *why;
    void *s = session_new(ops, operation, req, &why);
    if (!s)
        return why;
    json_t *r = ops->step(s, req, req);
    session_free(ops, s);
    return r ? r : vwt_skipped("out of memory");
}
