/* vw-gen-fast: writes the per-schema fast decoders (fast.h) of the crosvm and
 * serial schemas, as C, to the file named by argv[1].
 *
 * Built and run by the build (src/pb/local.mk): it links the protoc-c code
 * of the schemas, walks the ProtobufCMessageDescriptor graph below the ten
 * top-level messages and writes one decoding function per message type: a
 * loop with one switch on the tag byte (one load and one jump per field with
 * a one-byte tag), the member's offset, oneof case offset and field number
 * as constants, varints and lengths read inline, sub-messages taken from the
 * arena and initialised from protoc-c's __INIT template in place (no call),
 * a cheap path for the first occurrence of a oneof member. A tag byte gets a
 * case only when its wire type is the field's own and the field's kind is one
 * that the generated code decodes exactly as dec_msg() does; every other tag
 * byte (unknown fields, other wire types, tags of two bytes or more, repeated
 * and oneof scalars, proto2 labels) hands the decode over to the generic
 * decoder at that field (fast.c). It also writes one encoding function per
 * message type (see "encoders" below), with the generic encoder as fallback.
 * The output is never committed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb/internal.h"
#include "pb/roots.h"
#include "vmwire/arena.h"

#define MAX_TYPES 1024

static const ProtobufCMessageDescriptor *types[MAX_TYPES];
static unsigned n_types;

static unsigned type_index(const ProtobufCMessageDescriptor *d)
{
    for (unsigned i = 0; i < n_types; i++)
        if (types[i] == d)
            return i;
    if (n_types == MAX_TYPES) {
        fprintf(stderr, "vw-gen-fast: more than %d message types\n", MAX_TYPES);
        exit(1);
    }
    types[n_types] = d;
    return n_types++;
}

/* protoc-c's C name of a message, lower case ("vmwire__crosvm__seed__vcpu_response"),
 * from its full name: dots become "__", an upper-case letter after a lower-case
 * one gets an underscore. Names this rule may not reproduce (two capitals or a
 * digit or an underscore in a row of a message name) stop the generator; the
 * compiler checks the rest (an unknown descriptor or macro is an error). */
static void lower_name(const ProtobufCMessageDescriptor *d, char *out, size_t cap)
{
    size_t k = 0;
    int prev_lower = 0;
    for (const char *s = d->name; *s; s++) {
        if (k + 4 >= cap) {
            fprintf(stderr, "vw-gen-fast: name too long: %s\n", d->name);
            exit(1);
        }
        if (*s == '.') {
            out[k++] = '_';
            out[k++] = '_';
            prev_lower = 0;
        } else if (isupper((unsigned char)*s)) {
            if (prev_lower)
                out[k++] = '_';
            else if (s != d->name && s[-1] != '.') {
                fprintf(stderr, "vw-gen-fast: unsupported message name %s\n", d->name);
                exit(1);
            }
            out[k++] = (char)tolower((unsigned char)*s);
            prev_lower = 0;
        } else if (islower((unsigned char)*s) || (isdigit((unsigned char)*s) && prev_lower)) {
            out[k++] = *s;
            prev_lower = 1;
        } else {
            fprintf(stderr, "vw-gen-fast: unsupported message name %s\n", d->name);
            exit(1);
        }
    }
    out[k] = 0;
}

#define wire_type vw_pb__wire_type /* pb/internal.h */

static size_t aligned(size_t n)
{
    return (n + VW_ARENA_ALIGN - 1) & ~(size_t)(VW_ARENA_ALIGN - 1);
}

/* The code that takes a new message of type @p sd from the arena into m. */
static void emit_new(FILE *o, const ProtobufCMessageDescriptor *sd, const char *indent,
                     const char *arena)
{
    char ln[512], up[512];
    lower_name(sd, ln, sizeof ln);
    size_t i;
    for (i = 0; ln[i]; i++)
        up[i] = (char)toupper((unsigned char)ln[i]);
    up[i] = 0;
    fprintf(o, "%sVW_F_NEW(%s, m, %zu, %s, %s__INIT);\n", indent, arena, aligned(sd->sizeof_message),
            sd->c_name, up);
}

