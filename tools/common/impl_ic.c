/* Built-in implementation of the ic message kinds behind the testee
 * interface: JSON <-> the library's structs, and the guest and host engines.
 * Every decision about bytes is the library's; this file only translates
 * (spec/ic.md, "Conformance vectors"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/session.h"
#include "common/vwt.h"
#include "vmwire/ic.h"

/* ---- scratch memory for encode inputs (freed per request) ----------------- */

struct scratch {
    void *p[256];
    size_t n;
};

static void *sc_alloc(struct scratch *sc, size_t n)
{
    if (sc->n == sizeof sc->p / sizeof sc->p[0])
        return NULL;
    void *p = calloc(1, n ? n : 1);
    if (p)
        sc->p[sc->n++] = p;
    else
        vwt_nomem();
    return p;
}

static void sc_free(struct scratch *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        free(sc->p[i]);
    sc->n = 0;
}

/* ---- small JSON helpers --------------------------------------------------- */

static json_t *ver_json(struct vw_ic_version v)
{
    char b[16];
    snprintf(b, sizeof b, "%u.%u", v.major, v.minor);
    return json_string(b);
}

static int ver_parse(const json_t *j, struct vw_ic_version *v)
{
    const char *s = json_string_value(j);
    unsigned a, b;
    char tail;
    if (!s || sscanf(s, "%u.%u%c", &a, &b, &tail) != 2 || a > 0xFFFF || b > 0xFFFF)
        return -1;
    v->major = (uint16_t)a;
    v->minor = (uint16_t)b;
    return 0;
}

static json_t *u64_json(uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRIu64, v);
    return json_string(b);
}

static int u64_parse(const json_t *j, uint64_t *v)
{
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *v = (uint64_t)json_integer_value(j);
        return 0;
    }
    const char *s = json_string_value(j);
    if (!s || !*s)
        return -1;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

static json_t *status_json(uint32_t s)
{
    char b[16];
    snprintf(b, sizeof b, "0x%08" PRIx32, s);
    return json_string(b);
}

static int status_parse(const json_t *j, uint32_t *v)
{
    uint64_t x;
    if (json_is_integer(j) && json_integer_value(j) >= 0 && json_integer_value(j) <= 0xFFFFFFFF) {
        *v = (uint32_t)json_integer_value(j);
        return 0;
    }
    if (!json_is_string(j) || vwt_parse_u64_hex(json_string_value(j), &x) || x > 0xFFFFFFFFu)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* Integer member: required (def NULL) or defaulted. */
static int get_uint(const json_t *o, const char *k, uint64_t max, const uint64_t *def, uint64_t *out)
{
    const json_t *j = json_object_get(o, k);
    if (!j) {
        if (!def)
            return -1;
        *out = *def;
        return 0;
    }
    if (!json_is_integer(j) || json_integer_value(j) < 0 || (uint64_t)json_integer_value(j) > max)
        return -1;
    *out = (uint64_t)json_integer_value(j);
    return 0;
}

static const uint64_t ZERO = 0;

static bool nonzero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return true;
    return false;
}

/* Hex member into scratch; absent gives len 0. */
static int get_hex(struct scratch *sc, const json_t *o, const char *k, const uint8_t **p, size_t *len)
{
    const json_t *j = json_object_get(o, k);
    *p = NULL;
    *len = 0;
    if (!j)
        return 0;
    uint8_t *buf;
    if (vwt_json_hex(j, &buf, len))
        return -1;
    if (sc->n == sizeof sc->p / sizeof sc->p[0]) {
        free(buf);
        return -1;
    }
    sc->p[sc->n++] = buf;
    *p = buf;
    return 0;
}

/* UTF-16LE (no NUL) to a JSON string through the library's converter. */
static json_t *utf16_json(const uint8_t *p, size_t size)
{
    size_t need = 0;
    if (vw_ic_utf16_to_utf8(p, size, NULL, 0, &need) != VW_E_NOSPACE && need != 0)
        return NULL;
    char *s = malloc(need + 1);
    if (!s) {
        vwt_nomem();
        return NULL;
    }
    size_t w = 0;
    if (vw_ic_utf16_to_utf8(p, size, s, need, &w) != VW_OK) {
        free(s);
        return NULL;
    }
    json_t *j = json_stringn(s, w);
    free(s);
    return j;
}

/* A JSON string to UTF-16LE in scratch, with a NUL unit appended when nul. */
static vw_status utf16_from_json(struct scratch *sc, const json_t *j, bool nul, struct vw_ic_utf16 *out)
{
    if (!json_is_string(j))
        return VW_E_INVALID_ARG;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j), need = 0;
    vw_status st = vw_ic_utf8_to_utf16(s, n, NULL, 0, &need);
    if (st != VW_OK && st != VW_E_NOSPACE)
        return st;
    uint8_t *buf = sc_alloc(sc, need + 2);
    if (!buf)
        return VW_E_NOMEM;
    size_t w = 0;
    if (need && (st = vw_ic_utf8_to_utf16(s, n, buf, need, &w)) != VW_OK)
        return st;
    out->p = buf;
    out->size = need + (nul ? 2 : 0);
    return VW_OK;
}

static const char *const vss_forms[] = { "basic", "freeze", "freeze_ex", "cluster", "cluster_ex" };

static void guid_str(const uint8_t g[16], char out[37])
{
    snprintf(out, 37, "%08" PRIx32 "-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             (uint32_t)g[0] | (uint32_t)g[1] << 8 | (uint32_t)g[2] << 16 | (uint32_t)g[3] << 24,
             (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11], g[12], g[13],
             g[14], g[15]);
}

static int guid_parse(const json_t *j, uint8_t g[16])
{
    const char *s = json_string_value(j);
    unsigned a, b, c, d[8];
    if (!s || strlen(s) != 36 ||
        sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &b, &c, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5],
               &d[6], &d[7]) != 11)
        return -1;
    g[0] = (uint8_t)a, g[1] = (uint8_t)(a >> 8), g[2] = (uint8_t)(a >> 16), g[3] = (uint8_t)(a >> 24);
    g[4] = (uint8_t)b, g[5] = (uint8_t)(b >> 8), g[6] = (uint8_t)c, g[7] = (uint8_t)(c >> 8);
    for (int i = 0; i < 8; i++)
        g[8 + i] = (uint8_t)d[i];
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- field tables: one per IC struct --------------------------------------------
 *
 * Like tools/common/pbjson.c walks protobuf descriptors, the plain members
 * of the IC structs are mapped by tables: a member's JSON name is its C name,
 * its JSON form follows its kind, and the same table decodes (struct ->
 * JSON, in table order) and encodes (JSON -> struct). What depends on other
 * members (lengths, variants, lists) stays code next to the table. */

enum fkind {
    FK_UINT,   /* unsigned integer member of 1, 2 or 4 bytes: a JSON integer up to its maximum */
    FK_U64,    /* uint64_t: a decimal string (encode: also a JSON integer) */
    FK_VER,    /* struct vw_ic_version: "major.minor" */
    FK_STATUS, /* uint32_t HRESULT: "0x%08x" (encode: also a JSON integer) */
    FK_GUID,   /* uint8_t[16], Windows layout: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
    FK_BYTES,  /* uint8_t[n]: hex of exactly n bytes */
    FK_UTF16,  /* struct vw_ic_utf16 without a NUL unit: a string (encode: absent is empty) */
};

enum {
    FF_OMIT0 = 1u << 0, /* decode: left out when zero (all bytes zero) */
    FF_DEF = 1u << 1,   /* encode: absent gives the field's default (`def`) */
    FF_DEC = 1u << 2,   /* decode only (encode computes it) */
};

struct field {
    const char *name;
    enum fkind kind;
    size_t off, size;
    unsigned flags;
    uint64_t def;
};

#define FLD(S, m, kind, flags) { #m, kind, offsetof(S, m), sizeof(((S *)0)->m), flags, 0 }
#define FLD_DEF(S, m, kind, def) { #m, kind, offsetof(S, m), sizeof(((S *)0)->m), FF_DEF, def }
#define NF(t) (sizeof(t) / sizeof((t)[0]))

