/* Built-in implementation of the crosvm message kinds behind the testee
 * interface (spec/crosvm.md, "Conformance vectors"):
 *   crosvm.{seed,final}.{MainRequest,MainResponse,VcpuRequest,VcpuResponse}
 * with the operations decode, encode, validate and session. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/session.h"
#include "common/vwt.h"
#include "vmwire/crosvm.h"

/* Decode hex into a message; the arena memory is returned for freeing. */
static vw_status decode_hex(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const uint8_t *buf,
                            size_t len, void **mem, ProtobufCMessage **m)
{
    size_t cap = 4096 + 16 * len, off;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct vw_arena a;
        *mem = malloc(cap);
        if (!*mem) {
            vwt_nomem();
            return VW_E_NOMEM;
        }
        vwt_poison(*mem, cap);
        vw_arena_init(&a, *mem, cap);
        vw_status st = vw_crosvm_decode(rev, kind, buf, len, &a, m, &off);
        if (st != VW_E_NOMEM)
            return st;
        cap = vw_arena_needed(&a) + VW_ARENA_ALIGN;
        free(*mem);
        *mem = NULL;
    }
    return VW_E_NOMEM;
}

static json_t *do_validate(enum vw_crosvm_revision rev, enum vw_crosvm_kind kind, const json_t *req)
{
    uint8_t *buf;
    size_t len;
    void *mem = NULL;
    ProtobufCMessage *m = NULL;
    if (vwt_json_hex(json_object_get(req, "input"), &buf, &len))
        return vwt_skipped("validate: input is not a hex string");
    vw_status st = decode_hex(rev, kind, buf, len, &mem, &m);
    if (st == VW_OK)
        st = vw_crosvm_validate(rev, kind, m, len);
    free(mem);
    free(buf);
    return st == VW_OK ? vwt_valid(json_null()) : vwt_invalid(st);
}

/* ---- session (driven by common/session.c) ------------------------------------ */

struct sess {
    struct vw_crosvm_vm vm;
    struct vw_crosvm_main main;
    struct vw_crosvm_vcpu vcpu;
    struct vw_arena arena;
    void *mem;
    struct vw_crosvm_splitter split; /* for "framed" vCPU inputs */
    uint8_t *split_buf;
    int vcpu_default; /* a VcpuRequest/VcpuResponse case: steps go to the vCPU channel */
    unsigned nfds;    /* the fds of the main-channel datagram being fed */
    struct vwt_crosvm_main_fds main_fds; /* the main engine with &nfds, for its adapter */
    struct vwt_engine main_e, vcpu_e;
    struct vwt_splitter split_e;
};

static int json_u64(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v))
        return vwt_parse_u64_hex(json_string_value(v), out);
    return -1;
}

/* Parameters: role ("host" | "plugin"), strict (bool), vcpus (host: count), tap (bool),
 * ranges ([{space, start, length, async}]), started (bool), pauses
 * ({"<vcpu>": user}). The last four preset the VM state for vCPU sessions,
 * through the public setters (vw_crosvm_vm_set_started, _add_range,
 * _set_pause): a preset the VM could not reach skips the case. */
