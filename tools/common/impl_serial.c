/* Built-in implementation of the serial message kinds behind the testee
 * interface (spec/serial.md, section 5): serial.GuestMessage and
 * serial.VmmConfig (decode, encode, validate), serial.stream (deframe) and
 * serial.guest (encode: the guest's builders and frame encoder). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/session.h"
#include "common/vwt.h"
#include "serial/guest.pb-c.h"
#include "vmwire/pb.h"
#include "vmwire/serial.h"

/* Every serial message decodes in far less: 600 bytes of input at most. */
#define ARENA_SIZE (64u * 1024u)

static int kind_of(const char *message, enum vw_serial_kind *kind)
{
    if (!strcmp(message, "serial.GuestMessage"))
        *kind = VW_SERIAL_GUEST_MESSAGE;
    else if (!strcmp(message, "serial.VmmConfig"))
        *kind = VW_SERIAL_VMM_CONFIG;
    else
        return -1;
    return 0;
}

/* A string parameter naming one of `names` (NULL-terminated): its index,
 * `dflt` when the parameter is absent, -1 when it is anything else. */
static int choice(const json_t *req, const char *key, const char *const *names, int dflt)
{
    const json_t *v = json_object_get(req, key);
    if (!v)
        return dflt;
    const char *p = json_string_value(v);
    for (int i = 0; p && names[i]; i++)
        if (!strcmp(p, names[i]))
            return i;
    return -1;
}

/* The `decoder` and `encoder` parameters (spec/serial.md section 5), in the
 * order of enum vw_serial_decoder. */
static const char *const codecs[] = { "protobuf", "micropb", NULL };

/* The `decoder` parameter: 0 on success. */
static int decoder_of(const json_t *req, enum vw_serial_decoder *dec)
{
    int i = choice(req, "decoder", codecs, VW_SERIAL_DECODER_PROTOBUF);
    *dec = i == VW_SERIAL_DECODER_MICROPB ? VW_SERIAL_DECODER_MICROPB : VW_SERIAL_DECODER_PROTOBUF;
    return i < 0 ? -1 : 0;
}

/* decode (validate == 0) or validate (validate == 1) */
static json_t *do_decode(enum vw_serial_kind kind, const json_t *req, int validate)
{
    uint8_t *buf;
    size_t len, off;
    enum vw_serial_decoder dec;
    if (decoder_of(req, &dec))
        return vwt_skipped("decoder must be \"protobuf\" or \"micropb\"");
    if (vwt_json_hex(json_object_get(req, "input"), &buf, &len))
        return vwt_skipped("input is not a hex string");
    void *mem = malloc(ARENA_SIZE);
    if (!mem) {
        free(buf);
        return vwt_skipped("out of memory");
    }
    struct vw_arena a;
    vwt_poison(mem, ARENA_SIZE);
    vw_arena_init(&a, mem, ARENA_SIZE);
    ProtobufCMessage *m;
    vw_status st = vw_serial_decode_with(kind, dec, buf, len, &a, &m, &off);
    bool decoded = st == VW_OK;
    if (st == VW_OK && validate)
        st = vw_serial_validate(m);
    json_t *r;
    if (st != VW_OK)
        r = decoded ? vwt_invalid(st) : vwt_invalid_at(st, off);
    else if (validate)
        r = vwt_valid(NULL);
    else
        r = vwt_valid(vwt_pb_to_json(m));
    free(mem);
    free(buf);
    return r;
}

/* ---- encoder "micropb" (spec/serial.md section 5): the message as the
 * micropb-generated structs of instar's guest and VMM hold it (the heapless
 * struct vw_serial_guest_message / vw_serial_vmm_config), encoded by the
 * guest codec. A string keeps its real length in `len` and only what fits in
 * `data`, a device list its real count with the first four devices: such a
 * message is over its capacities and the encoder refuses it (SER-CAP-6). */

static void fixed_str(const ProtobufCMessage *m, const char *s, uint16_t *len, char *data,
                      size_t cap)
{
    size_t n = s ? vw_pb_message_string_len(m, s) : 0;
    if (n)
        memcpy(data, s, n < cap ? n : cap);
    *len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
}

#define FIXED(pm, f, d) fixed_str(&(pm)->base, (pm)->f, &(d).len, (d).data, sizeof(d).data)