static uint64_t fld_uint(const struct field *f, const void *base)
{
    const uint8_t *p = (const uint8_t *)base + f->off;
    switch (f->size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void fld_set_uint(const struct field *f, void *base, uint64_t x)
{
    uint8_t *p = (uint8_t *)base + f->off;
    switch (f->size) {
    case 1: *p = (uint8_t)x; break;
    case 2: { uint16_t v = (uint16_t)x; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)x; memcpy(p, &v, 4); break; }
    default: memcpy(p, &x, 8); break;
    }
}

static json_t *utf16_json(const uint8_t *p, size_t size);
static vw_status utf16_from_json(struct scratch *sc, const json_t *j, bool nul, struct vw_ic_utf16 *out);
static bool nonzero(const uint8_t *p, size_t n);

/* Decode: the table's members of `base` into `o`, in table order. */
static void fields_json(json_t *o, const struct field *t, size_t n, const void *base)
{
    for (size_t i = 0; i < n; i++) {
        const struct field *f = &t[i];
        const uint8_t *p = (const uint8_t *)base + f->off;
        json_t *j;
        char g[37];
        switch (f->kind) {
        case FK_UINT:
        case FK_U64:
        case FK_STATUS: {
            uint64_t v = fld_uint(f, base);
            if ((f->flags & FF_OMIT0) && !v)
                continue;
            j = f->kind == FK_UINT ? json_integer((json_int_t)v) : f->kind == FK_U64 ? u64_json(v)
                                                                                   : status_json((uint32_t)v);
            break;
        }
        case FK_VER: {
            struct vw_ic_version v;
            memcpy(&v, p, sizeof v);
            j = ver_json(v);
            break;
        }
        case FK_GUID:
            guid_str(p, g);
            j = json_string(g);
            break;
        case FK_BYTES:
            if ((f->flags & FF_OMIT0) && !nonzero(p, f->size))
                continue;
            j = vwt_hex_json(p, f->size);
            break;
        default: {
            struct vw_ic_utf16 u;
            memcpy(&u, p, sizeof u);
            j = utf16_json(u.p, u.size);
            break;
        }
        }
        json_object_set_new(o, f->name, j);
    }
}

/* Encode: the table's members from `o` into `base`; a missing member is
 * INVALID_ARG unless it has a default (FF_DEF, FK_BYTES: zero, FK_UTF16:
 * empty); decode-only members are skipped. */
static vw_status fields_parse(struct scratch *sc, const json_t *o, const struct field *t, size_t n, void *base)
{
    for (size_t i = 0; i < n; i++) {
        const struct field *f = &t[i];
        uint8_t *p = (uint8_t *)base + f->off;
        if (f->flags & FF_DEC)
            continue;
        const json_t *j = json_object_get(o, f->name);
        if (!j && f->kind == FK_UTF16) {
            memset(p, 0, sizeof(struct vw_ic_utf16));
            continue;
        }
        if (!j && f->kind == FK_BYTES) {
            memset(p, 0, f->size);
            continue;
        }
        if (!j) {
            if (!(f->flags & FF_DEF))
                return VW_E_INVALID_ARG;
            fld_set_uint(f, base, f->def);
            continue;
        }
        switch (f->kind) {
        case FK_UINT: {
            uint64_t max = f->size == 1 ? 0xFF : f->size == 2 ? 0xFFFF : 0xFFFFFFFFu;
            if (!json_is_integer(j) || json_integer_value(j) < 0 || (uint64_t)json_integer_value(j) > max)
                return VW_E_INVALID_ARG;
            fld_set_uint(f, base, (uint64_t)json_integer_value(j));
            break;
        }
        case FK_U64: {
            uint64_t v;
            if (u64_parse(j, &v))
                return VW_E_INVALID_ARG;
            fld_set_uint(f, base, v);
            break;
        }
        case FK_STATUS: {
            uint32_t v;
            if (status_parse(j, &v))
                return VW_E_INVALID_ARG;
            fld_set_uint(f, base, v);
            break;
        }
        case FK_VER: {
            struct vw_ic_version v;
            if (ver_parse(j, &v))
                return VW_E_INVALID_ARG;
            memcpy(p, &v, sizeof v);
            break;
        }
        case FK_GUID:
            if (guid_parse(j, p))
                return VW_E_INVALID_ARG;
            break;
        case FK_BYTES: {
            uint8_t *h;
            size_t hl;
            if (vwt_json_hex(j, &h, &hl))
                return VW_E_INVALID_ARG;
            bool ok = hl == f->size;
            if (ok)
                memcpy(p, h, hl);
            free(h);
            if (!ok)
                return VW_E_INVALID_ARG;
            break;
        }
        default: {
            struct vw_ic_utf16 u;
            vw_status st = utf16_from_json(sc, j, false, &u);
            if (st != VW_OK)
                return st;
            memcpy(p, &u, sizeof u);
            break;
        }
        }
    }
    return VW_OK;
}

/* The tables. */
static const struct field header_fields[] = {
    FLD(struct vw_ic_header, framework_version, FK_VER, 0),
    FLD(struct vw_ic_header, message_type, FK_UINT, 0),
    FLD(struct vw_ic_header, message_version, FK_VER, 0),
    FLD(struct vw_ic_header, message_size, FK_UINT, FF_DEC), /* encode: given or computed */
    FLD(struct vw_ic_header, status, FK_STATUS, FF_DEF),
    FLD(struct vw_ic_header, transaction_id, FK_UINT, FF_DEF),
    FLD(struct vw_ic_header, flags, FK_UINT, 0),
    FLD(struct vw_ic_header, reserved, FK_UINT, FF_OMIT0 | FF_DEF),
};

static const struct field pipe_fields[] = {
    FLD_DEF(struct vw_ic_pipe_header, type, FK_UINT, VW_IC_PIPE_DATA),
    FLD(struct vw_ic_pipe_header, size, FK_UINT, FF_DEC), /* encode: given or computed */
};

static const struct field heartbeat_fields[] = {
    FLD(struct vw_ic_heartbeat, size, FK_UINT, 0),
    FLD(struct vw_ic_heartbeat, sequence_number, FK_U64, 0),
    FLD(struct vw_ic_heartbeat, application_state, FK_UINT, FF_DEF),
};

static const struct field shutdown_fields[] = {
    FLD(struct vw_ic_shutdown, reason_code, FK_UINT, 0),
    FLD(struct vw_ic_shutdown, timeout_secs, FK_UINT, 0),
    FLD(struct vw_ic_shutdown, flags, FK_UINT, 0),
};

/* Time sync: the members both layouts share (encode reads them first), then
 * each layout in its JSON order. */
static const struct field timesync_common_fields[] = {
    FLD(struct vw_ic_timesync, size, FK_UINT, 0),
    FLD(struct vw_ic_timesync, parent_time, FK_U64, 0),
    FLD(struct vw_ic_timesync, flags, FK_UINT, 0),
};
static const struct field timesync_v4_fields[] = {
    FLD(struct vw_ic_timesync, size, FK_UINT, FF_DEC),
    FLD(struct vw_ic_timesync, parent_time, FK_U64, FF_DEC),
    FLD(struct vw_ic_timesync, vm_reference_time, FK_U64, 0),
    FLD(struct vw_ic_timesync, flags, FK_UINT, FF_DEC),
    FLD(struct vw_ic_timesync, leap_indicator, FK_UINT, FF_DEF),
    FLD(struct vw_ic_timesync, stratum, FK_UINT, FF_DEF),
};
static const struct field timesync_v3_fields[] = {
    FLD(struct vw_ic_timesync, size, FK_UINT, FF_DEC),
    FLD(struct vw_ic_timesync, parent_time, FK_U64, FF_DEC),
    FLD(struct vw_ic_timesync, child_time, FK_U64, 0),
    FLD(struct vw_ic_timesync, round_trip_time, FK_U64, 0),
    FLD(struct vw_ic_timesync, flags, FK_UINT, FF_DEC),
};

static const struct field lun_fields[] = {
    FLD(struct vw_ic_vss_lun, bus_type, FK_UINT, 0),
    FLD(struct vw_ic_vss_lun, controller, FK_GUID, 0),
    FLD(struct vw_ic_vss_lun, port, FK_UINT, 0),
    FLD(struct vw_ic_vss_lun, target, FK_UINT, 0),
    FLD(struct vw_ic_vss_lun, lun, FK_UINT, 0),
    FLD(struct vw_ic_vss_lun, reserved, FK_BYTES, FF_OMIT0),
    FLD(struct vw_ic_vss_lun, reserved2, FK_UINT, FF_OMIT0 | FF_DEF),
};

static const struct field kvp_fields[] = {
    FLD(struct vw_ic_kvp, operation, FK_UINT, 0),
    FLD(struct vw_ic_kvp, pool, FK_UINT, 0),
    FLD(struct vw_ic_kvp, pad, FK_UINT, FF_OMIT0 | FF_DEF),
};

static const struct field kvp_ip_string_fields[] = {
    FLD(struct vw_ic_kvp_ip_string, adapter_id, FK_UTF16, 0),
    FLD(struct vw_ic_kvp_ip_string, address_family, FK_UINT, FF_DEF),
    FLD(struct vw_ic_kvp_ip_string, dhcp_enabled, FK_UINT, FF_DEF),
    FLD(struct vw_ic_kvp_ip_string, ip_address, FK_UTF16, 0),
    FLD(struct vw_ic_kvp_ip_string, subnet, FK_UTF16, 0),
    FLD(struct vw_ic_kvp_ip_string, gateway, FK_UTF16, 0),
    FLD(struct vw_ic_kvp_ip_string, dns, FK_UTF16, 0),
};

/* The binary form's scalar members; its address lists follow in code. */
static const struct field kvp_ip_binary_fields[] = {
    FLD(struct vw_ic_kvp_ip_binary, adapter_id, FK_UTF16, 0),
    FLD(struct vw_ic_kvp_ip_binary, address_family, FK_UINT, FF_DEF),
    FLD(struct vw_ic_kvp_ip_binary, dhcp_enabled, FK_UINT, FF_DEF),
    FLD(struct vw_ic_kvp_ip_binary, reserved, FK_UINT, FF_OMIT0 | FF_DEF),
};

static const struct field vss_fields[] = {
    FLD(struct vw_ic_vss, operation, FK_UINT, 0),
    FLD(struct vw_ic_vss, reserved, FK_BYTES, FF_OMIT0),
};
static const struct field vss_freeze_fields[] = {
    FLD(struct vw_ic_vss, backup_type, FK_UINT, 0),
    FLD(struct vw_ic_vss, flags, FK_UINT, 0),
};
static const struct field vss_cluster_fields[] = {
    FLD(struct vw_ic_vss, cluster_id, FK_GUID, 0),
    FLD(struct vw_ic_vss, cluster_size, FK_UINT, 0),
};
static const struct field vss_cluster_ex_fields[] = {
    FLD(struct vw_ic_vss, last_move_time, FK_U64, 0),
};

/* ---- decode: struct -> JSON ------------------------------------------------- */

static json_t *record_json(const struct vw_ic_kvp_value *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "value_type", json_integer(v->value_type));
    json_object_set_new(o, "key_size", json_integer((json_int_t)v->key.size));
    json_object_set_new(o, "key", v->key.size ? utf16_json(v->key.p, v->key.size - 2) : json_string(""));
    json_object_set_new(o, "value_size", json_integer(v->value_size));
    uint32_t t = v->value_type;
    if ((t == VW_IC_KVP_TYPE_STRING || t == VW_IC_KVP_TYPE_EXPAND_STRING))
        json_object_set_new(o, "value", v->value_size ? utf16_json(v->value, v->value_size - 2) : json_string(""));
    else if (t == VW_IC_KVP_TYPE_DWORD && v->value_size == 4)
        json_object_set_new(o, "value", json_integer(rd32(v->value)));
    else if ((t == VW_IC_KVP_TYPE_QWORD || t == VW_IC_KVP_TYPE_U64_LINUX) && v->value_size == 8)
        json_object_set_new(o, "value", u64_json((uint64_t)rd32(v->value) | (uint64_t)rd32(v->value + 4) << 32));
    else
        json_object_set_new(o, "value_bytes", vwt_hex_json(v->value, v->value_size));
    return o;
}