static const char *sess_init(void *obj, const char *operation, const json_t *req)
{
    struct sess *s = obj;
    (void)operation;
    const char *role_s = json_string_value(json_object_get(req, "role"));
    enum vw_crosvm_role role;
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind kind;
    if (vw_crosvm_kind_parse(json_string_value(json_object_get(req, "message")), &rev, &kind) != VW_OK)
        return "unknown message kind";
    s->vcpu_default = kind == VW_CROSVM_VCPU_REQUEST || kind == VW_CROSVM_VCPU_RESPONSE;
    if (role_s && !strcmp(role_s, "host"))
        role = VW_CROSVM_HOST;
    else if (role_s && !strcmp(role_s, "plugin"))
        role = VW_CROSVM_PLUGIN;
    else
        return "session needs a role (host or plugin)";
    json_t *jv = json_object_get(req, "vcpus");
    unsigned vcpus = json_is_integer(jv) ? (unsigned)json_integer_value(jv) : (role == VW_CROSVM_HOST ? 1 : 0);
    struct vw_crosvm_vm_config vmc = { rev, vcpus, json_is_true(json_object_get(req, "tap")) };
    vwt_poison(&s->vm, sizeof s->vm);
    if (vw_crosvm_vm_init(&s->vm, &vmc) != VW_OK)
        return "bad vcpus";
    (void)vw_crosvm_vm_set_started(&s->vm, json_is_true(json_object_get(req, "started")));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(req, "ranges"), i, r)
    {
        uint64_t sp = 0, start, len;
        json_u64(json_object_get(r, "space"), &sp);
        if (json_u64(json_object_get(r, "start"), &start) || json_u64(json_object_get(r, "length"), &len) ||
            sp > 1)
            return "bad range parameter";
        struct vw_crosvm_range rg = { start, len, (uint8_t)sp, (uint8_t)json_is_true(json_object_get(r, "async")) };
        if (vw_crosvm_vm_add_range(&s->vm, &rg) != VW_OK)
            return "bad range parameter";
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(req, "pauses"), k, v)
    {
        unsigned long cpu = strtoul(k, NULL, 10);
        uint64_t user;
        if (cpu > UINT_MAX || json_u64(v, &user) || vw_crosvm_vm_set_pause(&s->vm, (unsigned)cpu, user) != VW_OK)
            return "bad pauses parameter";
    }
    s->mem = malloc(1 << 20);
    if (!s->mem)
        return "out of memory";
    vwt_poison(s->mem, 1 << 20);
    vw_arena_init(&s->arena, s->mem, 1 << 20);
    bool strict = json_is_true(json_object_get(req, "strict"));
    struct vw_crosvm_main_config mc = { role, &s->vm, &s->arena, strict };
    struct vw_crosvm_vcpu_config vc = { rev, role, &s->vm, 0, &s->arena, strict };
    vwt_poison(&s->main, sizeof s->main);
    vwt_poison(&s->vcpu, sizeof s->vcpu);
    if (vw_crosvm_main_init(&s->main, &mc) != VW_OK || vw_crosvm_vcpu_init(&s->vcpu, &vc) != VW_OK)
        return "engine init failed";
    s->split_buf = malloc(VW_CROSVM_MAX_MESSAGE);
    struct vw_crosvm_splitter_config sc = { s->split_buf, VW_CROSVM_MAX_MESSAGE, strict };
    if (s->split_buf) {
        vwt_poison(s->split_buf, VW_CROSVM_MAX_MESSAGE);
        vwt_poison(&s->split, sizeof s->split);
    }
    if (!s->split_buf || vw_crosvm_splitter_init(&s->split, &sc) != VW_OK)
        return "out of memory";
    s->main_fds = (struct vwt_crosvm_main_fds){ &s->main, &s->nfds };
    s->main_e = vwt_crosvm_main_engine(&s->main_fds);
    s->vcpu_e = vwt_crosvm_vcpu_engine(&s->vcpu);
    s->split_e = vwt_crosvm_splitter_engine(&s->split);
    return NULL;
}

static void sess_fini(void *sp)
{
    struct sess *s = sp;
    free(s->mem);
    free(s->split_buf);
}

/* A frame the splitter completed goes to the vCPU engine (the splitter's event hook). */
struct framed {
    struct sess *s;
    struct vw_crosvm_vcpu_event ev;
};
static vw_status feed_frame(void *user, void *ev)
{
    struct framed *f = user;
    const struct vwt_frame *fr = ev;
    size_t used;
    return fr->p ? vwt_engine_feed(&f->s->vcpu_e, fr->p, fr->len, &f->ev, &used) : VW_OK;
}

/* One step: {"input"|"send": hex, "fds": n, "channel": "main"|"vcpu",
 * "framed": true (a vCPU input read from the final answer pipe: split first)}.
 * Output: {"reply": hex the engine queued, "fds": fds to attach, "errno": errno},
 * plus "dropped": n (fds of the input the receiver does not take) when non-zero
 * and "end": "connection" | "run" when the step ends that. */
