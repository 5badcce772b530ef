/* protobuf's canonical proto3 JSON mapping over protoc-c descriptors (tools only). */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pbjson.h"
#include "common/vwt.h"
#include "vmwire/pb.h"

/* ---- names ------------------------------------------------------------------ */

/* protobuf's ToJsonName: drop each '_' and upper-case the letter after it. */
static void json_name(const char *name, char *out, size_t cap)
{
    size_t o = 0;
    int up = 0;
    for (; *name && o + 1 < cap; name++) {
        char c = *name;
        if (c == '_') {
            up = 1;
        } else if (up) {
            out[o++] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
            up = 0;
        } else {
            out[o++] = c;
        }
    }
    out[o] = 0;
}

/* ---- field access ------------------------------------------------------------- */

static size_t esize(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    default:
        return 4;
    }
}

static int is_zero(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, const void *v)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        const void *p;
        memcpy(&p, v, sizeof p);
        return p == NULL;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, v, sizeof s);
        return vw_pb_message_string_len(m, s) == 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, v, sizeof b);
        return b.len == 0;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, v, sizeof b);
        return b == 0;
    }
    default: {
        /* bit pattern zero (so -0.0 counts as set, as Google's serializer does) */
        static const unsigned char zero[8];
        return memcmp(v, zero, esize(f->type)) == 0;
    }
    }
}

/* Is a singular field shown? */
static int shown(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    const char *member = (const char *)m + f->offset;
    const char *q = (const char *)m + f->quantifier_offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t c;
        memcpy(&c, q, 4);
        return c == f->id;
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
        f->type != PROTOBUF_C_TYPE_STRING) {
        protobuf_c_boolean h;
        memcpy(&h, q, sizeof h);
        return h != 0;
    }
    return !is_zero(m, f, member);
}

/* ---- to JSON -------------------------------------------------------------------- */

static json_t *base64_json(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t olen = 4 * ((n + 2) / 3);
    char *s = malloc(olen + 1);
    if (!s) {
        vwt_nomem();
        return NULL;
    }
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        s[o++] = tab[v >> 18];
        s[o++] = tab[(v >> 12) & 63];
        s[o++] = tab[(v >> 6) & 63];
        s[o++] = tab[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        s[o++] = tab[v >> 18];
        s[o++] = tab[(v >> 12) & 63];
        s[o++] = '=';
        s[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        s[o++] = tab[v >> 18];
        s[o++] = tab[(v >> 12) & 63];
        s[o++] = tab[(v >> 6) & 63];
        s[o++] = '=';
    }
    s[o] = 0;
    json_t *j = json_stringn(s, o);
    free(s);
    return j;
}

static json_t *special_float(double d)
{
    if (isnan(d))
        return json_string("NaN");
    if (isinf(d))
        return json_string(d > 0 ? "Infinity" : "-Infinity");
    return NULL;
}

static json_t *value_json(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
                          const void *v)
{
    char buf[64];
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        memcpy(&i32, v, 4);
        return json_integer(i32);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        memcpy(&u32, v, 4);
        return json_integer((json_int_t)u32);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        memcpy(&i64, v, 8);
        snprintf(buf, sizeof buf, "%" PRId64, i64);
        return json_string(buf);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        memcpy(&u64, v, 8);
        snprintf(buf, sizeof buf, "%" PRIu64, u64);
        return json_string(buf);
    case PROTOBUF_C_TYPE_FLOAT: {
        float fl;
        memcpy(&fl, v, 4);
        json_t *s = special_float(fl);
        if (s)
            return s;
        /* Fewest digits from 6 up that read back as the same float (what
         * Google's Python json_format prints). */
        for (int prec = 6; prec <= 9; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, (double)fl);
            if (strtof(buf, NULL) == fl)
                break;
        }
        return json_real(strtod(buf, NULL));
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        double d;
        memcpy(&d, v, 8);
        json_t *s = special_float(d);
        return s ? s : json_real(d);
    }
    case PROTOBUF_C_TYPE_BOOL: {
        protobuf_c_boolean b;
        memcpy(&b, v, sizeof b);
        return json_boolean(b);
    }
    case PROTOBUF_C_TYPE_ENUM: {
        memcpy(&i32, v, 4);
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, i32);
        return ev ? json_string(ev->name) : json_integer(i32);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s;
        memcpy(&s, v, sizeof s);
        return s ? json_stringn(s, vw_pb_message_string_len(m, s)) : json_string("");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        memcpy(&b, v, sizeof b);
        return base64_json(b.data, b.len);
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub;
        memcpy(&sub, v, sizeof sub);
        return sub ? vwt_pb_to_json(sub) : json_object();
    }
    }
    return NULL;
}