static json_t *addr_list(const uint8_t *p, size_t n, size_t each)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, vwt_hex_json(p + i * each, each));
    return a;
}

static json_t *int_list(const uint8_t *p, size_t n, size_t each)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(each == 4 ? rd32(p + 4 * i) : (uint32_t)(p[2 * i] | p[2 * i + 1] << 8)));
    return a;
}

static json_t *kvp_json(const struct vw_ic_kvp *k)
{
    json_t *o = json_object();
    fields_json(o, kvp_fields, NF(kvp_fields), k);
    switch (k->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        json_object_set_new(o, "value", record_json(&k->value));
        return o;
    case VW_IC_KVP_OP_DELETE:
        json_object_set_new(o, "key_size", json_integer((json_int_t)k->value.key.size));
        json_object_set_new(o, "key", k->value.key.size ? utf16_json(k->value.key.p, k->value.key.size - 2)
                                                        : json_string(""));
        return o;
    case VW_IC_KVP_OP_ENUMERATE:
        json_object_set_new(o, "index", json_integer(k->index));
        json_object_set_new(o, "value", record_json(&k->value));
        return o;
    default:
        break;
    }
    if (!k->ip_binary) {
        fields_json(o, kvp_ip_string_fields, NF(kvp_ip_string_fields), &k->ip_string);
        return o;
    }
    const struct vw_ic_kvp_ip_binary *r = &k->ip_binary_info;
    fields_json(o, kvp_ip_binary_fields, NF(kvp_ip_binary_fields), r);
    json_object_set_new(o, "ipv4_addresses", addr_list(r->ipv4_addresses, r->ipv4_address_count, 4));
    json_object_set_new(o, "ipv6_addresses", addr_list(r->ipv6_addresses, r->ipv6_address_count, 16));
    json_object_set_new(o, "ipv4_subnets", addr_list(r->ipv4_subnets, r->ipv4_address_count, 4));
    json_object_set_new(o, "ipv6_prefix_lengths", int_list(r->ipv6_prefix_lengths, r->ipv6_address_count, 4));
    json_object_set_new(o, "ipv4_gateways", addr_list(r->ipv4_gateways, r->ipv4_gateway_count, 4));
    json_object_set_new(o, "ipv6_gateways", addr_list(r->ipv6_gateways, r->ipv6_gateway_count, 16));
    json_object_set_new(o, "ipv4_dns", addr_list(r->ipv4_dns, r->ipv4_dns_count, 4));
    json_object_set_new(o, "ipv6_dns", addr_list(r->ipv6_dns, r->ipv6_dns_count, 16));
    json_object_set_new(o, "address_origins",
                        int_list(r->address_origins, (size_t)r->ipv4_address_count + r->ipv6_address_count, 2));
    return o;
}