static json_t *sess_step(void *sp, const json_t *req, const json_t *st)
{
    struct sess *s = sp;
    (void)req;
    const char *ch = json_string_value(json_object_get(st, "channel"));
    int vcpu = ch ? !strcmp(ch, "vcpu") : s->vcpu_default;
    json_t *in = json_object_get(st, "input"), *snd = json_object_get(st, "send");
    json_t *jf = json_object_get(st, "fds");
    s->nfds = json_is_integer(jf) ? (unsigned)json_integer_value(jf) : 0;
    uint8_t *buf, *out;
    size_t len, used, w = 0;
    vw_status rc;
    unsigned fds_out = 0, dropped = 0;
    enum vw_crosvm_end end = VW_CROSVM_END_NONE;
    int32_t err = 0;
    const struct vwt_engine *e = vcpu ? &s->vcpu_e : &s->main_e;
    if (vwt_json_hex(in ? in : snd, &buf, &len))
        return vwt_skipped("a session step needs \"input\" or \"send\" hex");
    if (vcpu && in && json_is_true(json_object_get(st, "framed"))) {
        /* bytes read from the final answer pipe: split into frames, feed each */
        struct framed f = { s, { 0 } };
        struct vwt_frame fr;
        rc = vwt_engine_feed_all(&s->split_e.e, buf, len, &fr, feed_frame, &f, &used);
        err = f.ev.err;
    } else if (vcpu) {
        struct vw_crosvm_vcpu_event ev;
        rc = in ? vwt_engine_feed(e, buf, len, &ev, &used) : vw_crosvm_vcpu_check_out(&s->vcpu, buf, len, &ev);
        err = ev.err;
    } else {
        struct vw_crosvm_main_event ev;
        rc = in ? vwt_engine_feed(e, buf, len, &ev, &used) : vw_crosvm_main_check_out(&s->main, buf, len, s->nfds, &ev);
        fds_out = ev.fds_out;
        dropped = ev.fds_dropped;
        end = ev.end;
        err = ev.err;
    }
    free(buf);
    vw_status ot = vwt_engine_take(e, &out, &w);
    if (ot != VW_OK)
        return vwt_skipped("%s output: %s", e->name, vw_status_name(ot));
    json_t *o = NULL;
    if (rc == VW_OK || w || dropped || end != VW_CROSVM_END_NONE) {
        o = json_object();
        json_object_set_new(o, "reply", vwt_hex_json(out, w));
        json_object_set_new(o, "fds", json_integer(fds_out));
        json_object_set_new(o, "errno", json_integer(err));
        if (dropped)
            json_object_set_new(o, "dropped", json_integer(dropped));
        if (end != VW_CROSVM_END_NONE)
            json_object_set_new(o, "end", json_string(end == VW_CROSVM_END_RUN ? "run" : "connection"));
    }
    free(out);
    return rc == VW_OK ? vwt_valid(o) : vwt_invalid_output(rc, o);
}

static const struct vwt_session crosvm_session = { sizeof(struct sess), sess_init, sess_step, sess_fini };

json_t *vwt_impl_crosvm(const char *operation, const char *message, const json_t *req)
{
    enum vw_crosvm_revision rev;
    enum vw_crosvm_kind kind;
    if (vw_crosvm_kind_parse(message, &rev, &kind) != VW_OK)
        return NULL;
    const ProtobufCMessageDescriptor *d = vw_crosvm_descriptor(rev, kind);
    if (!strcmp(operation, "decode"))
        return vwt_pb_decode_request(d, req);
    if (!strcmp(operation, "encode"))
        return vwt_pb_encode_request_with(d, req, vw_crosvm_encode); /* its generated encoders */
    if (!strcmp(operation, "validate"))
        return do_validate(rev, kind, req);
    if (!strcmp(operation, "session"))
        return vwt_session_run(&crosvm_session, operation, req);
    if (!strcmp(operation, "deframe") && rev == VW_CROSVM_FINAL && kind == VW_CROSVM_VCPU_RESPONSE)
        return vwt_crosvm_deframe(req); /* impl_crosvm_stream.c */
    return NULL;
}