/* The case of tag byte @p t for field @p f (index @p fi), or nothing. */
static void emit_case(FILE *o, const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
                      unsigned t)
{
    int oneof = (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    if ((int)(t & 7) != wire_type(f->type))
        return;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        const ProtobufCMessageDescriptor *sd = f->descriptor;
        unsigned si = type_index(sd);
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            ProtobufCMessage *m;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            if (VW_F_UNLIKELY(depth >= VW_PB_MAX_DEPTH))\n                goto bail;\n");
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            fprintf(o, "            size_t cnt;\n            ProtobufCMessage **arr;\n");
            fprintf(o, "            memcpy(&cnt, (char *)msg + %u, sizeof cnt);\n", f->quantifier_offset);
            fprintf(o, "            memcpy(&arr, (char *)msg + %u, sizeof arr);\n", f->offset);
            fprintf(o, "            if (VW_F_UNLIKELY(cnt == 0 || (cnt >= 4 && (cnt & (cnt - 1)) == 0))) {\n");
            fprintf(o, "                if (!(arr = vw_pb__fgrow(c, arr, cnt, %zu)))\n                    goto bail;\n",
                    aligned(sd->sizeof_message));
            fprintf(o, "                memcpy((char *)msg + %u, &arr, sizeof arr);\n            }\n", f->offset);
            emit_new(o, sd, "            ", "c->a");
            fprintf(o, "            arr[cnt++] = m;\n");
            fprintf(o, "            memcpy((char *)msg + %u, &cnt, sizeof cnt);\n", f->quantifier_offset);
        } else if (oneof) {
            fprintf(o, "            uint32_t cs;\n");
            fprintf(o, "            memcpy(&m, (char *)msg + %u, sizeof m);\n", f->offset);
            fprintf(o, "            memcpy(&cs, (char *)msg + %u, 4);\n", f->quantifier_offset);
            fprintf(o, "            if (VW_F_LIKELY(cs != %u || !m)) {\n", f->id);
            emit_new(o, sd, "                ", "c->a");
            fprintf(o, "                cs = %u;\n", f->id);
            fprintf(o, "                memcpy((char *)msg + %u, &cs, 4);\n", f->quantifier_offset);
            fprintf(o, "                memcpy((char *)msg + %u, &m, sizeof m);\n            }\n", f->offset);
        } else {
            fprintf(o, "            memcpy(&m, (char *)msg + %u, sizeof m);\n", f->offset);
            fprintf(o, "            if (!m) {\n");
            emit_new(o, sd, "                ", "c->a");
            fprintf(o, "                memcpy((char *)msg + %u, &m, sizeof m);\n            }\n", f->offset);
        }
        fprintf(o, "            const uint8_t *q = d%u(c, m, p, p + n, depth + 1);\n", si);
        fprintf(o, "            if (VW_F_UNLIKELY(!q))\n                return vw_pb__fup(c, msg, end, depth);\n");
        fprintf(o, "            p = q;\n            continue;\n        }\n");
        return;
    }
    if (f->type == PROTOBUF_C_TYPE_BYTES && f->label == PROTOBUF_C_LABEL_NONE) {
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            ProtobufCBinaryData bd;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            bd.len = n;\n            bd.data = (uint8_t *)(uintptr_t)p;\n");
        fprintf(o, "            memcpy((char *)msg + %u, &bd, sizeof bd);\n", f->offset);
        if (oneof)
            fprintf(o, "            { uint32_t cs = %u; memcpy((char *)msg + %u, &cs, 4); }\n", f->id,
                    f->quantifier_offset);
        fprintf(o, "            p += n;\n            continue;\n        }\n");
        return;
    }
    if (f->label != PROTOBUF_C_LABEL_NONE || oneof)
        return;
    const char *store = NULL;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_ENUM:
        store = "uint32_t x = (uint32_t)v;";
        break;
    case PROTOBUF_C_TYPE_SINT32:
        store = "uint32_t x = (uint32_t)v; x = (x >> 1) ^ (0u - (x & 1));";
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        store = "uint64_t x = v;";
        break;
    case PROTOBUF_C_TYPE_SINT64:
        store = "uint64_t x = (v >> 1) ^ (0 - (v & 1));";
        break;
    case PROTOBUF_C_TYPE_BOOL:
        store = "protobuf_c_boolean x = v != 0;";
        break;
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: {
        /* little-endian targets only (the wire order is the host order);
         * elsewhere the generic decoder takes these fields */
        unsigned w = wire_type(f->type) == 5 ? 4 : 8;
        fprintf(o, "#ifdef VW_PB_LE_HOST\n");
        fprintf(o, "        case %u: /* %s */\n", t, f->name);
        fprintf(o, "            if (VW_F_UNLIKELY((size_t)(end - p) < %u))\n                goto bail;\n", w);
        fprintf(o, "            memcpy((char *)msg + %u, p, %u);\n            p += %u;\n            continue;\n",
                f->offset, w, w);
        fprintf(o, "#endif\n");
        return;
    }
    case PROTOBUF_C_TYPE_STRING:
        fprintf(o, "        case %u: { /* %s */\n", t, f->name);
        fprintf(o, "            size_t n;\n            char *s;\n");
        fprintf(o, "            VW_F_LEN(p, end, n);\n");
        fprintf(o, "            if (!(s = vw_pb__fstring(c, p, n)))\n                goto bail;\n");
        fprintf(o, "            memcpy((char *)msg + %u, &s, sizeof s);\n", f->offset);
        fprintf(o, "            p += n;\n            continue;\n        }\n");
        return;
    default:
        return;
    }
    fprintf(o, "        case %u: { /* %s */\n", t, f->name);
    fprintf(o, "            uint64_t v;\n            VW_F_VARINT(p, end, v);\n");
    fprintf(o, "            %s\n            memcpy((char *)msg + %u, &x, sizeof x);\n", store, f->offset);
    fprintf(o, "            continue;\n        }\n");
    (void)d;
}