static json_t *luns_json(const uint8_t *p, uint32_t n)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < n; i++) {
        struct vw_ic_vss_lun l;
        size_t off;
        if (vw_ic_vss_lun_decode(p + (size_t)i * VW_IC_VSS_LUN_SIZE, VW_IC_VSS_LUN_SIZE, &l, &off) != VW_OK)
            break;
        json_t *o = json_object();
        fields_json(o, lun_fields, NF(lun_fields), &l);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *vss_json(const struct vw_ic_vss *v, size_t size)
{
    json_t *o = json_object();
    fields_json(o, vss_fields, NF(vss_fields), v);
    json_object_set_new(o, "form", json_string(vss_forms[v->form]));
    char g[37];
    switch (v->form) {
    case VW_IC_VSS_FORM_BASIC:
        json_object_set_new(o, "size", json_integer((json_int_t)size));
        if (v->reserved2 && nonzero(v->reserved2, 7))
            json_object_set_new(o, "reserved2", vwt_hex_json(v->reserved2, 7));
        if (size == VW_IC_VSS_SIZE_OPENVMM &&
            (v->operation == VW_IC_VSS_OP_CREATE || v->operation == VW_IC_VSS_OP_DELETE)) {
            guid_str(v->snapshot_set_id, g);
            json_object_set_new(o, "snapshot_set_id", json_string(g));
            if (v->operation == VW_IC_VSS_OP_CREATE)
                json_object_set_new(o, "backup_type", json_integer(v->backup_type));
        } else {
            json_object_set_new(o, "flags", json_integer(v->flags));
        }
        if (nonzero(v->tail, v->tail_len))
            json_object_set_new(o, "tail", vwt_hex_json(v->tail, v->tail_len));
        break;
    case VW_IC_VSS_FORM_FREEZE:
    case VW_IC_VSS_FORM_FREEZE_EX:
        fields_json(o, vss_freeze_fields, NF(vss_freeze_fields), v);
        json_object_set_new(o, "luns", luns_json(v->luns, v->lun_count));
        if (v->form == VW_IC_VSS_FORM_FREEZE_EX)
            json_object_set_new(o, "shadow_luns", luns_json(v->shadow_luns, v->lun_count));
        break;
    default:
        fields_json(o, vss_cluster_fields, NF(vss_cluster_fields), v);
        json_object_set_new(o, "luns", luns_json(v->luns, v->lun_count));
        json_object_set_new(o, "lun_status", int_list(v->lun_status, v->lun_count, 4));
        if (v->form == VW_IC_VSS_FORM_CLUSTER_EX)
            fields_json(o, vss_cluster_ex_fields, NF(vss_cluster_ex_fields), v);
        break;
    }
    return o;
}

static json_t *body_json(const struct vw_ic_message *m)
{
    json_t *o;
    switch (m->kind) {
    case VW_IC_BODY_NEGOTIATE: {
        const struct vw_ic_negotiate *n = &m->body.negotiate;
        json_t *f = json_array(), *v = json_array();
        for (size_t i = 0; i < n->framework_count; i++)
            json_array_append_new(f, ver_json(vw_ic_negotiate_version(n, i)));
        for (size_t i = 0; i < n->message_count; i++)
            json_array_append_new(v, ver_json(vw_ic_negotiate_version(n, n->framework_count + i)));
        o = json_object();
        json_object_set_new(o, "framework_versions", f);
        json_object_set_new(o, "message_versions", v);
        if (n->reserved)
            json_object_set_new(o, "reserved", json_integer(n->reserved));
        return o;
    }
    case VW_IC_BODY_HEARTBEAT: {
        const struct vw_ic_heartbeat *h = &m->body.heartbeat;
        o = json_object();
        fields_json(o, heartbeat_fields, NF(heartbeat_fields), h);
        if (nonzero(h->reserved, (size_t)h->size - 12))
            json_object_set_new(o, "reserved", vwt_hex_json(h->reserved, (size_t)h->size - 12));
        return o;
    }
    case VW_IC_BODY_SHUTDOWN: {
        const struct vw_ic_shutdown *s = &m->body.shutdown;
        o = json_object();
        fields_json(o, shutdown_fields, NF(shutdown_fields), s);
        size_t n = VW_IC_SHUTDOWN_MESSAGE_SIZE;
        while (n && !s->display_message[n - 1])
            n--;
        if (n)
            json_object_set_new(o, "display_message", vwt_hex_json(s->display_message, n));
        return o;
    }
    case VW_IC_BODY_TIMESYNC: {
        const struct vw_ic_timesync *t = &m->body.timesync;
        o = json_object();
        size_t rl;
        if (t->v4) {
            fields_json(o, timesync_v4_fields, NF(timesync_v4_fields), t);
            rl = (size_t)t->size - 19;
        } else {
            fields_json(o, timesync_v3_fields, NF(timesync_v3_fields), t);
            rl = (size_t)t->size - 25;
        }
        if (nonzero(t->reserved, rl))
            json_object_set_new(o, "reserved", vwt_hex_json(t->reserved, rl));
        return o;
    }
    case VW_IC_BODY_KVP:
        return kvp_json(&m->body.kvp);
    case VW_IC_BODY_VSS:
        return vss_json(&m->body.vss, m->header.message_size);
    default:
        return NULL;
    }
}

static json_t *message_json(const struct vw_ic_message *m)
{
    const struct vw_ic_header *h = &m->header;
    json_t *o = json_object();
    fields_json(o, header_fields, NF(header_fields), h);
    json_t *b = body_json(m);
    if (b)
        json_object_set_new(o, "body", b);
    if (m->padding.len && nonzero(m->padding.p, m->padding.len))
        json_object_set_new(o, "padding", vwt_hex_json(m->padding.p, m->padding.len));
    if (m->trailing.len)
        json_object_set_new(o, "trailing", vwt_hex_json(m->trailing.p, m->trailing.len));
    return o;
}

static json_t *packet_json(const struct vw_ic_packet *p)
{
    json_t *o = json_object(), *ph = json_object();
    fields_json(ph, pipe_fields, NF(pipe_fields), &p->pipe);
    json_object_set_new(o, "pipe", ph);
    json_object_set_new(o, "message", message_json(&p->message));
    if (p->padding.len)
        json_object_set_new(o, "padding", vwt_hex_json(p->padding.p, p->padding.len));
    return o;
}

/* ---- encode: JSON -> struct -------------------------------------------------- */

#define BAD VW_E_INVALID_ARG

static vw_status parse_record(struct scratch *sc, const json_t *o, struct vw_ic_kvp_value *v)
{
    uint64_t t, ks, vs;
    if (!json_is_object(o) || get_uint(o, "value_type", 0xFFFFFFFF, NULL, &t))
        return BAD;
    v->value_type = (uint32_t)t;
    const json_t *key = json_object_get(o, "key");
    if (get_uint(o, "key_size", 0xFFFFFFFF, NULL, &ks) == 0 && ks == 0) {
        v->key.p = NULL, v->key.size = 0;
    } else {
        json_t *empty = json_string("");
        vw_status s = utf16_from_json(sc, key ? key : empty, true, &v->key);
        json_decref(empty);
        if (s != VW_OK)
            return s;
    }
    const json_t *val = json_object_get(o, "value");
    const json_t *vb = json_object_get(o, "value_bytes");
    bool has_vs = get_uint(o, "value_size", 0xFFFFFFFF, NULL, &vs) == 0;
    if (vb) {
        size_t n;
        if (get_hex(sc, o, "value_bytes", &v->value, &n))
            return BAD;
        v->value_size = (uint32_t)n;
    } else if (t == VW_IC_KVP_TYPE_STRING || t == VW_IC_KVP_TYPE_EXPAND_STRING) {
        if (has_vs && vs == 0) {
            v->value = NULL, v->value_size = 0;
        } else {
            struct vw_ic_utf16 u;
            vw_status s = utf16_from_json(sc, val, true, &u);
            if (s != VW_OK)
                return s;
            v->value = u.p, v->value_size = (uint32_t)u.size;
        }
    } else if (t == VW_IC_KVP_TYPE_DWORD) {
        uint64_t x;
        if (u64_parse(val, &x) || x > 0xFFFFFFFFu)
            return BAD;
        uint8_t *b = sc_alloc(sc, 4);
        if (!b)
            return VW_E_NOMEM;
        for (int i = 0; i < 4; i++)
            b[i] = (uint8_t)(x >> (8 * i));
        v->value = b, v->value_size = 4;
    } else if (t == VW_IC_KVP_TYPE_QWORD || t == VW_IC_KVP_TYPE_U64_LINUX) {
        uint64_t x;
        if (u64_parse(val, &x))
            return BAD;
        uint8_t *b = sc_alloc(sc, 8);
        if (!b)
            return VW_E_NOMEM;
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(x >> (8 * i));
        v->value = b, v->value_size = 8;
    } else {
        v->value = NULL, v->value_size = 0;
    }
    if (has_vs && vs != v->value_size)
        return VW_E_BAD_LENGTH;
    return VW_OK;
}

static vw_status parse_addrs(struct scratch *sc, const json_t *o, const char *k, size_t each, size_t max,
                             const uint8_t **p, uint32_t *count)
{
    const json_t *a = json_object_get(o, k);
    if (!a) {
        *p = NULL;
        *count = 0;
        return VW_OK;
    }
    if (!json_is_array(a))
        return BAD;
    size_t n = json_array_size(a);
    if (n > max)
        return VW_E_TOO_LONG;
    uint8_t *buf = sc_alloc(sc, n * each);
    if (!buf)
        return VW_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(a, i);
        if (json_is_integer(e)) {
            json_int_t x = json_integer_value(e);
            if (x < 0 || (each == 2 && x > 0xFFFF) || (each == 4 && x > 0xFFFFFFFF))
                return BAD;
            for (size_t b = 0; b < each; b++)
                buf[i * each + b] = (uint8_t)((uint64_t)x >> (8 * b));
        } else {
            uint8_t *h;
            size_t hl;
            if (vwt_json_hex(e, &h, &hl))
                return BAD;
            if (hl != each) {
                free(h);
                return BAD;
            }
            memcpy(buf + i * each, h, each);
            free(h);
        }
    }
    *p = buf;
    *count = (uint32_t)n;
    return VW_OK;
}