json_t *vwt_pb_to_json(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_t *obj = json_object();
    char name[256];
    if (!obj)
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *member = (const char *)m + f->offset;
        json_t *v;
        json_name(f->name, name, sizeof name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n;
            const char *arr;
            memcpy(&n, (const char *)m + f->quantifier_offset, sizeof n);
            memcpy(&arr, member, sizeof arr);
            if (n == 0)
                continue;
            v = json_array();
            for (size_t k = 0; k < n && v; k++)
                if (json_array_append_new(v, value_json(m, f, arr + k * esize(f->type))) < 0) {
                    json_decref(v);
                    v = NULL;
                }
        } else if (shown(m, f)) {
            v = value_json(m, f, member);
        } else {
            continue;
        }
        if (!v || json_object_set_new(obj, name, v) < 0) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* ---- from JSON ---------------------------------------------------------------- */

struct fj {
    struct vw_arena *arena;
    char *err;
    size_t errlen;
    int nomem;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fj_fail(struct fj *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (c->err && c->errlen)
        vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void *fj_alloc(struct fj *c, size_t n)
{
    void *p = vw_arena_alloc(c->arena, n);
    if (!p)
        c->nomem = 1;
    return p;
}

/* A JSON number or numeric string as an integer in [lo, hi] (signed) or [0, uhi]. */
static int get_int(struct fj *c, const json_t *j, const char *fname, int is_signed, int64_t lo,
                   int64_t hi, uint64_t uhi, uint64_t *out)
{
    if (json_is_integer(j)) {
        json_int_t x = json_integer_value(j);
        if (is_signed ? (x < lo || x > hi) : (x < 0 || (uint64_t)x > uhi))
            return fj_fail(c, "%s: integer out of range", fname);
        *out = (uint64_t)x;
        return 0;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (d != floor(d))
            return fj_fail(c, "%s: not an integer", fname);
        /* (double)INT64_MAX and (double)UINT64_MAX round up to 2^63 and 2^64, so
         * compare against those powers of two exclusively before converting (a
         * conversion of an out-of-range double is undefined), then against the
         * field's own bounds in the integer domain. */
        if (is_signed) {
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return fj_fail(c, "%s: integer out of range", fname);
            int64_t x = (int64_t)d;
            if (x < lo || x > hi)
                return fj_fail(c, "%s: integer out of range", fname);
            *out = (uint64_t)x;
        } else {
            if (!(d >= 0 && d < 18446744073709551616.0))
                return fj_fail(c, "%s: integer out of range", fname);
            uint64_t x = (uint64_t)d;
            if (x > uhi)
                return fj_fail(c, "%s: integer out of range", fname);
            *out = x;
        }
        return 0;
    }
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        char *end;
        if (!*s || strspn(s, "-0123456789") != strlen(s))
            return fj_fail(c, "%s: not an integer string", fname);
        errno = 0;
        if (is_signed) {
            long long x = strtoll(s, &end, 10);
            if (errno || *end || x < lo || x > hi)
                return fj_fail(c, "%s: integer out of range", fname);
            *out = (uint64_t)x;
        } else {
            if (*s == '-')
                return fj_fail(c, "%s: negative value for an unsigned field", fname);
            unsigned long long x = strtoull(s, &end, 10);
            if (errno || *end || x > uhi)
                return fj_fail(c, "%s: integer out of range", fname);
            *out = (uint64_t)x;
        }
        return 0;
    }
    return fj_fail(c, "%s: expected an integer", fname);
}

static int b64val(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

static int get_bytes(struct fj *c, const json_t *j, const char *fname, ProtobufCBinaryData *out)
{
    if (!json_is_string(j))
        return fj_fail(c, "%s: expected a base64 string", fname);
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    while (n && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return fj_fail(c, "%s: bad base64 length", fname);
    uint8_t *buf = fj_alloc(c, n * 3 / 4 + 1);
    if (!buf)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return fj_fail(c, "%s: bad base64 character", fname);
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    out->data = buf;
    out->len = o;
    return 0;
}

static int from_obj(struct fj *c, const ProtobufCMessageDescriptor *desc, const json_t *json,
                    ProtobufCMessage **msg, unsigned depth);

/* Parse one value of field @p f from @p j into @p dst. */
static int get_value(struct fj *c, const ProtobufCFieldDescriptor *f, const json_t *j, void *dst,
                     unsigned depth)
{
    const char *fn = f->name;
    uint64_t u;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: {
        if (get_int(c, j, fn, 1, INT32_MIN, INT32_MAX, 0, &u))
            return -1;
        int32_t x = (int32_t)(int64_t)u;
        memcpy(dst, &x, 4);
        return 0;
    }
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: {
        if (get_int(c, j, fn, 0, 0, 0, UINT32_MAX, &u))
            return -1;
        uint32_t x = (uint32_t)u;
        memcpy(dst, &x, 4);
        return 0;
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (get_int(c, j, fn, 1, INT64_MIN, INT64_MAX, 0, &u))
            return -1;
        memcpy(dst, &u, 8);
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (get_int(c, j, fn, 0, 0, 0, UINT64_MAX, &u))
            return -1;
        memcpy(dst, &u, 8);
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
        double d;
        if (json_is_number(j)) {
            d = json_number_value(j);
        } else if (json_is_string(j)) {
            const char *s = json_string_value(j);
            char *end;
            if (!strcmp(s, "NaN"))
                d = NAN;
            else if (!strcmp(s, "Infinity"))
                d = INFINITY;
            else if (!strcmp(s, "-Infinity"))
                d = -INFINITY;
            else {
                d = strtod(s, &end);
                if (!*s || *end || isnan(d) || isinf(d))
                    return fj_fail(c, "%s: not a number", fn);
            }
        } else {
            return fj_fail(c, "%s: expected a number", fn);
        }
        if (f->type == PROTOBUF_C_TYPE_FLOAT) {
            /* A finite value is in range when it rounds to a finite float:
             * the shortest text of FLT_MAX, 3.4028235e38 (what
             * vwt_pb_to_json() prints), is a little above it, and Google's
             * parsers accept it (protobuf pull request 4047). The bound is
             * halfway between FLT_MAX and 2^128, itself rounding up. */
            if (isfinite(d) && !(fabs(d) < 0x1.ffffffp+127))
                return fj_fail(c, "%s: float out of range", fn);
            float fl;
            if (isfinite(d) && d > FLT_MAX)
                fl = FLT_MAX;
            else if (isfinite(d) && d < -FLT_MAX)
                fl = -FLT_MAX;
            else
                fl = (float)d;
            memcpy(dst, &fl, 4);
        } else {
            memcpy(dst, &d, 8);
        }
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL: {
        if (!json_is_boolean(j))
            return fj_fail(c, "%s: expected true or false", fn);
        protobuf_c_boolean b = json_is_true(j);
        memcpy(dst, &b, sizeof b);
        return 0;
    }
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t x;
        if (json_is_string(j)) {
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_string_value(j));
            if (!ev)
                return fj_fail(c, "%s: unknown enum name \"%s\"", fn, json_string_value(j));
            x = ev->value;
        } else {
            if (get_int(c, j, fn, 1, INT32_MIN, INT32_MAX, 0, &u))
                return -1;
            x = (int32_t)(int64_t)u;
        }
        memcpy(dst, &x, 4);
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(j))
            return fj_fail(c, "%s: expected a string", fn);
        char *s = vw_pb_string_new(c->arena, (const uint8_t *)json_string_value(j),
                                    json_string_length(j));
        if (!s) {
            c->nomem = 1;
            return -1;
        }
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData b;
        if (get_bytes(c, j, fn, &b))
            return -1;
        memcpy(dst, &b, sizeof b);
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        ProtobufCMessage *sub;
        if (from_obj(c, f->descriptor, j, &sub, depth + 1))
            return -1;
        memcpy(dst, &sub, sizeof sub);
        return 0;
    }
    }
    return fj_fail(c, "%s: unsupported type", fn);
}

static const ProtobufCFieldDescriptor *field_by_json_key(const ProtobufCMessageDescriptor *d,
                                                         const char *key)
{
    char name[256];
    for (unsigned i = 0; i < d->n_fields; i++) {
        json_name(d->fields[i].name, name, sizeof name);
        if (!strcmp(name, key) || !strcmp(d->fields[i].name, key))
            return &d->fields[i];
    }
    return NULL;
}

static int from_obj(struct fj *c, const ProtobufCMessageDescriptor *desc, const json_t *json,
                    ProtobufCMessage **msg, unsigned depth)
{
    if (depth > VW_PB_MAX_DEPTH)
        return fj_fail(c, "%s: nested too deeply", desc->name);
    if (!json_is_object(json))
        return fj_fail(c, "%s: expected a JSON object", desc->name);
    ProtobufCMessage *m = fj_alloc(c, desc->sizeof_message);
    if (!m)
        return -1;
    desc->message_init(m);
    vw_pb_message_mark(m);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)json, key, val)
    {
        const ProtobufCFieldDescriptor *f = field_by_json_key(desc, key);
        if (!f)
            return fj_fail(c, "%s: no field \"%s\"", desc->name, key);
        char *member = (char *)m + f->offset;
        char *q = (char *)m + f->quantifier_offset;
        if (json_is_null(val))
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!json_is_array(val))
                return fj_fail(c, "%s: expected an array", f->name);
            size_t n = json_array_size(val), es = esize(f->type);
            char *arr = n ? fj_alloc(c, n * es) : NULL;
            if (n && !arr)
                return -1;
            for (size_t k = 0; k < n; k++) {
                json_t *e = json_array_get(val, k);
                if (json_is_null(e))
                    return fj_fail(c, "%s: null in an array", f->name);
                if (get_value(c, f, e, arr + k * es, depth))
                    return -1;
            }
            memcpy(q, &n, sizeof n);
            memcpy(member, &arr, sizeof arr);
            continue;
        }
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            uint32_t cur;
            memcpy(&cur, q, 4);
            if (cur != 0 && cur != f->id)
                return fj_fail(c, "%s: a oneof set twice", f->name);
            memcpy(q, &f->id, 4);
        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_MESSAGE &&
                   f->type != PROTOBUF_C_TYPE_STRING) {
            protobuf_c_boolean h = 1;
            memcpy(q, &h, sizeof h);
        }
        if (get_value(c, f, val, member, depth))
            return -1;
    }
    *msg = m;
    return 0;
}