static void emit_type(FILE *o, unsigned ti)
{
    const ProtobufCMessageDescriptor *d = types[ti];
    if (d->magic != PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC) {
        fprintf(stderr, "vw-gen-fast: bad descriptor\n");
        exit(1);
    }
    fprintf(o, "/* %s */\n", d->name);
    fprintf(o, "static const uint8_t *d%u(struct vw_pb_fctx *c, ProtobufCMessage *msg, const uint8_t *p,\n"
               "                      const uint8_t *end, unsigned depth)\n{\n", ti);
    fprintf(o, "    const uint8_t *tag_at = p;\n");
    fprintf(o, "    while (p < end) {\n        tag_at = p;\n        switch (*p++) {\n");
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->id < 1 || f->id > 15)
            continue;
        for (unsigned wt = 0; wt < 8; wt++)
            emit_case(o, d, f, f->id << 3 | wt);
    }
    fprintf(o, "        default:\n            goto bail;\n        }\n    }\n    return p;\n");
    fprintf(o, "bail:\n    return vw_pb__fbail(c, msg, tag_at, end, depth);\n}\n\n");
}

/* ---- encoders --------------------------------------------------------------
 *
 * One function per message type, e<i>(e, p, m, depth): the fields in the
 * descriptor's order (the generic encoder's order, PB-E-1), each written as
 * enc_field() of encode.c writes it, with the tag bytes, offsets and oneof
 * case numbers as constants. A run of members of one oneof becomes one
 * switch on its case. Fields of known size get one room check against
 * their largest size and are written unchecked; near the end of the buffer
 * they take the exact test. A sub-message whose largest encoding is below
 * 128 bytes gets a one-byte length prefix and nothing else; others fall back
 * to moving the body up (vw_pb__fsub_long()). Kinds the generated code does
 * not write (repeated scalars, strings and bytes, proto2 labels) are written
 * by the generic vw_pb__enc_field(). Any failure returns NULL and the root
 * entry hands the whole message to vw_pb_encode(), which produces the
 * failure's result (buffer cleared, size reported); so every result is the
 * generic encoder's. */