static void fixed_guest_message(const Vmwire__Serial__GuestMessage *g,
                                struct vw_serial_guest_message *m)
{
    memset(m, 0, sizeof *m);
    m->level = (int32_t)g->level;
    switch (g->payload_case) {
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INIT:
        m->which = VW_SERIAL_PAYLOAD_INIT;
        FIXED(g->init, stage, m->u.init.stage);
        FIXED(g->init, device, m->u.init.device);
        m->u.init.address = g->init->address;
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_CAPACITY:
        m->which = VW_SERIAL_PAYLOAD_CAPACITY;
        FIXED(g->capacity, device, m->u.capacity.device);
        m->u.capacity.sectors = g->capacity->sectors;
        m->u.capacity.bytes = g->capacity->bytes;
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_PROGRESS:
        m->which = VW_SERIAL_PAYLOAD_PROGRESS;
        FIXED(g->progress, operation, m->u.progress.operation);
        m->u.progress.current = g->progress->current;
        m->u.progress.total = g->progress->total;
        m->u.progress.percent = g->progress->percent;
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_ERROR:
        m->which = VW_SERIAL_PAYLOAD_ERROR;
        FIXED(g->error, operation, m->u.error.operation);
        FIXED(g->error, device, m->u.error.device);
        m->u.error.sector = g->error->sector;
        m->u.error.status = g->error->status;
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_COMPLETE:
        m->which = VW_SERIAL_PAYLOAD_COMPLETE;
        FIXED(g->complete, operation, m->u.complete.operation);
        m->u.complete.count = g->complete->count;
        m->u.complete.success = g->complete->success;
        break;
    case VMWIRE__SERIAL__GUEST_MESSAGE__PAYLOAD_INFO_RESULT: {
        const Vmwire__Serial__InfoResultMessage *r = g->info_result;
        struct vw_serial_info_result *o = &m->u.info_result;
        m->which = VW_SERIAL_PAYLOAD_INFO_RESULT;
        FIXED(r, format, o->format);
        o->version = r->version;
        o->virtual_size = r->virtual_size;
        o->actual_size = r->actual_size;
        o->cluster_size = r->cluster_size;
        o->flags = r->flags;
        FIXED(r, backing_file, o->backing_file);
        FIXED(r, external_data_file, o->external_data_file);
        break;
    }
    default:
        break; /* no payload */
    }
}

static void fixed_vmm_config(const Vmwire__Serial__VmmConfig *c, struct vw_serial_vmm_config *o)
{
    memset(o, 0, sizeof *o);
    o->n_devices = c->n_devices > UINT32_MAX ? UINT32_MAX : (uint32_t)c->n_devices;
    for (size_t i = 0; i < c->n_devices && i < VW_SERIAL_MAX_DEVICES; i++) {
        FIXED(c->devices[i], name, o->devices[i].name);
        o->devices[i].sector_size = c->devices[i]->sector_size;
    }
    o->progress_percent = c->progress_percent;
}

static vw_status encode_micropb(enum vw_serial_kind kind, const ProtobufCMessage *m, uint8_t *out,
                                size_t cap, size_t *w)
{
    if (kind == VW_SERIAL_GUEST_MESSAGE) {
        struct vw_serial_guest_message g;
        fixed_guest_message((const Vmwire__Serial__GuestMessage *)m, &g);
        return vw_serial_guest_message_encode(&g, out, cap, w);
    }
    struct vw_serial_vmm_config c;
    fixed_vmm_config((const Vmwire__Serial__VmmConfig *)m, &c);
    return vw_serial_vmm_config_encode(&c, out, cap, w);
}

static json_t *do_encode(enum vw_serial_kind kind, const json_t *req)
{
    char err[256];
    int enc = choice(req, "encoder", codecs, VW_SERIAL_DECODER_PROTOBUF);
    if (enc < 0)
        return vwt_skipped("encoder must be \"protobuf\" or \"micropb\"");
    bool micropb = enc == VW_SERIAL_DECODER_MICROPB;
    void *mem = malloc(ARENA_SIZE);
    if (!mem)
        return vwt_skipped("out of memory");
    struct vw_arena a;
    vwt_poison(mem, ARENA_SIZE);
    vw_arena_init(&a, mem, ARENA_SIZE);
    ProtobufCMessage *m;
    const ProtobufCMessageDescriptor *d = vw_serial_descriptor(kind);
    if (vwt_pb_from_json(d, json_object_get(req, "input"), &a, &m, err, sizeof err)) {
        free(mem);
        return vwt_skipped("input is not a %s: %s", d->name, err);
    }
    uint8_t out[VW_SERIAL_MAX_MESSAGE];
    size_t w;
    vw_status st = micropb ? encode_micropb(kind, m, out, sizeof out, &w)
                           : vw_serial_encode(m, out, sizeof out, &w);
    json_t *r = st == VW_OK ? vwt_valid_hex(out, w) : vwt_invalid(st);
    free(mem);
    return r;
}