int vwt_pb_from_json(const ProtobufCMessageDescriptor *desc, const json_t *json,
                     struct vw_arena *arena, ProtobufCMessage **msg, char *err, size_t errlen)
{
    struct fj c = { arena, err, errlen, 0 };
    *msg = NULL;
    if (err && errlen)
        err[0] = 0;
    if (from_obj(&c, desc, json, msg, 0)) {
        *msg = NULL;
        if (c.nomem)
            fj_fail(&c, "arena exhausted");
        return -1;
    }
    return 0;
}

/* ---- request handlers ------------------------------------------------------------ */

json_t *vwt_pb_decode_request(const ProtobufCMessageDescriptor *d, const json_t *req)
{
    uint8_t *buf;
    size_t len, off;
    if (vwt_json_hex(json_object_get(req, "input"), &buf, &len))
        return vwt_skipped("decode: input is not a hex string");
    size_t cap = 4096 + 8 * len;
    for (int attempt = 0; attempt < 2; attempt++) {
        void *mem = malloc(cap);
        if (!mem) {
            free(buf);
            return vwt_skipped("decode: out of memory");
        }
        struct vw_arena a;
        ProtobufCMessage *m;
        vwt_poison(mem, cap);
        vw_arena_init(&a, mem, cap);
        vw_status st = vw_pb_decode(d, buf, len, &a, &m, &off);
        if (st == VW_E_NOMEM && attempt == 0) {
            cap = vw_arena_needed(&a) + VW_ARENA_ALIGN;
            free(mem);
            continue;
        }
        json_t *r;
        if (st == VW_OK) {
            json_t *j = vwt_pb_to_json(m);
            r = j ? vwt_valid(j) : vwt_skipped("decode: out of memory");
        } else {
            r = vwt_invalid_at(st, off);
        }
        free(mem);
        free(buf);
        return r;
    }
    free(buf);
    return vwt_invalid(VW_E_NOMEM);
}