#define UNBOUNDED ((size_t)-1)

/* Bytes of the tag of field @p id with wire type @p wt. */
static size_t tag_size(uint32_t id)
{
    return vw_pb__vsize((uint64_t)id << 3);
}

/* Largest encoding of a message of type @p d, or UNBOUNDED (a repeated,
 * string or bytes field, a proto2 label, or nesting past @p depth 16). */
static size_t enc_bound(const ProtobufCMessageDescriptor *d, unsigned depth)
{
    size_t total = 0;
    if (depth > 16)
        return UNBOUNDED;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t b;
        if (f->label != PROTOBUF_C_LABEL_NONE)
            return UNBOUNDED;
        if (vw_pb__max_varint(f->type))
            b = vw_pb__max_varint(f->type);
        else if (wire_type(f->type) == 5)
            b = 4;
        else if (wire_type(f->type) == 1)
            b = 8;
        else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            size_t sb = enc_bound(f->descriptor, depth + 1);
            if (sb == UNBOUNDED)
                return UNBOUNDED;
            b = vw_pb__vsize(sb) + sb;
        } else
            return UNBOUNDED;
        total += tag_size(f->id) + b;
    }
    return total;
}

/* @p in indented one level more, into out. */
static void more(char *out, size_t cap, const char *in)
{
    size_t n = strlen(in);
    if (n + 5 > cap) {
        fprintf(stderr, "vw-gen-fast: nested too deep\n");
        exit(1);
    }
    memcpy(out, in, n);
    memcpy(out + n, "    ", 5);
}

/* Tag bytes of field @p f, stored at p. */
static void emit_tag(FILE *o, const ProtobufCFieldDescriptor *f, int wt, const char *in)
{
    uint64_t t = (uint64_t)f->id << 3 | (unsigned)wt;
    fprintf(o, "%s", in);
    while (t >= 0x80) {
        fprintf(o, "*p++ = 0x%02x; ", (unsigned)(t & 0x7f) | 0x80);
        t >>= 7;
    }
    fprintf(o, "*p++ = 0x%02x; /* %s */\n", (unsigned)t, f->name);
}

static void emit_desc_ref(FILE *o, const ProtobufCMessageDescriptor *d)
{
    char ln[512];
    lower_name(d, ln, sizeof ln);
    fprintf(o, "&%s__descriptor", ln);
}

/* Field @p f (index @p fi of @p d) through the generic encoder. */
static void emit_enc_generic(FILE *o, const ProtobufCMessageDescriptor *d, unsigned fi, const char *in)
{
    fprintf(o, "%sif (!(p = vw_pb__enc_field(e, p, m, (", in);
    emit_desc_ref(o, d);
    fprintf(o, ")->fields + %u, depth))) /* %s */\n%s    return NULL;\n", fi, d->fields[fi].name, in);
}

/* Sub-message pointer `sub` of field @p f (index @p fi of @p d) written
 * with its tag; @p force: also when NULL (an empty message). */