static json_t *do_deframe(const json_t *req)
{
    static const char *const policies[] = { "resync", "drop", "reference", NULL }; /* enum vw_serial_policy */
    static const char *const empties[] = { "accept", "reject", NULL };
    static const char *const checks[] = { "none", "GuestMessage", "VmmConfig", NULL };
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    const json_t *v;
    int policy = choice(req, "policy", policies, VW_SERIAL_POLICY_RESYNC);
    if (policy < 0)
        return vwt_skipped("deframe: unknown policy");
    cfg.policy = (enum vw_serial_policy)policy;
    if ((v = json_object_get(req, "limit"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > (json_int_t)VW_SERIAL_MAX_LIMIT)
            return vwt_skipped("deframe: limit must be an integer from 1 to 65535");
        cfg.limit = (size_t)json_integer_value(v);
    }
    int empty = choice(req, "empty", empties, 0);
    if (empty < 0)
        return vwt_skipped("deframe: empty must be \"accept\" or \"reject\"");
    cfg.reject_empty = empty == 1;
    enum vw_serial_decoder dec;
    if (decoder_of(req, &dec))
        return vwt_skipped("deframe: decoder must be \"protobuf\" or \"micropb\"");
    bool micropb = dec == VW_SERIAL_DECODER_MICROPB;
    switch (choice(req, "check", checks, 0)) {
    case 0:
        break;
    case 1:
        cfg.check = micropb ? vw_serial_check_guest_message_micropb : vw_serial_check_guest_message;
        break;
    case 2:
        cfg.check = micropb ? vw_serial_check_vmm_config_micropb : vw_serial_check_vmm_config;
        break;
    default:
        return vwt_skipped("deframe: unknown check");
    }
    const json_t *chunks = json_object_get(req, "input");
    if (!json_is_array(chunks))
        return vwt_skipped("deframe: input is not a list of hex chunks");

    /* storage for frames that arrive in pieces, whatever the limit; the
     * reference policy buffers up to a whole 65537-byte frame (twice that keeps
     * its compaction linear) */
    size_t limit = cfg.limit ? cfg.limit : VW_SERIAL_MAX_MESSAGE;
    size_t store_len = cfg.policy == VW_SERIAL_POLICY_REFERENCE ? 2 * VW_SERIAL_REFERENCE_BUF_MIN
                                                                : VW_SERIAL_HEADER_SIZE + limit;
    uint8_t *store = malloc(store_len);
    struct vw_serial_deframer *d = malloc(sizeof *d);
    if (!store || !d) {
        free(store);
        free(d);
        return vwt_skipped("out of memory");
    }
    vwt_poison(store, store_len);
    vwt_poison(d, sizeof *d);
    cfg.buf = store;
    cfg.buf_cap = store_len;
    if (vw_serial_deframer_init(d, &cfg) != VW_OK) {
        free(store);
        free(d);
        return vwt_skipped("deframe: bad configuration");
    }
    struct vwt_splitter sp = vwt_serial_deframer_engine(d);
    json_t *r = vwt_deframe_run(&sp, chunks);
    free(store);
    free(d);
    return r;
}

/* ---- serial.guest: builders and the frame encoder (SER-GUEST-1..3, SER-FRAME-10) ---- */

/* A string argument (absent or null: NULL, which the builders take as empty). */
static int arg_str(const json_t *in, const char *key, const char **out)
{
    const json_t *v = json_object_get(in, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return -1; /* the builders take C strings: no embedded NUL */
    *out = json_string_value(v);
    return 0;
}

/* An unsigned argument: a JSON number or a decimal string, at most @p max. */
static int arg_uint(const json_t *in, const char *key, uint64_t max, uint64_t *out)
{
    const json_t *v = json_object_get(in, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return -1;
        *out = (uint64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *p = json_string_value(v);
        char *end;
        if (!*p || strspn(p, "0123456789") != strlen(p))
            return -1;
        errno = 0;
        unsigned long long x = strtoull(p, &end, 10);
        if (errno)
            return -1;
        *out = x;
    } else {
        return -1;
    }
    return *out <= max ? 0 : -1;
}

static vw_status build(const json_t *in, struct vw_serial_guest_message *m, int *bad)
{
    const char *b = json_string_value(json_object_get(in, "builder"));
    const char *s1, *s2;
    uint64_t u1, u2, u3;
    *bad = 1;
    if (!b)
        return VW_E_INVALID_ARG;
    if (!strcmp(b, "init")) {
        if (arg_str(in, "stage", &s1) || arg_str(in, "device", &s2) ||
            arg_uint(in, "address", UINT64_MAX, &u1))
            return VW_E_INVALID_ARG;
        *bad = 0;
        return vw_serial_build_init(m, s1, s2, u1);
    }
    if (!strcmp(b, "capacity")) {
        if (arg_str(in, "device", &s1) || arg_uint(in, "sectors", UINT64_MAX, &u1) ||
            arg_uint(in, "bytes", UINT64_MAX, &u2))
            return VW_E_INVALID_ARG;
        *bad = 0;
        return vw_serial_build_capacity(m, s1, u1, u2);
    }
    if (!strcmp(b, "progress")) {
        if (arg_str(in, "operation", &s1) || arg_uint(in, "current", UINT64_MAX, &u1) ||
            arg_uint(in, "total", UINT64_MAX, &u2) || arg_uint(in, "percent", UINT32_MAX, &u3))
            return VW_E_INVALID_ARG;
        *bad = 0;
        return vw_serial_build_progress(m, s1, u1, u2, (uint32_t)u3);
    }
    if (!strcmp(b, "error")) {
        if (arg_str(in, "operation", &s1) || arg_str(in, "device", &s2) ||
            arg_uint(in, "sector", UINT64_MAX, &u1) || arg_uint(in, "status", UINT32_MAX, &u2))
            return VW_E_INVALID_ARG;
        *bad = 0;
        return vw_serial_build_error(m, s1, s2, u1, (uint32_t)u2);
    }
    if (!strcmp(b, "complete")) {
        const json_t *ok = json_object_get(in, "success");
        if (arg_str(in, "operation", &s1) || arg_uint(in, "count", UINT64_MAX, &u1) ||
            (ok && !json_is_boolean(ok) && !json_is_null(ok)))
            return VW_E_INVALID_ARG;
        *bad = 0;
        return vw_serial_build_complete(m, s1, u1, ok && json_is_true(ok));
    }
    if (!strcmp(b, "infoResult")) {
        struct vw_serial_info_args a;
        memset(&a, 0, sizeof a);
        if (arg_str(in, "format", &a.format) || arg_uint(in, "version", UINT32_MAX, &u1) ||
            arg_uint(in, "virtualSize", UINT64_MAX, &a.virtual_size) ||
            arg_uint(in, "actualSize", UINT64_MAX, &a.actual_size) ||
            arg_uint(in, "clusterSize", UINT32_MAX, &u2) ||
            arg_uint(in, "flags", UINT32_MAX, &u3) ||
            arg_str(in, "backingFile", &a.backing_file) ||
            arg_str(in, "externalDataFile", &a.external_data_file))
            return VW_E_INVALID_ARG;
        a.version = (uint32_t)u1;
        a.cluster_size = (uint32_t)u2;
        a.flags = (uint32_t)u3;
        *bad = 0;
        return vw_serial_build_info_result(m, &a);
    }
    return VW_E_INVALID_ARG;
}

/* The frame into a buffer of `buffer` bytes. The bytes the encoder wrote are
 * found by running it on two buffers filled differently: a byte it wrote
 * has the same value in both. On failure they are the answer's `output`. */
static json_t *do_build(const json_t *req)
{
    const json_t *in = json_object_get(req, "input");
    if (!json_is_object(in))
        return vwt_skipped("serial.guest: input is not an object");
    uint64_t cap = VW_SERIAL_MAX_FRAME;
    const json_t *bv = json_object_get(req, "buffer");
    if (bv && (!json_is_integer(bv) || json_integer_value(bv) < 0 ||
               json_integer_value(bv) > 4096))
        return vwt_skipped("serial.guest: buffer must be an integer from 0 to 4096");
    if (bv)
        cap = (uint64_t)json_integer_value(bv);
    struct vw_serial_guest_message m;
    int bad;
    vw_status st = build(in, &m, &bad);
    if (bad)
        return vwt_skipped("serial.guest: unknown builder or bad argument");
    if (st != VW_OK)
        return vwt_invalid(st);
    uint8_t a[4096], b[4096];
    size_t na, nb;
    memset(a, 0x00, sizeof a);
    memset(b, 0xff, sizeof b);
    st = vw_serial_guest_message_encode_framed(&m, a, (size_t)cap, &na);
    vw_status st2 = vw_serial_guest_message_encode_framed(&m, b, (size_t)cap, &nb);
    if (st != st2)
        return vwt_skipped("serial.guest: the encoder is not deterministic");
    if (st == VW_OK)
        return vwt_valid_hex(a, na);
    size_t w = 0;
    for (size_t i = 0; i < cap; i++)
        if (a[i] == b[i])
            w = i + 1;
    return vwt_invalid_output(st, vwt_hex_json(a, w));
}

json_t *vwt_impl_serial(const char *operation, const char *message, const json_t *req)
{
    if (!strcmp(message, "serial.stream"))
        return !strcmp(operation, "deframe") ? do_deframe(req) : NULL;
    if (!strcmp(message, "serial.guest"))
        return !strcmp(operation, "encode") ? do_build(req) : NULL;
    enum vw_serial_kind kind;
    if (kind_of(message, &kind))
        return NULL;
    if (!strcmp(operation, "decode"))
        return do_decode(kind, req, 0);
    if (!strcmp(operation, "validate"))
        return do_decode(kind, req, 1);
    if (!strcmp(operation, "encode"))
        return do_encode(kind, req);
    return NULL;
}