static vw_status parse_kvp(struct scratch *sc, const json_t *o, struct vw_ic_version ver, struct vw_ic_kvp *k)
{
    uint64_t idx;
    if (fields_parse(sc, o, kvp_fields, NF(kvp_fields), k) != VW_OK)
        return BAD;
    vw_status s;
    switch (k->operation) {
    case VW_IC_KVP_OP_GET:
    case VW_IC_KVP_OP_SET:
        return parse_record(sc, json_object_get(o, "value"), &k->value);
    case VW_IC_KVP_OP_DELETE: {
        uint64_t ks;
        if (get_uint(o, "key_size", 0xFFFFFFFF, NULL, &ks) == 0 && ks == 0)
            return VW_OK;
        const json_t *key = json_object_get(o, "key");
        return utf16_from_json(sc, key, true, &k->value.key);
    }
    case VW_IC_KVP_OP_ENUMERATE:
        if (get_uint(o, "index", 0xFFFFFFFF, NULL, &idx))
            return BAD;
        k->index = (uint32_t)idx;
        return parse_record(sc, json_object_get(o, "value"), &k->value);
    case VW_IC_KVP_OP_GET_IP_INFO:
    case VW_IC_KVP_OP_SET_IP_INFO:
        break;
    default:
        return VW_E_BAD_TYPE;
    }
    /* The integers of both forms are checked before any string is converted;
     * the string form has no reserved member but a bad one is still refused. */
    static const struct field ip_ints[] = {
        FLD(struct vw_ic_kvp_ip_binary, address_family, FK_UINT, FF_DEF),
        FLD(struct vw_ic_kvp_ip_binary, dhcp_enabled, FK_UINT, FF_DEF),
        FLD(struct vw_ic_kvp_ip_binary, reserved, FK_UINT, FF_DEF),
    };
    struct vw_ic_kvp_ip_binary ints;
    if (fields_parse(sc, o, ip_ints, NF(ip_ints), &ints) != VW_OK)
        return BAD;
    k->ip_binary = ver.major >= 5;
    if (!k->ip_binary)
        return fields_parse(sc, o, kvp_ip_string_fields, NF(kvp_ip_string_fields), &k->ip_string);
    struct vw_ic_kvp_ip_binary *r = &k->ip_binary_info;
    uint32_t n4s, n6p, norig;
    if ((s = fields_parse(sc, o, kvp_ip_binary_fields, NF(kvp_ip_binary_fields), r)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv4_addresses", 4, 64, &r->ipv4_addresses, &r->ipv4_address_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv6_addresses", 16, 64, &r->ipv6_addresses, &r->ipv6_address_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv4_subnets", 4, 64, &r->ipv4_subnets, &n4s)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv6_prefix_lengths", 4, 64, &r->ipv6_prefix_lengths, &n6p)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv4_gateways", 4, 5, &r->ipv4_gateways, &r->ipv4_gateway_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv6_gateways", 16, 5, &r->ipv6_gateways, &r->ipv6_gateway_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv4_dns", 4, 64, &r->ipv4_dns, &r->ipv4_dns_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "ipv6_dns", 16, 64, &r->ipv6_dns, &r->ipv6_dns_count)) != VW_OK ||
        (s = parse_addrs(sc, o, "address_origins", 2, 128, &r->address_origins, &norig)) != VW_OK)
        return s;
    if (n4s != r->ipv4_address_count || n6p != r->ipv6_address_count ||
        norig != r->ipv4_address_count + r->ipv6_address_count)
        return VW_E_BAD_LENGTH;
    return VW_OK;
}

static vw_status parse_luns(struct scratch *sc, const json_t *a, const uint8_t **p, uint32_t *count)
{
    if (!a) {
        *p = NULL;
        *count = 0;
        return VW_OK;
    }
    if (!json_is_array(a))
        return BAD;
    size_t n = json_array_size(a);
    if (n > VW_IC_VSS_MAX_LUNS)
        return VW_E_TOO_LONG;
    uint8_t *buf = sc_alloc(sc, n * VW_IC_VSS_LUN_SIZE);
    if (!buf)
        return VW_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(a, i);
        struct vw_ic_vss_lun l;
        memset(&l, 0, sizeof l);
        if (fields_parse(sc, o, lun_fields, NF(lun_fields), &l) != VW_OK)
            return BAD;
        size_t w;
        if (vw_ic_vss_lun_encode(&l, buf + i * VW_IC_VSS_LUN_SIZE, VW_IC_VSS_LUN_SIZE, &w) != VW_OK)
            return BAD;
    }
    *p = buf;
    *count = (uint32_t)n;
    return VW_OK;
}

static vw_status parse_vss(struct scratch *sc, const json_t *o, struct vw_ic_vss *v)
{
    uint64_t flags, x;
    if (fields_parse(sc, o, vss_fields, NF(vss_fields), v) != VW_OK)
        return BAD;
    uint64_t op = v->operation;
    const char *form = json_string_value(json_object_get(o, "form"));
    size_t fi;
    for (fi = 0; fi < 5; fi++)
        if (form && !strcmp(form, vss_forms[fi]))
            break;
    if (fi == 5)
        return BAD;
    v->form = (enum vw_ic_vss_form)fi;
    vw_status s;
    if (v->form == VW_IC_VSS_FORM_BASIC) {
        uint64_t size;
        if (get_uint(o, "size", 0xFFFF, NULL, &size))
            return BAD;
        if (size != VW_IC_VSS_SIZE_LINUX && size != VW_IC_VSS_SIZE_OPENVMM)
            return VW_E_BAD_LENGTH;
        v->basic_size = (uint8_t)size;
        bool snap = size == VW_IC_VSS_SIZE_OPENVMM && (op == VW_IC_VSS_OP_CREATE || op == VW_IC_VSS_OP_DELETE);
        if (snap) {
            /* 39-byte CREATE / DELETE: snapshot set id (and backup type), no flags. */
            const json_t *id = json_object_get(o, "snapshot_set_id");
            if ((id && guid_parse(id, v->snapshot_set_id)) || json_object_get(o, "flags") ||
                get_uint(o, "backup_type", 0xFFFFFFFF, &ZERO, &x) ||
                (op == VW_IC_VSS_OP_DELETE && json_object_get(o, "backup_type")))
                return BAD;
            v->backup_type = (uint32_t)x;
        } else if (get_uint(o, "flags", 0xFFFFFFFF, NULL, &flags)) {
            return BAD;
        } else {
            v->flags = (uint32_t)flags;
        }
        v->tail_len = size != VW_IC_VSS_SIZE_OPENVMM ? 0 : !snap ? 20 : op == VW_IC_VSS_OP_CREATE ? 4 : 8;
        const uint8_t *t, *r2;
        size_t tl, r2l;
        if (get_hex(sc, o, "tail", &t, &tl) || (tl && tl != v->tail_len) || get_hex(sc, o, "reserved2", &r2, &r2l) ||
            (r2l && (r2l != 7 || !v->tail_len)))
            return BAD;
        v->tail = t;
        v->reserved2 = r2;
        return VW_OK;
    }
    uint32_t n;
    if ((s = parse_luns(sc, json_object_get(o, "luns"), &v->luns, &v->lun_count)) != VW_OK)
        return s;
    if (v->form == VW_IC_VSS_FORM_FREEZE || v->form == VW_IC_VSS_FORM_FREEZE_EX) {
        if (fields_parse(sc, o, vss_freeze_fields, NF(vss_freeze_fields), v) != VW_OK)
            return BAD;
        if (v->form == VW_IC_VSS_FORM_FREEZE_EX) {
            if ((s = parse_luns(sc, json_object_get(o, "shadow_luns"), &v->shadow_luns, &n)) != VW_OK)
                return s;
            if (n != v->lun_count)
                return VW_E_BAD_LENGTH;
        }
        return VW_OK;
    }
    if (fields_parse(sc, o, vss_cluster_fields, NF(vss_cluster_fields), v) != VW_OK)
        return BAD;
    if ((s = parse_addrs(sc, o, "lun_status", 4, VW_IC_VSS_MAX_LUNS, &v->lun_status, &n)) != VW_OK)
        return s;
    if (n != v->lun_count)
        return VW_E_BAD_LENGTH;
    if (v->form == VW_IC_VSS_FORM_CLUSTER_EX &&
        fields_parse(sc, o, vss_cluster_ex_fields, NF(vss_cluster_ex_fields), v) != VW_OK)
        return BAD;
    return VW_OK;
}