static void emit_enc_sub(FILE *o, const ProtobufCMessageDescriptor *d, unsigned fi, int force,
                         int in_repeated, const char *in)
{
    const ProtobufCFieldDescriptor *f = &d->fields[fi];
    const ProtobufCMessageDescriptor *sd = f->descriptor;
    size_t bound = enc_bound(sd, 0);
    char in2[64];
    more(in2, sizeof in2, in);
    if (!force)
        fprintf(o, "%sif (sub) {\n", in);
    const char *ii = force ? in : in2;
    /* a message of another type in the member (a cast): the generic encoder
     * writes what its own descriptor says; a repeated element of another
     * type the same way, for the whole field */
    fprintf(o, "%sif (VW_F_UNLIKELY(%ssub->descriptor != ", ii, force ? "sub && " : "");
    emit_desc_ref(o, sd);
    fprintf(o, ")) {\n");
    if (in_repeated) {
        fprintf(o, "%s    p = p0;\n", ii);
        char in3[64];
        more(in3, sizeof in3, ii);
        emit_enc_generic(o, d, fi, in3);
        fprintf(o, "%s    break;\n", ii);
    } else {
        char in3[64];
        more(in3, sizeof in3, ii);
        emit_enc_generic(o, d, fi, in3);
    }
    fprintf(o, "%s} else {\n", ii);
    fprintf(o, "%s    uint8_t *body, *q;\n", ii);
    fprintf(o, "%s    if (VW_F_UNLIKELY((size_t)(e->end - p) < %zu))\n%s        return NULL;\n", ii,
            tag_size(f->id) + 1, ii);
    char in3[64];
    more(in3, sizeof in3, ii);
    emit_tag(o, f, 2, in3);
    fprintf(o, "%s    body = q = p + 1;\n", ii);
    fprintf(o, "%s    if (%s!(q = e%u(e, body, sub, depth + 1)))\n%s        return NULL;\n", ii,
            force ? "sub && " : "", type_index(sd), ii);
    if (bound < 0x80) {
        fprintf(o, "%s    *p = (uint8_t)(q - body); /* at most %zu bytes */\n%s    p = q;\n", ii, bound, ii);
    } else {
        fprintf(o, "%s    if (VW_F_LIKELY(q - body < 0x80)) {\n%s        *p = (uint8_t)(q - body);\n"
                   "%s        p = q;\n%s    } else if (!(p = vw_pb__fsub_long(e, p, body, q))) {\n"
                   "%s        return NULL;\n%s    }\n",
                ii, ii, ii, ii, ii, ii);
    }
    fprintf(o, "%s}\n", ii);
    if (!force)
        fprintf(o, "%s}\n", in);
}

