/* The built-in implementation behind the testee interface: routes a request
 * to its protocol's handler. vmwire-testee and vmwire-conformance (without
 * --testee) both call vwt_impl_handle(), so vendors and our own suite go
 * through exactly the same code. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/vwt.h"

json_t *vwt_valid(json_t *output)
{
    json_t *r = json_object();
    json_object_set_new(r, "result", json_string("valid"));
    json_object_set_new(r, "output", output ? output : json_null());
    return r;
}

json_t *vwt_valid_hex(const uint8_t *p, size_t len)
{
    return vwt_valid(vwt_hex_json(p, len));
}

json_t *vwt_invalid(vw_status s)
{
    json_t *r = json_object();
    json_object_set_new(r, "result", json_string("invalid"));
    json_object_set_new(r, "error", json_string(vw_status_name(s)));
    return r;
}

json_t *vwt_invalid_at(vw_status s, size_t offset)
{
    json_t *r = vwt_invalid(s);
    json_object_set_new(r, "offset", json_integer((json_int_t)offset));
    return r;
}

json_t *vwt_invalid_output(vw_status s, json_t *output)
{
    json_t *r = vwt_invalid(s);
    if (output)
        json_object_set_new(r, "output", output);
    return r;
}

json_t *vwt_skipped(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t bl = strlen(buf);
    if (bl >= 13 && !strcmp(buf + bl - 13, "out of memory"))
        vwt_nomem(); /* the case could not be answered, not a missing feature */
    json_t *r = json_object();
    json_object_set_new(r, "result", json_string("skipped"));
    json_object_set_new(r, "reason", json_string(buf));
    return r;
}

static const struct {
    const char *protocol;
    vwt_impl_fn fn;
} protocols[] = {
    { "ic", vwt_impl_ic },
    { "crosvm", vwt_impl_crosvm },
    { "serial", vwt_impl_serial },
    { "bridge", vwt_impl_bridge },
};

json_t *vwt_impl_handle(const json_t *req)
{
    const char *op = json_string_value(json_object_get(req, "operation"));
    const char *msg = json_string_value(json_object_get(req, "message"));
    if (!op || !msg)
        return vwt_skipped("request lacks \"operation\" or \"message\"");
    const char *dot = strchr(msg, '.');
    size_t plen = dot ? (size_t)(dot - msg) : strlen(msg);
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
        if (strlen(protocols[i].protocol) == plen && strncmp(protocols[i].protocol, msg, plen) == 0) {
            json_t *r = protocols[i].fn(op, msg, req);
            return r ? r : vwt_skipped("message kind %s with operation %s is not implemented", msg, op);
        }
    }
    return vwt_skipped("unknown protocol of message kind %s", msg);
}