/* Body JSON of a message of type `type` and version `ver`. */
static vw_status parse_body(struct scratch *sc, const json_t *o, uint16_t type, struct vw_ic_version ver,
                            struct vw_ic_message *m)
{
    if (!json_is_object(o))
        return BAD;
    uint64_t x;
    const uint8_t *p;
    size_t pl;
    switch (type) {
    case VW_IC_MSG_NEGOTIATE: {
        const json_t *f = json_object_get(o, "framework_versions"), *v = json_object_get(o, "message_versions");
        if (!json_is_array(f) || !json_is_array(v) || get_uint(o, "reserved", 0xFFFFFFFF, &ZERO, &x))
            return BAD;
        size_t nf = json_array_size(f), nv = json_array_size(v);
        if (nf > VW_IC_NEGOTIATE_MAX_COUNT || nv > VW_IC_NEGOTIATE_MAX_COUNT)
            return VW_E_TOO_LONG;
        struct vw_ic_version *fl = sc_alloc(sc, (nf + 1) * sizeof *fl), *vl = sc_alloc(sc, (nv + 1) * sizeof *vl);
        if (!fl || !vl)
            return VW_E_NOMEM;
        for (size_t i = 0; i < nf; i++)
            if (ver_parse(json_array_get(f, i), &fl[i]))
                return BAD;
        for (size_t i = 0; i < nv; i++)
            if (ver_parse(json_array_get(v, i), &vl[i]))
                return BAD;
        m->kind = VW_IC_BODY_NEGOTIATE;
        m->body.negotiate.framework_count = (uint16_t)nf;
        m->body.negotiate.message_count = (uint16_t)nv;
        m->body.negotiate.reserved = (uint32_t)x;
        m->body.negotiate.framework_versions = fl;
        m->body.negotiate.message_versions = vl;
        return VW_OK;
    }
    case VW_IC_MSG_HEARTBEAT: {
        struct vw_ic_heartbeat *h = &m->body.heartbeat;
        if (fields_parse(sc, o, heartbeat_fields, NF(heartbeat_fields), h) != VW_OK ||
            get_hex(sc, o, "reserved", &p, &pl))
            return BAD;
        x = h->size;
        if (x != VW_IC_HEARTBEAT_SIZE_OPENVMM && x != VW_IC_HEARTBEAT_SIZE_LINUX)
            return VW_E_BAD_LENGTH;
        if (pl && pl != x - 12)
            return VW_E_BAD_LENGTH;
        m->kind = VW_IC_BODY_HEARTBEAT;
        if (pl)
            memcpy(h->reserved, p, pl);
        return VW_OK;
    }
    case VW_IC_MSG_SHUTDOWN: {
        struct vw_ic_shutdown *s = &m->body.shutdown;
        if (fields_parse(sc, o, shutdown_fields, NF(shutdown_fields), s) != VW_OK ||
            get_hex(sc, o, "display_message", &p, &pl))
            return BAD;
        if (pl > VW_IC_SHUTDOWN_MESSAGE_SIZE)
            return VW_E_TOO_LONG;
        m->kind = VW_IC_BODY_SHUTDOWN;
        if (pl) {
            uint8_t *d = sc_alloc(sc, VW_IC_SHUTDOWN_MESSAGE_SIZE);
            if (!d)
                return VW_E_NOMEM;
            memcpy(d, p, pl);
            s->display_message = d;
        }
        return VW_OK;
    }
    case VW_IC_MSG_TIMESYNC: {
        struct vw_ic_timesync *t = &m->body.timesync;
        /* The version picks the layout, unless the members name the 4.0 one
         * (OpenVMM sends the 4.0 layout whatever it negotiated, IC-HOST-11). */
        t->v4 = ver.major >= 4 || (json_object_get(o, "vm_reference_time") && !json_object_get(o, "child_time"));
        if (fields_parse(sc, o, timesync_common_fields, NF(timesync_common_fields), t) != VW_OK ||
            get_hex(sc, o, "reserved", &p, &pl))
            return BAD;
        x = t->size;
        size_t fixed = t->v4 ? 19 : 25;
        if ((t->v4 && x != 24 && x != 22) || (!t->v4 && x != 28 && x != 25))
            return VW_E_BAD_LENGTH;
        if (pl && pl != x - fixed)
            return VW_E_BAD_LENGTH;
        if (pl)
            memcpy(t->reserved, p, pl);
        if (fields_parse(sc, o, t->v4 ? timesync_v4_fields : timesync_v3_fields,
                         t->v4 ? NF(timesync_v4_fields) : NF(timesync_v3_fields), t) != VW_OK)
            return BAD;
        m->kind = VW_IC_BODY_TIMESYNC;
        return VW_OK;
    }
    case VW_IC_MSG_KVP:
        m->kind = VW_IC_BODY_KVP;
        return parse_kvp(sc, o, ver, &m->body.kvp);
    case VW_IC_MSG_VSS:
        m->kind = VW_IC_BODY_VSS;
        return parse_vss(sc, o, &m->body.vss);
    default:
        return BAD;
    }
}

static vw_status parse_message(struct scratch *sc, const json_t *o, struct vw_ic_message *m)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(o))
        return BAD;
    struct vw_ic_header *h = &m->header;
    uint64_t size, type;
    if (fields_parse(sc, o, header_fields, NF(header_fields), h) != VW_OK)
        return BAD;
    type = h->message_type;
    const json_t *body = json_object_get(o, "body");
    vw_status s;
    if (body && (s = parse_body(sc, body, h->message_type, h->message_version, m)) != VW_OK)
        return s;
    if (!body)
        m->kind = type <= VW_IC_MSG_VSS ? VW_IC_BODY_NONE : VW_IC_BODY_RAW;
    if (get_hex(sc, o, "padding", &m->padding.p, &m->padding.len) ||
        get_hex(sc, o, "trailing", &m->trailing.p, &m->trailing.len))
        return BAD;
    if (get_uint(o, "message_size", 0xFFFF, NULL, &size)) {
        if (json_object_get(o, "message_size"))
            return BAD;
        size_t n;
        if ((s = vw_ic_body_size(m, &n)) != VW_OK)
            return s;
        if (n > 0xFFFF)
            return VW_E_TOO_LONG;
        size = n;
    }
    h->message_size = (uint16_t)size;
    return VW_OK;
}

static vw_status parse_packet(struct scratch *sc, const json_t *o, struct vw_ic_packet *p)
{
    memset(p, 0, sizeof *p);
    if (!json_is_object(o))
        return BAD;
    vw_status s = parse_message(sc, json_object_get(o, "message"), &p->message);
    if (s != VW_OK)
        return s;
    if (get_hex(sc, o, "padding", &p->padding.p, &p->padding.len))
        return BAD;
    const json_t *ph = json_object_get(o, "pipe");
    uint64_t size;
    if (fields_parse(sc, ph, pipe_fields, NF(pipe_fields), &p->pipe) != VW_OK)
        return BAD;
    if (get_uint(ph, "size", 0xFFFFFFFF, NULL, &size)) {
        if (json_object_get(ph, "size"))
            return BAD;
        size_t n;
        if ((s = vw_ic_message_encode(&p->message, NULL, 0, &n)) != VW_OK && s != VW_E_NOSPACE)
            return s;
        size = n;
    }
    p->pipe.size = (uint32_t)size;
    return VW_OK;
}

/* ---- operations -------------------------------------------------------------- */