/* Field @p fi of @p d; @p force: a set oneof member (written even when zero). */
static void emit_enc_field(FILE *o, const ProtobufCMessageDescriptor *d, unsigned fi, int force,
                           const char *in)
{
    const ProtobufCFieldDescriptor *f = &d->fields[fi];
    size_t ts = tag_size(f->id);
    const char *cond = force ? "1" : NULL;
    if (f->label == PROTOBUF_C_LABEL_REPEATED && f->type == PROTOBUF_C_TYPE_MESSAGE) {
        fprintf(o, "%s{ /* %s */\n", in, f->name);
        fprintf(o, "%s    size_t cnt;\n%s    ProtobufCMessage *const *arr;\n%s    uint8_t *p0 = p;\n", in, in, in);
        fprintf(o, "%s    memcpy(&cnt, (const char *)m + %u, sizeof cnt);\n", in, f->quantifier_offset);
        fprintf(o, "%s    memcpy(&arr, (const char *)m + %u, sizeof arr);\n", in, f->offset);
        fprintf(o, "%s    for (size_t k = 0; k < cnt; k++) {\n", in);
        fprintf(o, "%s        const ProtobufCMessage *sub = arr[k];\n", in);
        char in2[64];
        snprintf(in2, sizeof in2, "%s        ", in);
        emit_enc_sub(o, d, fi, 1, 1, in2);
        fprintf(o, "%s    }\n%s}\n", in, in);
        return;
    }
    if (f->label != PROTOBUF_C_LABEL_NONE) {
        emit_enc_generic(o, d, fi, in);
        return;
    }
    size_t mv = vw_pb__max_varint(f->type);
    if (mv) {
        fprintf(o, "%s{ /* %s */\n%s    uint64_t v;\n", in, f->name, in);
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_ENUM:
            fprintf(o, "%s    int32_t x;\n%s    memcpy(&x, (const char *)m + %u, 4);\n"
                       "%s    v = (uint64_t)(int64_t)x;\n", in, in, f->offset, in);
            break;
        case PROTOBUF_C_TYPE_UINT32:
            fprintf(o, "%s    uint32_t x;\n%s    memcpy(&x, (const char *)m + %u, 4);\n%s    v = x;\n", in,
                    in, f->offset, in);
            break;
        case PROTOBUF_C_TYPE_SINT32:
            fprintf(o, "%s    uint32_t x;\n%s    memcpy(&x, (const char *)m + %u, 4);\n"
                       "%s    v = (uint32_t)((x << 1) ^ (0u - (x >> 31)));\n", in, in, f->offset, in);
            break;
        case PROTOBUF_C_TYPE_SINT64:
            fprintf(o, "%s    memcpy(&v, (const char *)m + %u, 8);\n%s    v = (v << 1) ^ (0 - (v >> 63));\n",
                    in, f->offset, in);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            fprintf(o, "%s    protobuf_c_boolean b;\n%s    memcpy(&b, (const char *)m + %u, sizeof b);\n"
                       "%s    v = b != 0;\n", in, in, f->offset, in);
            break;
        default: /* INT64, UINT64 */
            fprintf(o, "%s    memcpy(&v, (const char *)m + %u, 8);\n", in, f->offset);
            break;
        }
        fprintf(o, "%s    if (%s) {\n", in, cond ? cond : "v");
        fprintf(o, "%s        if (VW_F_UNLIKELY((size_t)(e->end - p) < %zu) &&\n"
                   "%s            (size_t)(e->end - p) < %zu + vw_pb__vsize(v))\n%s            return NULL;\n",
                in, ts + mv, in, ts, in);
        char in2[64];
        snprintf(in2, sizeof in2, "%s        ", in);
        emit_tag(o, f, 0, in2);
        fprintf(o, "%s        p = vw_pb__wv(p, v);\n%s    }\n%s}\n", in, in, in);
        return;
    }
    int wt = wire_type(f->type);
    if (wt == 5 || wt == 1) {
        unsigned w = wt == 5 ? 4 : 8;
        fprintf(o, "%s{ /* %s */\n%s    uint%u_t x;\n%s    memcpy(&x, (const char *)m + %u, %u);\n", in, f->name,
                in, w * 8, in, f->offset, w);
        fprintf(o, "%s    if (%s) {\n", in, cond ? cond : "x");
        fprintf(o, "%s        if (VW_F_UNLIKELY((size_t)(e->end - p) < %zu))\n%s            return NULL;\n", in,
                ts + w, in);
        char in2[64];
        snprintf(in2, sizeof in2, "%s        ", in);
        emit_tag(o, f, wt, in2);
        fprintf(o, "%s        p = vw_pb__w%u(p, x);\n%s    }\n%s}\n", in, w * 8, in, in);
        return;
    }
    if (f->type == PROTOBUF_C_TYPE_BYTES || f->type == PROTOBUF_C_TYPE_STRING) {
        fprintf(o, "%s{ /* %s */\n", in, f->name);
        if (f->type == PROTOBUF_C_TYPE_BYTES) {
            fprintf(o, "%s    ProtobufCBinaryData bd;\n%s    memcpy(&bd, (const char *)m + %u, sizeof bd);\n"
                       "%s    const uint8_t *s = bd.data;\n%s    size_t n = bd.len;\n",
                    in, in, f->offset, in, in);
        } else {
            fprintf(o, "%s    const char *s;\n%s    memcpy(&s, (const char *)m + %u, sizeof s);\n"
                       "%s    size_t n = vw_pb__fstrlen(m, s);\n",
                    in, in, f->offset, in);
        }
        fprintf(o, "%s    if (%s) {\n", in, cond ? cond : "n");
        fprintf(o, "%s        size_t room = (size_t)(e->end - p);\n", in);
        fprintf(o, "%s        if (VW_F_UNLIKELY(room < %zu || room - %zu < n) &&\n"
                   "%s            (room < %zu + vw_pb__vsize(n) || room - (%zu + vw_pb__vsize(n)) < n))\n"
                   "%s            return NULL;\n",
                in, ts + 10, ts + 10, in, ts, ts, in);
        char in2[64];
        snprintf(in2, sizeof in2, "%s        ", in);
        emit_tag(o, f, 2, in2);
        fprintf(o, "%s        p = vw_pb__wv(p, n);\n%s        vw_pb__copy_bytes(p, (const uint8_t *)s, n);\n"
                   "%s        p += n;\n%s    }\n%s}\n", in, in, in, in, in);
        return;
    }
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        fprintf(o, "%s{ /* %s */\n%s    const ProtobufCMessage *sub;\n"
                   "%s    memcpy(&sub, (const char *)m + %u, sizeof sub);\n", in, f->name, in, in, f->offset);
        char in2[64];
        more(in2, sizeof in2, in);
        emit_enc_sub(o, d, fi, force, 0, in2);
        fprintf(o, "%s}\n", in);
        return;
    }
    emit_enc_generic(o, d, fi, in);
}