/* Arena bytes that certainly hold the message described by @p j. */
static size_t json_arena_bound(const json_t *j)
{
    size_t n = 512;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)j, k, v)
            n += 64 + json_arena_bound(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            n += 64 + json_arena_bound(v);
    } else if (json_is_string(j)) {
        n += json_string_length(j) + 32;
    }
    return n;
}

json_t *vwt_pb_encode_request(const ProtobufCMessageDescriptor *d, const json_t *req)
{
    return vwt_pb_encode_request_with(d, req, vw_pb_encode);
}

json_t *vwt_pb_encode_request_with(const ProtobufCMessageDescriptor *d, const json_t *req,
                                   vwt_pb_encoder enc)
{
    const json_t *in = json_object_get(req, "input");
    char err[256];
    size_t cap = json_arena_bound(in) * 4;
    for (int attempt = 0; attempt < 8; attempt++, cap *= 2) {
        void *mem = malloc(cap);
        if (!mem)
            return vwt_skipped("encode: out of memory");
        struct vw_arena a;
        ProtobufCMessage *m;
        vwt_poison(mem, cap);
        vw_arena_init(&a, mem, cap);
        if (vwt_pb_from_json(d, in, &a, &m, err, sizeof err)) {
            free(mem);
            if (vw_arena_needed(&a) > cap)
                continue; /* arena too small: retry with more */
            return vwt_skipped("encode: input is not a %s: %s", d->name, err);
        }
        size_t n = vw_pb_encoded_size(m), w;
        uint8_t *out = malloc(n + 1);
        if (!out) {
            free(mem);
            return vwt_skipped("encode: out of memory");
        }
        vw_status st = enc(m, out, n, &w);
        json_t *r = NULL;
        if (enc != vw_pb_encode) {
            /* the library promises vw_pb_encode()'s result from every
             * encoder; an answer that differs from it is no answer */
            uint8_t *ref = malloc(n + 1);
            size_t rw;
            if (!ref)
                r = vwt_skipped("encode: out of memory");
            else if (vw_pb_encode(m, ref, n, &rw) != st || rw != w || (st == VW_OK && memcmp(ref, out, w)))
                r = vwt_skipped("encode: the %s encoder and vw_pb_encode() disagree", d->name);
            free(ref);
        }
        if (!r)
            r = st == VW_OK ? vwt_valid_hex(out, w) : vwt_invalid(st);
        free(out);
        free(mem);
        return r;
    }
    return vwt_skipped("encode: message too large");
}

/* ---- descriptor lookup ------------------------------------------------------------ */

static const ProtobufCMessageDescriptor *find_in(const ProtobufCMessageDescriptor *d,
                                                 const char *name, unsigned depth)
{
    if (!strcmp(d->name, name))
        return d;
    if (depth > 32)
        return NULL;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->descriptor == d)
            continue;
        const ProtobufCMessageDescriptor *r = find_in(f->descriptor, name, depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

const ProtobufCMessageDescriptor *vwt_pb_find_descriptor(const ProtobufCMessageDescriptor *const *roots,
                                                         size_t n, const char *full_name)
{
    for (size_t i = 0; i < n; i++) {
        const ProtobufCMessageDescriptor *r = find_in(roots[i], full_name, 0);
        if (r)
            return r;
    }
    return NULL;
}