static bool is_packet(const char *message)
{
    return !strcmp(message, "ic.packet");
}

static json_t *op_decode(const char *message, const uint8_t *in, size_t len)
{
    size_t off;
    if (is_packet(message)) {
        struct vw_ic_packet p;
        vw_status s = vw_ic_packet_decode(in, len, &p, &off);
        return s == VW_OK ? vwt_valid(packet_json(&p)) : vwt_invalid_at(s, off);
    }
    struct vw_ic_message m;
    vw_status s = vw_ic_message_decode(in, len, &m, &off);
    return s == VW_OK ? vwt_valid(message_json(&m)) : vwt_invalid_at(s, off);
}

static json_t *encode_out(vw_status s, struct vw_ic_packet *p, struct vw_ic_message *m)
{
    if (s != VW_OK)
        return vwt_invalid(s);
    size_t need = 0;
    s = p ? vw_ic_packet_encode(p, NULL, 0, &need) : vw_ic_message_encode(m, NULL, 0, &need);
    if (s != VW_OK && s != VW_E_NOSPACE)
        return vwt_invalid(s);
    uint8_t *buf = malloc(need ? need : 1);
    if (!buf)
        return vwt_skipped("out of memory");
    size_t w = 0;
    s = p ? vw_ic_packet_encode(p, buf, need, &w) : vw_ic_message_encode(m, buf, need, &w);
    json_t *r = s == VW_OK ? vwt_valid_hex(buf, w) : vwt_invalid(s);
    free(buf);
    return r;
}

static json_t *op_encode(const char *message, const json_t *input)
{
    struct scratch sc = { { 0 }, 0 };
    json_t *r;
    if (is_packet(message)) {
        struct vw_ic_packet p;
        r = encode_out(parse_packet(&sc, input, &p), &p, NULL);
    } else {
        struct vw_ic_message m;
        r = encode_out(parse_message(&sc, input, &m), NULL, &m);
    }
    sc_free(&sc);
    return r;
}

static int get_profile(const json_t *req, enum vw_ic_profile def, enum vw_ic_profile *p)
{
    const json_t *j = json_object_get(req, "profile");
    if (!j) {
        *p = def;
        return 0;
    }
    return vw_ic_profile_from_name(json_string_value(j), p) == VW_OK ? 0 : -1;
}

/* The `strict` parameter: vmwire's own rules (IC-STRICT-*), default false. */
static int get_strict(const json_t *req, bool *strict)
{
    const json_t *j = json_object_get(req, "strict");
    *strict = json_is_true(j);
    return j && !json_is_boolean(j) ? -1 : 0;
}

static json_t *op_validate(const char *message, const json_t *req, const uint8_t *in, size_t len)
{
    enum vw_ic_profile prof;
    bool strict;
    if (get_profile(req, VW_IC_PROFILE_DEFAULT, &prof))
        return vwt_skipped("unknown profile");
    if (get_strict(req, &strict))
        return vwt_skipped("\"strict\" must be a boolean");
    unsigned opts = strict ? VW_IC_OPT_STRICT : 0;
    size_t off;
    vw_status s;
    if (is_packet(message)) {
        struct vw_ic_packet p;
        s = vw_ic_packet_decode(in, len, &p, &off);
        if (s == VW_OK)
            s = vw_ic_packet_validate_opts(&p, prof, opts, &off);
    } else {
        struct vw_ic_message m;
        s = vw_ic_message_decode(in, len, &m, &off);
        if (s == VW_OK)
            s = vw_ic_message_validate_opts(&m, prof, opts, &off);
    }
    return s == VW_OK ? vwt_valid(json_null()) : vwt_invalid_at(s, off);
}

/* ---- engines ------------------------------------------------------------------ */

static int service_of(const json_t *req, uint16_t *svc)
{
    static const char *const names[] = { NULL, "heartbeat", "kvp", "shutdown", "timesync", "vss", NULL, "fcopy" };
    const json_t *j = json_object_get(req, "service");
    if (json_is_integer(j) && json_integer_value(j) >= 1 && json_integer_value(j) <= 7 && json_integer_value(j) != 6) {
        *svc = (uint16_t)json_integer_value(j);
        return 0;
    }
    const char *s = json_string_value(j);
    for (uint16_t i = 1; s && i <= 7; i++) {
        if (!names[i])
            continue;
        if (!strcmp(s, names[i])) {
            *svc = i;
            return 0;
        }
    }
    return -1;
}

static int version_list(const json_t *req, const char *k, struct vw_ic_version *out, size_t *n)
{
    const json_t *a = json_object_get(req, k);
    *n = 0;
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > VW_IC_MAX_CONFIG_VERSIONS)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++)
        if (ver_parse(json_array_get(a, i), &out[i]))
            return -1;
    *n = json_array_size(a);
    return 0;
}

/* ---- respond and session (driven by common/session.c) ------------------------- */

/* The channel's receive queue (spec/ic.md, "respond and session"): packets the
 * host has not read yet, oldest first. */
#define HOST_QUEUE_MAX 16
struct host_queue {
    uint8_t *p[HOST_QUEUE_MAX];
    size_t len[HOST_QUEUE_MAX];
    size_t n;
};

/* One IC session: a guest or a host engine, seen through the engine vtable. */
struct ic_sess {
    bool host;
    struct vw_ic_guest g;
    struct vw_ic_host h;
    uint64_t now; /* the host's clock (ns), the extra argument of its feed */
    struct host_queue q;
    const json_t *req; /* the request (its parameters), for the duration of the case */
    struct vwt_ic_host_at hat; /* the host with &now, for its adapter */
    struct vwt_engine e;
};

/* A step's answer: the step's status and the bytes the engine has queued. */
static json_t *reply_json(const struct vwt_engine *e, vw_status s)
{
    uint8_t *out;
    size_t n;
    vw_status o = vwt_engine_take(e, &out, &n);
    if (o == VW_E_NOMEM)
        return vwt_skipped("out of memory");
    if (o != VW_OK)
        n = 0;
    json_t *hex = vwt_hex_json(out, n);
    free(out);
    return s == VW_OK ? vwt_valid(hex) : vwt_invalid_output(s, hex);
}

/* The application's answer to a waiting guest request (IC-KVP-14 for the
 * GET_IP_INFO members). */
static vw_status guest_answer(struct vw_ic_guest *g, const json_t *a)
{
    vw_status s = VW_OK;
    struct vw_ic_guest_answer ans = { VW_IC_S_OK, NULL, NULL };
    if (a && ((json_object_get(a, "status") && status_parse(json_object_get(a, "status"), &ans.status))))
        s = VW_E_INVALID_ARG;
    ans.key = json_string_value(json_object_get(a, "key"));
    ans.value = json_string_value(json_object_get(a, "value"));
    struct vw_ic_guest_ip_answer ip;
    memset(&ip, 0, sizeof ip);
    ip.adapter_id = json_string_value(json_object_get(a, "adapter_id"));
    ip.ip_address = json_string_value(json_object_get(a, "ip_address"));
    ip.subnet = json_string_value(json_object_get(a, "subnet"));
    ip.gateway = json_string_value(json_object_get(a, "gateway"));
    ip.dns = json_string_value(json_object_get(a, "dns"));
    uint64_t fam = 0, dhcp = 0;
    if (a && (get_uint(a, "address_family", 255, &ZERO, &fam) || get_uint(a, "dhcp_enabled", 255, &ZERO, &dhcp)))
        s = VW_E_INVALID_ARG;
    ip.address_family = (uint8_t)fam;
    ip.dhcp_enabled = (uint8_t)dhcp;
    vw_status c = vw_ic_guest_complete_ip(g, &ans, &ip);
    return s == VW_OK ? c : s;
}

/* One guest step: feed the packet, answer a waiting request, collect the reply. */
static json_t *guest_step(struct ic_sess *s, const json_t *req, const json_t *step)
{
    uint8_t *in;
    size_t len, consumed;
    if (vwt_json_hex(json_object_get(step, "input"), &in, &len))
        return vwt_skipped("step needs hex \"input\"");
    vw_status st = vwt_engine_feed(&s->e, in, len, NULL, &consumed);
    free(in);
    if (vwt_engine_state(&s->e) & VW_ENGINE_WAIT_APP) {
        const json_t *a = json_object_get(step, "answer");
        vw_status c = guest_answer(&s->g, a ? a : json_object_get(req, "answer"));
        if (st == VW_OK)
            st = c;
    }
    return reply_json(&s->e, st);
}