static void emit_enc_type(FILE *o, unsigned ti)
{
    const ProtobufCMessageDescriptor *d = types[ti];
    size_t bound = enc_bound(d, 0);
    if (bound == UNBOUNDED)
        fprintf(o, "/* %s */\n", d->name);
    else
        fprintf(o, "/* %s: at most %zu bytes */\n", d->name, bound);
    fprintf(o, "static uint8_t *e%u(struct vw_pb__enc *e, uint8_t *p, const ProtobufCMessage *m, unsigned depth)\n{\n", ti);
    fprintf(o, "    (void)e;\n    (void)m;\n"
               "    if (VW_F_UNLIKELY(depth > VW_PB_MAX_DEPTH))\n        return NULL;\n");
    for (unsigned i = 0; i < d->n_fields;) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
            emit_enc_field(o, d, i, 0, "    ");
            i++;
            continue;
        }
        /* a run of members of one oneof, in the descriptor's order */
        fprintf(o, "    {\n        uint32_t cs;\n        memcpy(&cs, (const char *)m + %u, 4);\n"
                   "        switch (cs) {\n", f->quantifier_offset);
        unsigned j = i;
        for (; j < d->n_fields && (d->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
               d->fields[j].quantifier_offset == f->quantifier_offset;
             j++) {
            fprintf(o, "        case %u:\n", d->fields[j].id);
            emit_enc_field(o, d, j, 1, "            ");
            fprintf(o, "            break;\n");
        }
        fprintf(o, "        default:\n            break;\n        }\n    }\n");
        i = j;
    }
    fprintf(o, "    return p;\n}\n\n");
}

