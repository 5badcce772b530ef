/* The production adapters of tools/common/session.h: every vmwire engine
 * behind the engine vtable (struct vwt_engine), one set of wrappers that the
 * testee handlers and tests/test_tools_session.c both use. */
#include <string.h>

#include "common/session.h"
#include "vmwire/crosvm.h"
#include "vmwire/ic.h"
#include "vmwire/serial.h"

/* ---- IC guest and host ---- */

static vw_status ic_guest_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    return vw_ic_guest_feed(c, in, len, ev, used);
}
static vw_status ic_guest_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    return vw_ic_guest_output(c, out, cap, w);
}
static unsigned ic_guest_state(const void *c)
{
    return vw_ic_guest_state(c);
}
static size_t ic_guest_error(const void *c)
{
    return vw_ic_guest_error_offset(c);
}

struct vwt_engine vwt_ic_guest_engine(struct vw_ic_guest *g)
{
    return (struct vwt_engine){ "ic guest", g, ic_guest_feed, ic_guest_output, ic_guest_state, ic_guest_error };
}

static vw_status ic_host_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    const struct vwt_ic_host_at *a = c;
    return vw_ic_host_feed(a->h, in, len, *a->now, ev, used);
}
static vw_status ic_host_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    return vw_ic_host_output(((const struct vwt_ic_host_at *)c)->h, out, cap, w);
}
static unsigned ic_host_state(const void *c)
{
    return vw_ic_host_state(((const struct vwt_ic_host_at *)c)->h);
}
static size_t ic_host_error(const void *c)
{
    return vw_ic_host_error_offset(((const struct vwt_ic_host_at *)c)->h);
}

struct vwt_engine vwt_ic_host_engine(struct vwt_ic_host_at *h)
{
    return (struct vwt_engine){ "ic host", h, ic_host_feed, ic_host_output, ic_host_state, ic_host_error };
}

/* ---- crosvm main and vCPU ---- */

static vw_status cv_main_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    const struct vwt_crosvm_main_fds *m = c;
    return vw_crosvm_main_feed(m->m, in, len, *m->nfds, ev, used);
}
static vw_status cv_main_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    return vw_crosvm_main_output(((const struct vwt_crosvm_main_fds *)c)->m, out, cap, w);
}
static unsigned cv_main_state(const void *c)
{
    return vw_crosvm_main_state(((const struct vwt_crosvm_main_fds *)c)->m);
}
static size_t cv_main_error(const void *c)
{
    return vw_crosvm_main_error_offset(((const struct vwt_crosvm_main_fds *)c)->m);
}

struct vwt_engine vwt_crosvm_main_engine(struct vwt_crosvm_main_fds *m)
{
    return (struct vwt_engine){ "crosvm main", m, cv_main_feed, cv_main_output, cv_main_state, cv_main_error };
}

static vw_status cv_vcpu_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    return vw_crosvm_vcpu_feed(c, in, len, ev, used);
}
static vw_status cv_vcpu_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    return vw_crosvm_vcpu_output(c, out, cap, w);
}
static unsigned cv_vcpu_state(const void *c)
{
    return vw_crosvm_vcpu_state(c);
}
static size_t cv_vcpu_error(const void *c)
{
    return vw_crosvm_vcpu_error_offset(c);
}

struct vwt_engine vwt_crosvm_vcpu_engine(struct vw_crosvm_vcpu *v)
{
    return (struct vwt_engine){ "crosvm vcpu", v, cv_vcpu_feed, cv_vcpu_output, cv_vcpu_state, cv_vcpu_error };
}

/* ---- the two length-prefix splitters: no output of their own ---- */

static vw_status no_output(void *c, uint8_t *out, size_t cap, size_t *w)
{
    (void)c, (void)out, (void)cap;
    *w = 0;
    return VW_OK;
}

static vw_status cv_split_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    struct vwt_frame *f = ev;
    if (f)
        memset(f, 0, sizeof *f); /* a crosvm splitter fault is sticky: never a skipped frame */
    return vw_crosvm_splitter_feed(c, in, len, f ? &f->p : NULL, f ? &f->len : NULL, used);
}
static unsigned cv_split_state(const void *c)
{
    return vw_crosvm_splitter_state(c);
}
static size_t cv_split_error(const void *c)
{
    return vw_crosvm_splitter_error_offset(c);
}
static size_t cv_split_pending(const void *c)
{
    return vw_crosvm_splitter_pending(c);
}

struct vwt_splitter vwt_crosvm_splitter_engine(struct vw_crosvm_splitter *s)
{
    return (struct vwt_splitter){
        { "crosvm splitter", s, cv_split_feed, no_output, cv_split_state, cv_split_error },
        cv_split_pending,
        true, /* spec/crosvm.md CV-VCPU-16: a stream ending inside a frame is truncated */
    };
}

static vw_status ser_feed(void *c, const uint8_t *in, size_t len, void *ev, size_t *used)
{
    struct vwt_frame *f = ev;
    struct vw_serial_event e;
    memset(&e, 0, sizeof e); /* VW_SERIAL_EV_NONE */
    vw_status st = vw_serial_deframer_feed(c, in, len, &e, used);
    if (f) {
        memset(f, 0, sizeof *f);
        if (e.kind == VW_SERIAL_EV_FRAME) {
            f->p = e.payload;
            f->len = e.len;
        } else if (e.kind == VW_SERIAL_EV_ERROR) {
            f->rejected = true;
            f->error = e.error;
            f->skipped = e.skipped;
        }
    }
    return st;
}
static unsigned ser_state(const void *c)
{
    return vw_serial_deframer_state(c);
}
static size_t ser_error(const void *c)
{
    return vw_serial_deframer_error_offset(c);
}
static size_t ser_pending(const void *c)
{
    return vw_serial_deframer_pending(c);
}

struct vwt_splitter vwt_serial_deframer_engine(struct vw_serial_deframer *d)
{
    return (struct vwt_splitter){
        { "serial deframer", d, ser_feed, no_output, ser_state, ser_error },
        ser_pending,
        false, /* spec/serial.md section 5: the bytes still held are reported */
    };
}
