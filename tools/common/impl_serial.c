/* Built-in implementation of the serial message kinds behind the testee
 * interface (spec/serial.md, section 5): serial.GuestMessage and
 * serial.VmmConfig (decode, encode, validate) and serial.stream (deframe). */
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/vwt.h"
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

/* decode (validate == 0) or validate (validate == 1) */
static json_t *do_decode(enum vw_serial_kind kind, const json_t *req, int validate)
{
    uint8_t *buf;
    size_t len, off;
    if (vwt_json_hex(json_object_get(req, "input"), &buf, &len))
        return vwt_skipped("input is not a hex string");
    void *mem = malloc(ARENA_SIZE);
    if (!mem) {
        free(buf);
        return vwt_skipped("out of memory");
    }
    struct vw_arena a;
    vw_arena_init(&a, mem, ARENA_SIZE);
    ProtobufCMessage *m;
    vw_status st = vw_serial_decode(kind, buf, len, &a, &m, &off);
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

static json_t *do_encode(enum vw_serial_kind kind, const json_t *req)
{
    char err[256];
    void *mem = malloc(ARENA_SIZE);
    if (!mem)
        return vwt_skipped("out of memory");
    struct vw_arena a;
    vw_arena_init(&a, mem, ARENA_SIZE);
    ProtobufCMessage *m;
    const ProtobufCMessageDescriptor *d = vw_serial_descriptor(kind);
    if (vwt_pb_from_json(d, json_object_get(req, "input"), &a, &m, err, sizeof err)) {
        free(mem);
        return vwt_skipped("input is not a %s: %s", d->name, err);
    }
    uint8_t out[VW_SERIAL_MAX_MESSAGE];
    size_t w;
    vw_status st = vw_serial_encode(m, out, sizeof out, &w);
    json_t *r = st == VW_OK ? vwt_valid_hex(out, w) : vwt_invalid(st);
    free(mem);
    return r;
}

static json_t *do_deframe(const json_t *req)
{
    struct vw_serial_deframer_config cfg;
    memset(&cfg, 0, sizeof cfg);
    const json_t *v;
    if ((v = json_object_get(req, "policy"))) {
        const char *p = json_string_value(v);
        if (p && !strcmp(p, "resync"))
            cfg.policy = VW_SERIAL_POLICY_RESYNC;
        else if (p && !strcmp(p, "drop"))
            cfg.policy = VW_SERIAL_POLICY_DROP;
        else
            return vwt_skipped("deframe: unknown policy");
    }
    if ((v = json_object_get(req, "limit"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > (json_int_t)VW_SERIAL_MAX_LIMIT)
            return vwt_skipped("deframe: limit must be an integer from 1 to 65535");
        cfg.limit = (size_t)json_integer_value(v);
    }
    if ((v = json_object_get(req, "empty"))) {
        const char *p = json_string_value(v);
        if (p && !strcmp(p, "reject"))
            cfg.reject_empty = true;
        else if (!p || strcmp(p, "accept"))
            return vwt_skipped("deframe: empty must be \"accept\" or \"reject\"");
    }
    if ((v = json_object_get(req, "check"))) {
        const char *p = json_string_value(v);
        if (p && !strcmp(p, "GuestMessage"))
            cfg.check = vw_serial_check_guest_message;
        else if (p && !strcmp(p, "VmmConfig"))
            cfg.check = vw_serial_check_vmm_config;
        else if (!p || strcmp(p, "none"))
            return vwt_skipped("deframe: unknown check");
    }
    const json_t *chunks = json_object_get(req, "input");
    if (!json_is_array(chunks))
        return vwt_skipped("deframe: input is not a list of hex chunks");

    /* storage for frames that arrive in pieces, whatever the limit */
    size_t limit = cfg.limit ? cfg.limit : VW_SERIAL_MAX_MESSAGE;
    uint8_t *store = malloc(VW_SERIAL_HEADER_SIZE + limit);
    struct vw_serial_deframer *d = malloc(sizeof *d);
    if (!store || !d) {
        free(store);
        free(d);
        return vwt_skipped("out of memory");
    }
    cfg.buf = store;
    cfg.buf_cap = VW_SERIAL_HEADER_SIZE + limit;
    if (vw_serial_deframer_init(d, &cfg) != VW_OK) {
        free(store);
        free(d);
        return vwt_skipped("deframe: bad configuration");
    }
    json_t *events = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(chunks, i, c) {
        uint8_t *buf;
        size_t len;
        if (vwt_json_hex(c, &buf, &len)) {
            json_decref(events);
            free(store);
            free(d);
            return vwt_skipped("deframe: chunk %zu is not a hex string", i);
        }
        const uint8_t *p = buf;
        struct vw_serial_event ev;
        /* feed until the chunk is consumed (SER-FRAME-4) */
        while (len > 0) {
            size_t used;
            (void)vw_serial_deframer_feed(d, p, len, &ev, &used);
            p += used;
            len -= used;
            if (ev.type == VW_SERIAL_EV_FRAME) {
                json_t *e = json_object();
                json_object_set_new(e, "frame", vwt_hex_json(ev.payload, ev.len));
                json_array_append_new(events, e);
            } else if (ev.type == VW_SERIAL_EV_ERROR) {
                json_t *e = json_object();
                json_object_set_new(e, "error", json_string(vw_status_name(ev.error)));
                json_object_set_new(e, "skipped", json_integer((json_int_t)ev.skipped));
                json_array_append_new(events, e);
            }
        }
        free(buf);
    }
    size_t pending = vw_serial_deframer_pending(d);
    if (pending) {
        json_t *e = json_object();
        json_object_set_new(e, "pending", json_integer((json_int_t)pending));
        json_array_append_new(events, e);
    }
    free(store);
    free(d);
    return vwt_valid(events);
}

json_t *vwt_impl_serial(const char *operation, const char *message, const json_t *req)
{
    if (!strcmp(message, "serial.stream"))
        return !strcmp(operation, "deframe") ? do_deframe(req) : NULL;
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