int main(int argc, char **argv)
{
    static const ProtobufCMessageDescriptor *const roots[] = {
        VW_PB_CROSVM_SEED_ROOTS,
        VW_PB_CROSVM_FINAL_ROOTS,
        VW_PB_SERIAL_ROOTS,
    };
    const unsigned n_roots = sizeof roots / sizeof roots[0];
    if (argc != 2) {
        fprintf(stderr, "usage: vw-gen-fast OUTPUT.c\n");
        return 2;
    }
    FILE *o = fopen(argv[1], "w");
    if (!o) {
        perror(argv[1]);
        return 1;
    }
    for (unsigned i = 0; i < n_roots; i++)
        type_index(roots[i]);
    for (unsigned ti = 0; ti < n_types; ti++)
        for (unsigned i = 0; i < types[ti]->n_fields; i++)
            if (types[ti]->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
                type_index(types[ti]->fields[i].descriptor);
    fprintf(o, "/* Generated by vw-gen-fast (src/pb/gen_fast.c) from protoc-c's descriptors.\n"
               " * Do not edit; never committed. */\n"
               "#include <string.h>\n\n"
               "#include \"crosvm/final/plugin.pb-c.h\"\n"
               "#include \"crosvm/seed/plugin.pb-c.h\"\n"
               "#include \"serial/guest.pb-c.h\"\n"
               "#include \"pb/fast.h\"\n\n");
    for (unsigned ti = 0; ti < n_types; ti++)
        fprintf(o, "static VW_F_MAYBE_UNUSED const uint8_t *d%u(struct vw_pb_fctx *c, ProtobufCMessage *msg,\n"
                   "                      const uint8_t *p, const uint8_t *end, unsigned depth);\n",
                ti);
    fprintf(o, "\n");
    for (unsigned ti = 0; ti < n_types; ti++)
        emit_type(o, ti);
    for (unsigned ti = 0; ti < n_types; ti++)
        fprintf(o, "static VW_F_MAYBE_UNUSED uint8_t *e%u(struct vw_pb__enc *e, uint8_t *p,\n"
                   "                      const ProtobufCMessage *m, unsigned depth);\n",
                ti);
    fprintf(o, "\n");
    for (unsigned ti = 0; ti < n_types; ti++)
        emit_enc_type(o, ti);
    for (unsigned g = 0; g < 2; g++) {
        unsigned r0 = g ? 8 : 0, r1 = g ? n_roots : 8;
        fprintf(o, "vw_status vw_pb__fenc_%s(const ProtobufCMessage *msg, uint8_t *out, size_t cap,\n"
                   "                           size_t *written)\n{\n",
                g ? "serial" : "crosvm");
        fprintf(o, "    struct vw_pb__enc e;\n    const ProtobufCMessageDescriptor *d = msg->descriptor;\n"
                   "    uint8_t *p;\n    if (VW_F_UNLIKELY(!out))\n        goto generic;\n"
                   "    e.end = out + cap;\n    e.err = 0;\n");
        for (unsigned r = r0; r < r1; r++) {
            fprintf(o, "    %sif (d == ", r == r0 ? "" : "else ");
            emit_desc_ref(o, roots[r]);
            fprintf(o, ")\n        p = e%u(&e, out, msg, 0);\n", type_index(roots[r]));
        }
        fprintf(o, "    else\n        goto generic;\n"
                   "    if (VW_F_LIKELY(p != NULL)) {\n        *written = (size_t)(p - out);\n"
                   "        return VW_OK;\n    }\n"
                   "generic: /* another message, a size query, or a failure: its result */\n"
                   "    return vw_pb_encode(msg, out, cap, written);\n}\n\n");
    }
    for (unsigned r = 0; r < n_roots; r++) {
        char ln[512];
        lower_name(roots[r], ln, sizeof ln);
        fprintf(o, "static vw_status r%u(const uint8_t *buf, size_t len, struct vw_arena *a,\n"
                   "                    ProtobufCMessage **out, size_t *off)\n{\n", r);
        fprintf(o, "    struct vw_pb_fctx c;\n    ProtobufCMessage *m;\n"
                   "    if (VW_F_UNLIKELY(!buf))\n        buf = (const uint8_t *)\"\"; /* len is 0 */\n"
                   "    c.a = a;\n    c.used0 = a->used;\n    c.needed0 = a->needed;\n"
                   "    if (VW_F_UNLIKELY(c.needed0 != c.used0 || c.used0 > a->cap))\n"
                   "        goto bail;\n");
        emit_new(o, roots[r], "    ", "a");
        fprintf(o, "    if (VW_F_LIKELY(d%u(&c, m, buf, buf + len, 0) != NULL)) {\n"
                   "        *out = m;\n        *off = len;\n        return VW_OK;\n    }\n"
                   "    return vw_pb__fresume(&c, &%s__descriptor, buf, len, m, out, off);\n"
                   "bail: /* nothing taken */\n    return vw_pb_decode(&%s__descriptor, buf, len, a, out, off);\n}\n\n",
                type_index(roots[r]), ln, ln);
    }
    fprintf(o, "const vw_pb_fast_fn vw_pb__fast_crosvm[2][4] = {\n"
               "    { r0, r1, r2, r3 },\n    { r4, r5, r6, r7 },\n};\n"
               "const vw_pb_fast_fn vw_pb__fast_serial[2] = { r8, r9 };\n");
    if (fclose(o) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