static int guest_setup(const json_t *req, struct vw_ic_guest *g, const char **why)
{
    struct vw_ic_guest_config cfg;
    struct vw_ic_version fw[VW_IC_MAX_CONFIG_VERSIONS], mv[VW_IC_MAX_CONFIG_VERSIONS];
    memset(&cfg, 0, sizeof cfg);
    *why = "bad parameters";
    if (get_profile(req, VW_IC_PROFILE_DEFAULT, &cfg.profile) || service_of(req, &cfg.service) ||
        version_list(req, "framework_versions", fw, &cfg.n_framework_versions) ||
        version_list(req, "message_versions", mv, &cfg.n_message_versions))
        return -1;
    cfg.framework_versions = cfg.n_framework_versions ? fw : NULL;
    cfg.message_versions = cfg.n_message_versions ? mv : NULL;
    cfg.agent_ready = json_is_true(json_object_get(req, "agent_ready"));
    cfg.hibernate_supported = json_is_true(json_object_get(req, "hibernate_supported"));
    if (get_strict(req, &cfg.strict))
        return -1;
    vwt_poison(g, sizeof *g);
    vw_status s = vw_ic_guest_init(g, &cfg);
    if (s == VW_E_UNSUPPORTED)
        *why = "the profile has no guest for this service";
    return s == VW_OK ? 0 : -1;
}

static int host_setup(const json_t *req, struct vw_ic_host *h, const char **why)
{
    struct vw_ic_host_config cfg;
    struct vw_ic_version fw[VW_IC_MAX_CONFIG_VERSIONS], mv[VW_IC_MAX_CONFIG_VERSIONS];
    enum vw_ic_profile prof;
    uint64_t tmo;
    memset(&cfg, 0, sizeof cfg);
    *why = "bad parameters";
    if (get_profile(req, VW_IC_PROFILE_OPENVMM, &prof) || service_of(req, &cfg.service) ||
        version_list(req, "framework_versions", fw, &cfg.n_framework_versions) ||
        version_list(req, "message_versions", mv, &cfg.n_message_versions) ||
        get_uint(req, "timeout_ms", UINT32_MAX, &ZERO, &tmo))
        return -1;
    if (prof != VW_IC_PROFILE_OPENVMM) {
        *why = "only the openvmm profile has a host";
        return -1;
    }
    cfg.framework_versions = cfg.n_framework_versions ? fw : NULL;
    cfg.message_versions = cfg.n_message_versions ? mv : NULL;
    cfg.timeout_ns = tmo * 1000000u;
    if (get_strict(req, &cfg.strict))
        return -1;
    if (tmo && !cfg.strict) {
        *why = "\"timeout_ms\" needs \"strict\" (a reply deadline is vmwire's own rule)";
        return -1;
    }
    vwt_poison(h, sizeof *h);
    return vw_ic_host_init(h, &cfg) == VW_OK ? 0 : -1;
}

static void queue_free(struct host_queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->p[i]);
    q->n = 0;
}

/* Let the host read from the front of the queue for as long as it reads; the
 * result is that of the last packet it read, or of the refusal to read one
 * (failed channel, packet too large) when it read none; valid when neither. */
static json_t *host_read(struct ic_sess *s)
{
    struct host_queue *q = &s->q;
    bool any = false;
    vw_status last = VW_OK;
    while (q->n) {
        size_t consumed = 0;
        vw_status st = vwt_engine_feed(&s->e, q->p[0], q->len[0], NULL, &consumed);
        if (consumed || (!any && st != VW_OK)) {
            any = true;
            last = st;
        }
        if (!consumed)
            break;
        free(q->p[0]);
        memmove(q->p, q->p + 1, (q->n - 1) * sizeof q->p[0]);
        memmove(q->len, q->len + 1, (q->n - 1) * sizeof q->len[0]);
        q->n--;
    }
    return reply_json(&s->e, any ? last : VW_OK);
}

static json_t *host_step(struct ic_sess *s, const json_t *step)
{
    struct vw_ic_host *h = &s->h;
    uint64_t ms;
    if (get_uint(step, "now_ms", UINT32_MAX, NULL, &ms) == 0)
        s->now = ms * 1000000u;
    const json_t *send = json_object_get(step, "send");
    if (json_is_string(send) && !strcmp(json_string_value(send), "negotiate"))
        return reply_json(&s->e, vw_ic_host_start(h, s->now));
    if (send) {
        struct vw_ic_version fw, mv;
        vw_status st = vw_ic_host_versions(h, &fw, &mv);
        if (st != VW_OK)
            return reply_json(&s->e, st);
        struct scratch sc = { { 0 }, 0 };
        struct vw_ic_message m;
        memset(&m, 0, sizeof m);
        uint16_t service;
        st = service_of(s->req, &service) ? VW_E_INVALID_ARG : parse_body(&sc, send, service, mv, &m);
        if (st == VW_OK)
            st = vw_ic_host_send(h, &m, s->now);
        sc_free(&sc);
        return reply_json(&s->e, st);
    }
    if (json_is_true(json_object_get(step, "tick")))
        return reply_json(&s->e, vw_ic_host_tick(h, s->now));
    uint8_t *in;
    size_t len;
    if (vwt_json_hex(json_object_get(step, "input"), &in, &len))
        return vwt_skipped("host step needs \"send\", \"tick\" or hex \"input\"");
    if (s->q.n == HOST_QUEUE_MAX) {
        free(in);
        return vwt_skipped("too many unread packets");
    }
    s->q.p[s->q.n] = in;
    s->q.len[s->q.n++] = len;
    return host_read(s);
}

static const char *ic_init(void *sp, const char *operation, const json_t *req)
{
    struct ic_sess *s = sp;
    const char *role = json_string_value(json_object_get(req, "role"));
    const char *why = NULL;
    s->req = req;
    s->host = role && !strcmp(role, "host");
    if (s->host) {
        if (host_setup(req, &s->h, &why))
            return why;
        s->hat = (struct vwt_ic_host_at){ &s->h, &s->now };
        s->e = vwt_ic_host_engine(&s->hat);
        if (strcmp(operation, "session")) {
            /* respond: the offer has been sent; the input is the guest's answer. */
            uint8_t *offer;
            size_t n;
            (void)vw_ic_host_start(&s->h, 0);
            if (vwt_engine_take(&s->e, &offer, &n) == VW_E_NOMEM)
                return "out of memory";
            free(offer);
        }
        return NULL;
    }
    if (!role || strcmp(role, "guest"))
        return "\"role\" must be guest or host";
    if (guest_setup(req, &s->g, &why))
        return why;
    s->e = vwt_ic_guest_engine(&s->g);
    return NULL;
}

static json_t *ic_step(void *sp, const json_t *req, const json_t *step)
{
    struct ic_sess *s = sp;
    return s->host ? host_step(s, step) : guest_step(s, req, step);
}

static void ic_fini(void *sp)
{
    queue_free(&((struct ic_sess *)sp)->q);
}

static const struct vwt_session ic_session = { sizeof(struct ic_sess), ic_init, ic_step, ic_fini };

json_t *vwt_impl_ic(const char *operation, const char *message, const json_t *req)
{
    if (strcmp(message, "ic.message") && strcmp(message, "ic.packet"))
        return NULL;
    if (!strcmp(operation, "encode"))
        return op_encode(message, json_object_get(req, "input"));
    if (!strcmp(operation, "respond") || !strcmp(operation, "session")) {
        if (!is_packet(message))
            return NULL;
        return !strcmp(operation, "session") ? vwt_session_run(&ic_session, operation, req)
                                             : vwt_session_single(&ic_session, operation, req);
    }
    if (strcmp(operation, "decode") && strcmp(operation, "validate"))
        return NULL;
    uint8_t *in;
    size_t len;
    if (vwt_json_hex(json_object_get(req, "input"), &in, &len))
        return vwt_skipped("input is not a hex string");
    json_t *r = !strcmp(operation, "decode") ? op_decode(message, in, len) : op_validate(message, req, in, len);
    free(in);
    return r;
}
